"""Product reads. The cached ones return `Cached` (stored JSON bytes + hit flag) for `cached_ok`.

Nothing cached here depends on who asks: lists hold active products only, and a product's
detail is cached with its `is_active` flag so that the API decides who may see it.
"""

from django.db.models import QuerySet

from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL, PRODUCTS_FILTER
from products.filters import product_filter_digest, product_filter_queryset
from products.models import Product
from products.serializers import ProductOutputSerializer
from shop.api.pagination import paginate
from shop.cache import Cached, read_through
from shop.errors import NotFound


def product_list_active() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).order_by("name", "id")


def product_get(*, product_id: int) -> Product:
    try:
        return Product.objects.get(pk=product_id)
    except Product.DoesNotExist:
        raise NotFound("Product not found") from None


def product_list_all_cached() -> Cached:
    """`{products, count}`: every active product, under `products:all`."""

    def load() -> dict:
        products = ProductOutputSerializer(product_list_active(), many=True).data
        return {"products": products, "count": len(products)}

    return read_through(PRODUCTS_ALL, {}, load)


def product_list_filtered_cached(*, params: dict) -> Cached:
    """`{products, count, page, pages}` for normalized `params` (see products.filters).

    Cached under `products:filter:{digest}`."""

    def load() -> dict:
        return paginate(
            product_filter_queryset(product_list_active(), params),
            params,
            lambda rows: ProductOutputSerializer(rows, many=True).data,
            key="products",
        )

    return read_through(PRODUCTS_FILTER, {"digest": product_filter_digest(params)}, load)


def product_detail_cached(*, product_id: int) -> Cached:
    """`{product}` under `products:{id}`, active or not; a missing product is 404 and caches nothing."""

    def load() -> dict:
        return {"product": ProductOutputSerializer(product_get(product_id=product_id)).data}

    return read_through(PRODUCT_DETAIL, {"id": product_id}, load)
