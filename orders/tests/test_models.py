"""Coupons and orders (orders/models.py): the database itself refuses rows that break the store's
invariants, whatever code writes them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon, Order, OrderItem
from testing.db import refused

pytestmark = pytest.mark.django_db


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
