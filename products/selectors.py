"""Product reads: querysets and rows. Their cached payloads are declared in products/cached.py."""

from django.db.models import QuerySet

from products.models import Product
from shop.errors import NotFound

# A product with this many units or fewer needs restocking (the dashboard's low-stock panel, the admin's filter).
LOW_STOCK_LEVEL = 5


def product_list_active() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).order_by("name", "id")


def product_get(*, product_id: int) -> Product:
    try:
        return Product.objects.get(pk=product_id)
    except Product.DoesNotExist:
        raise NotFound("Product not found") from None
