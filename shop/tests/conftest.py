"""Scenario fixtures shared by the core's test modules (users and clients: testing/fixtures.py, testing/api.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Coupon, Order, OrderItem, Payment
from products.models import Product
from shop.models import Activity, Business, Notification, User


@pytest.fixture
def one_of_each(db):
    """One row of every model, so every change page has something to show."""
    now = timezone.now()
    customer = User.objects.create_user(email="ann@example.test", password="ann-pass-123", name="Ann")
    product = Product.objects.create(
        name="Sourdough Loaf", slug="sourdough-loaf", category="Bakery", price=Decimal("6.50"), stock=10
    )
    coupon = Coupon.objects.create(
        code="SAVE10",
        discount_type=Coupon.DiscountType.PERCENT,
        value=Decimal("10"),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=1),
    )
    order = Order.objects.create(
        number="ORD-1",
        user=customer,
        coupon=coupon,
        coupon_code="SAVE10",
        subtotal=Decimal("13.00"),
        discount=Decimal("1.30"),
        delivery_fee=Decimal("3.99"),
        tax=Decimal("1.04"),
        total=Decimal("16.73"),
        payment_method=Order.PaymentMethod.CARD,
        delivery_address="1 Main Street",
    )
    OrderItem.objects.create(
        order=order,
        product=product,
        name=product.name,
        unit_price=product.price,
        quantity=2,
        line_total=Decimal("13.00"),
    )
    payment = Payment.objects.create(
        order=order, amount=order.total, method="card", status="completed", transaction_ref="txn_1", completed_at=now
    )
    return {
        "shop.user": customer,
        "shop.business": Business.objects.create(name="Corner Market"),
        "shop.notification": Notification.objects.create(user=customer, order=order, title="Your order is on its way"),
        "shop.activity": Activity.objects.create(action="order.placed", description="Ann placed ORD-1", user=customer),
        "products.product": product,
        "orders.coupon": coupon,
        "orders.order": order,
        "orders.payment": payment,
    }
