"""The products' cache families, and what each product change makes stale.

A product's JSON lives once, in its detail entry (`products:{id}`), which a change of that product
clears. The lists (`products:all`, `products:filter:*`) keep only which products they show, in
order, and are assembled from those entries on a hit; so a stock or price change empties one
entry, and a list is cleared only when the change can alter which products it shows or their order.
"""

from shop.cache import Change, Rows, declare

from .filters import PRODUCT_TAGS, product_change_tags, product_filter_tags, product_list_affected

PRODUCT = "products.Product"


def _listed(change: Change) -> bool:
    """An active product (before or after the change) is in the full list."""
    return any(row.get("is_active") for row in change.rows)


PRODUCT_DETAIL = declare(
    "products:detail",
    pattern="products:{id}",
    ttl=3600,
    depends_on=[Rows(PRODUCT, keys=lambda change: [{"id": change.pk}])],
)
PRODUCTS_ALL = declare(
    "products:all",
    pattern="products:all",
    ttl=3600,
    # Which products, in which order (by name): stock, price and the rest come from their entries.
    depends_on=[Rows(PRODUCT, when=lambda change: _listed(change) and change.touches("is_active", "name"))],
    fragments=PRODUCT_DETAIL,
)
PRODUCTS_FILTER = declare(
    "products:filter",
    pattern="products:filter:{digest}",
    ttl=600,
    depends_on=[Rows(PRODUCT, when=_listed, tags=product_change_tags, affects=product_list_affected)],
    tags_of=product_filter_tags,
    tag_names=PRODUCT_TAGS,
    fragments=PRODUCT_DETAIL,
)
