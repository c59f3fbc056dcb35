"""Helpers for tests of the Django admin: its URLs and the product change form."""

from django.urls import reverse
from django.utils import timezone


def admin_url(label: str, view: str, *args) -> str:
    app_label, model = label.split(".")
    return reverse(f"admin:{app_label}_{model}_{view}", args=args)


def product_form(product, **changes) -> dict:
    """The admin's product change form as the page would post it, with `changes` applied."""
    created = timezone.localtime(product.created_at)
    data = {
        "name": product.name,
        "slug": product.slug,
        "category": product.category,
        "description": product.description,
        "image_url": product.image_url,
        "price": str(product.price),
        "stock": str(product.stock),
        "is_active": "on" if product.is_active else "",
        "created_at_0": created.strftime("%Y-%m-%d"),
        "created_at_1": created.strftime("%H:%M:%S"),
    }
    return {k: v for k, v in {**data, **changes}.items() if v != ""}
