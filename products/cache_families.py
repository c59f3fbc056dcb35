"""The products' cache families and what each product change makes stale (row-level)."""

from shop.cache import Change, Rows, declare

from .filters import product_filter_tags, product_list_affected

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
    depends_on=[Rows(PRODUCT, when=_listed)],
)
PRODUCTS_FILTER = declare(
    "products:filter",
    pattern="products:filter:{digest}",
    ttl=600,
    depends_on=[Rows(PRODUCT, when=_listed, tags=lambda change: ["rows"], affects=product_list_affected)],
    tags_of=product_filter_tags,
    tag_names=["rows"],
)
