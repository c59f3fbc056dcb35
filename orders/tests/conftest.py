"""Fixtures for the orders app's tests: products, a business row, clients for each kind of caller."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker
from rest_framework.test import APIClient

from orders.models import Coupon


@pytest.fixture
def anonymous():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def customer_client(customer):
    return client_for(customer)


@pytest.fixture
def other_customer(db):
    from shop.models import User

    return User.objects.create_user(email="other@example.test", password="other-pass-123", name="Other")


@pytest.fixture
def other_client(other_customer):
    return client_for(other_customer)


@pytest.fixture
def admin_client(staff_user):
    return client_for(staff_user)


@pytest.fixture
def make_product(db):
    def make(name="Pizza", price="10.00", stock=10, **extra):
        fields = {"category": "food", "is_active": True, **extra}
        return baker.make("products.Product", name=name, price=Decimal(price), stock=stock, **fields)

    return make


@pytest.fixture
def make_coupon(db):
    def make(code="SAVE10", discount_type="percent", value="10.00", **extra):
        now = timezone.now()
        fields = {"valid_from": now - timedelta(days=1), "valid_until": now + timedelta(days=30), **extra}
        return Coupon.objects.create(code=code, discount_type=discount_type, value=Decimal(value), **fields)

    return make


@pytest.fixture
def business(db):
    from shop.models import Business

    return Business.objects.create(
        name="Test Store", delivery_fee=Decimal("3.50"), tax_rate=Decimal("8.00"), min_order_amount=Decimal("0")
    )


def order_body(*lines, **extra) -> dict:
    """lines: (product, quantity) pairs."""
    body = {
        "items": [{"product_id": p.pk, "quantity": q} for p, q in lines],
        "delivery_address": "1 Main Street",
        "payment_method": "card",
    }
    body.update(extra)
    return body
