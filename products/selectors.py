"""Product reads: querysets and rows. Their cached payloads are declared in products/cached.py."""

from django.db.models import QuerySet

from products.models import Product
from shop.errors import NotFound


def product_list_active() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).order_by("name", "id")


def product_get(*, product_id: int) -> Product:
    try:
        return Product.objects.get(pk=product_id)
    except Product.DoesNotExist:
        raise NotFound("Product not found") from None
