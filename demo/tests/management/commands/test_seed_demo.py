"""The `seed_demo` command: demo accounts from the environment, and nothing done on a store that has data."""

import pytest
from django.contrib.auth import authenticate

from demo.tests.seeding import seed
from orders.models import Coupon, Order, OrderItem, Payment
from products.models import Product
from shop.models import Activity, Business, Notification, User

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    models = (Business, User, Product, Coupon, Order, OrderItem, Payment, Notification, Activity)
    return {model.__name__: model.objects.count() for model in models}


def test_demo_accounts_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_EMAIL", "boss@shop.test")
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "boss-secret-1")
    monkeypatch.setenv("DEMO_CUSTOMER_EMAIL", "buyer@shop.test")
    monkeypatch.setenv("DEMO_CUSTOMER_PASSWORD", "buyer-secret-1")

    seed(orders=10)

    assert authenticate(username="boss@shop.test", password="boss-secret-1").is_superuser
    assert authenticate(username="buyer@shop.test", password="buyer-secret-1") is not None
    assert not User.objects.filter(email="admin@example.com").exists()
    # Generated customers share the customer password (one hash computed, reused).
    generated = User.objects.filter(email__endswith="@example.net").first()
    assert generated.check_password("buyer-secret-1")


def test_second_run_changes_nothing():
    seed()
    before = row_counts()

    output = seed()

    assert "already has" in output
    assert row_counts() == before
