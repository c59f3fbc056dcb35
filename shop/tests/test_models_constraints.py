"""The database itself refuses rows that break the store's invariants, whatever code writes them: products,
coupons and orders (the core's own rows: test_models.py)."""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon, Order, OrderItem
from products.models import Product

pytestmark = pytest.mark.django_db


@contextmanager
def refused():
    """The write must fail with IntegrityError; the savepoint keeps the test's transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


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


def test_coupon_code_differing_only_in_case_is_refused():
    baker.make_recipe("orders.coupon", code="SAVE10")

    with refused():
        baker.make_recipe("orders.coupon", code="save10")

    assert Coupon.objects.count() == 1


def test_coupon_used_count_above_usage_limit_is_refused():
    coupon = baker.make_recipe("orders.coupon", usage_limit=2, used_count=2)

    with refused():
        Coupon.objects.filter(pk=coupon.pk).update(used_count=F("used_count") + 1)

    coupon.refresh_from_db()
    assert coupon.used_count == 2


def test_coupon_without_usage_limit_may_be_used_any_number_of_times():
    coupon = baker.make_recipe("orders.coupon", usage_limit=None)
    Coupon.objects.filter(pk=coupon.pk).update(used_count=10_000)
    coupon.refresh_from_db()
    assert coupon.used_count == 10_000


def test_percent_coupon_above_100_is_refused():
    with refused():
        baker.make_recipe("orders.coupon", value=Decimal("100.5"))


def test_coupon_window_ending_before_it_starts_is_refused():
    now = timezone.now()
    with refused():
        baker.make_recipe("orders.coupon", valid_from=now, valid_until=now - timedelta(seconds=1))


def test_order_item_with_quantity_zero_is_refused():
    order = baker.make_recipe("orders.order")

    with refused():
        OrderItem.objects.create(
            order=order, name="Bread", unit_price=Decimal("3.00"), quantity=0, line_total=Decimal("0.00")
        )

    assert not order.items.exists()


def test_order_with_negative_total_is_refused():
    with refused():
        baker.make_recipe("orders.order", total=Decimal("-1.00"))


def test_order_numbers_are_unique():
    first = baker.make_recipe("orders.order")

    with refused():
        Order.objects.create(
            number=first.number,
            user=first.user,
            subtotal=Decimal("1.00"),
            total=Decimal("1.00"),
            payment_method=Order.PaymentMethod.CARD,
            delivery_address="2 Main Street",
        )
