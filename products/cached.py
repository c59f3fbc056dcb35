"""The products' cached reads: the payloads of the product endpoints, declared once each."""

from products import selectors
from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL, PRODUCTS_FILTER
from products.filters import product_filter_digest, product_filter_queryset
from products.serializers import ProductOutputSerializer
from shop.api.pagination import paginate
from shop.cache import cached


@cached(PRODUCTS_ALL, http=["/api/v1/products"])
def product_list_all() -> dict:
    """`{products, count}`: every active product."""
    products = ProductOutputSerializer(selectors.product_list_active(), many=True).data
    return {"products": products, "count": len(products)}


@cached(
    PRODUCTS_FILTER,
    key=lambda **params: {"digest": product_filter_digest(params)},
    http=["/api/v1/products?category={category}&page=1"],
)
def product_list_filtered(**params) -> dict:
    """`{products, count, page, pages}` for the normalized query string (see products.filters)."""
    return paginate(
        product_filter_queryset(selectors.product_list_active(), params),
        params,
        lambda rows: ProductOutputSerializer(rows, many=True).data,
        key="products",
    )


@cached(PRODUCT_DETAIL, key=lambda product_id: {"id": product_id}, http=["/api/v1/products/{product_id}"])
def product_detail(*, product_id: int) -> dict:
    """`{product}`, active or not (the API decides who may see an inactive one); a missing product is
    404 and caches nothing."""
    return {"product": ProductOutputSerializer(selectors.product_get(product_id=product_id)).data}
