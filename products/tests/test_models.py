"""Products (products/models.py): the database itself refuses rows that break the store's invariants,
whatever code writes them."""

from decimal import Decimal

import pytest
from django.db.models import F
from model_bakery import baker

from products.models import Product
from testing.db import refused

pytestmark = pytest.mark.django_db


def test_bulk_update_to_negative_stock_is_refused_and_leaves_stock_unchanged():
    product = baker.make_recipe("products.product", slug="bread", price=Decimal("3.00"), stock=2)

    with refused():
        Product.objects.filter(pk=product.pk).update(stock=F("stock") - 3)

    product.refresh_from_db()
    assert product.stock == 2


def test_saving_a_product_with_negative_stock_is_refused():
    with refused():
        Product.objects.create(name="Bread", slug="bread", category="Bakery", price=Decimal("3.00"), stock=-1)
    assert not Product.objects.exists()


def test_negative_product_price_is_refused():
    with refused():
        Product.objects.create(name="Bread", slug="bread", category="Bakery", price=Decimal("-0.01"), stock=1)
