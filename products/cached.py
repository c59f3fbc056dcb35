"""The products' cached reads: the payloads of the product endpoints, declared once each.

The lists are assembled from the products' own entries (see products/cache_families.py): their
builders give the rows and the JSON around them, and `product_details` loads rows by id.
"""

from products import selectors
from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL, PRODUCTS_FILTER
from products.filters import product_filter_digest, product_filter_queryset
from products.models import Product
from products.serializers import ProductOutputSerializer
from shop.api.pagination import page_of
from shop.cache import Assembly, cached


def _detail(data: dict) -> dict:
    """One product's payload, as `products:{id}` holds it: the detail endpoint's and each list row's."""
    return {"product": data}


def product_details(ids: list[int]) -> dict[int, dict]:
    """`{id: {"product": ...}}`: the detail payloads of these products (one query)."""
    return {p.pk: _detail(ProductOutputSerializer(p).data) for p in Product.objects.filter(pk__in=ids)}


def _rows(products) -> list[tuple[int, dict]]:
    return [(p.pk, _detail(data)) for p, data in zip(products, ProductOutputSerializer(products, many=True).data)]


@cached(PRODUCTS_ALL, http=["/api/v1/products"], fragments=product_details)
def product_list_all() -> Assembly:
    """`{products, count}`: every active product."""
    products = list(selectors.product_list_active())
    return Assembly(head=b'{"products":[', rows=_rows(products), tail=b'],"count":%d}' % len(products))


@cached(
    PRODUCTS_FILTER,
    key=lambda **params: {"digest": product_filter_digest(params)},
    http=["/api/v1/products?category={category}&page=1"],
    fragments=product_details,
)
def product_list_filtered(**params) -> Assembly:
    """`{products, count, page, pages}` for the normalized query string (see products.filters)."""
    rows, count, page, pages = page_of(product_filter_queryset(selectors.product_list_active(), params), params)
    tail = b'],"count":%d,"page":%d,"pages":%d}' % (count, page, pages)
    return Assembly(head=b'{"products":[', rows=_rows(rows), tail=tail)


@cached(PRODUCT_DETAIL, key=lambda product_id: {"id": product_id}, http=["/api/v1/products/{product_id}"])
def product_detail(*, product_id: int) -> dict:
    """`{product}`, active or not (the API decides who may see an inactive one); a missing product is
    404 and caches nothing."""
    return _detail(ProductOutputSerializer(selectors.product_get(product_id=product_id)).data)
