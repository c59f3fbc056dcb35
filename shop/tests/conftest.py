"""Scenario fixtures shared by the core's test modules (users and clients: testing/fixtures.py, testing/api.py)."""

from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Payment
from testing.orders import order_with_lines


@pytest.fixture
def one_of_each(db):
    """One row of every model, so every change page has something to show."""
    customer = baker.make_recipe("shop.customer", email="ann@example.test", name="Ann")
    product = baker.make_recipe(
        "products.product",
        name="Sourdough Loaf",
        slug="sourdough-loaf",
        category="Bakery",
        price=Decimal("6.50"),
        stock=10,
    )
    coupon = baker.make_recipe("orders.coupon", code="SAVE10", value=Decimal("10"))
    order = order_with_lines(
        [(product, 2)],
        number="ORD-1",
        user=customer,
        coupon=coupon,
        coupon_code="SAVE10",
        discount=Decimal("1.30"),
        delivery_fee=Decimal("3.99"),
        tax=Decimal("1.04"),
        total=Decimal("16.73"),
    )
    payment = baker.make_recipe(
        "orders.payment", order=order, amount=order.total, status=Payment.Status.COMPLETED, completed_at=timezone.now()
    )
    return {
        "shop.user": customer,
        "shop.business": baker.make_recipe("shop.business", name="Corner Market"),
        "shop.notification": baker.make_recipe(
            "shop.notification", user=customer, order=order, title="Your order is on its way"
        ),
        "shop.activity": baker.make_recipe(
            "shop.activity", action="order.placed", description="Ann placed ORD-1", user=customer
        ),
        "products.product": product,
        "orders.coupon": coupon,
        "orders.order": order,
        "orders.payment": payment,
    }
