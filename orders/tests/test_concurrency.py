"""Races against the real PostgreSQL, with real threads, each on its own connection.

Transactional tests: every request commits for real, so the database's row locks and
conditional UPDATEs are what keep stock and coupon counts right, not the test's transaction.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connections
from rest_framework.test import APIClient

from orders.models import Coupon, Order, Payment
from orders.services import order_place, payment_create
from orders.webhooks import webhook_signature
from products.models import Product
from shop.models import Activity, User

pytestmark = pytest.mark.django_db(transaction=True)


def race(call, arguments: list) -> list:
    """Run call(argument) in one thread per argument, all released at once; return the results."""
    start = threading.Barrier(len(arguments))

    def run(argument):
        try:
            start.wait(timeout=10)
            return call(argument)
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(run, arguments, timeout=60))


def make_buyers(n: int) -> list[User]:
    return [
        User.objects.create_user(email=f"buyer{i}@example.test", password="pw-123456", name=f"Buyer {i}")
        for i in range(n)
    ]


def post_as(user, path, body):
    client = APIClient()
    client.force_authenticate(user=user)
    response = client.post(path, body, format="json")
    return response.status_code, response.json()


def test_thirty_buyers_racing_for_ten_in_stock(make_product):
    product = make_product("Limited", "5.00", 10)
    buyers = make_buyers(30)
    body = {"items": [{"product_id": product.pk, "quantity": 1}], "delivery_address": "x", "payment_method": "cash"}

    results = race(lambda user: post_as(user, "/api/v1/orders", body), buyers)

    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 10
    assert statuses.count(409) == 20
    assert {payload["message"] for status, payload in results if status == 409} == {"Insufficient stock for Limited"}
    assert Product.objects.get(pk=product.pk).stock == 0
    assert Order.objects.count() == 10


def test_a_coupon_limited_to_five_uses_raced_by_twenty_orders(make_product, make_coupon):
    product = make_product("Plenty", "20.00", 1000)
    coupon = make_coupon("FIVE", "fixed", "5.00", usage_limit=5)
    buyers = make_buyers(20)
    body = {
        "items": [{"product_id": product.pk, "quantity": 1}],
        "coupon_code": "five",
        "delivery_address": "x",
        "payment_method": "card",
    }

    results = race(lambda user: post_as(user, "/api/v1/orders", body), buyers)

    assert sorted(status for status, _ in results).count(201) == 5
    assert {payload["message"] for status, payload in results if status != 201} == {"Coupon has been used up"}
    coupon.refresh_from_db()
    assert coupon.used_count == 5
    assert Order.objects.filter(coupon=coupon).count() == 5
    assert Order.objects.count() == 5
    assert Product.objects.get(pk=product.pk).stock == 995, "refused orders gave their stock back"


def test_orders_naming_products_in_opposite_orders_do_not_deadlock(make_product):
    first, second = make_product("First", "1.00", 100), make_product("Second", "1.00", 100)
    buyers = make_buyers(16)

    def buy(indexed):
        index, user = indexed
        pair = [first, second] if index % 2 else [second, first]
        body = {
            "items": [{"product_id": p.pk, "quantity": 1} for p in pair],
            "delivery_address": "x",
            "payment_method": "cash",
        }
        return post_as(user, "/api/v1/orders", body)

    results = race(buy, list(enumerate(buyers)))

    assert [status for status, _ in results] == [201] * 16
    assert Product.objects.get(pk=first.pk).stock == 84
    assert Product.objects.get(pk=second.pk).stock == 84


def test_concurrent_cancels_restock_once(make_product, customer, admin_user):
    product = make_product("Pizza", "10.00", 10)
    order = order_place(
        user=customer, items=[{"product_id": product.pk, "quantity": 4}], delivery_address="x", payment_method="cash"
    )
    cancellers = [customer, admin_user] * 5

    results = race(lambda user: post_as(user, f"/api/v1/orders/{order.pk}/cancel", None), cancellers)

    assert sorted(status for status, _ in results) == [200] + [409] * 9
    assert Product.objects.get(pk=product.pk).stock == 10
    assert Activity.objects.filter(action="order.cancelled").count() == 1


def test_repeated_webhooks_arriving_together_apply_once(make_product, customer):
    product = make_product("Pizza", "10.00", 10)
    order = order_place(
        user=customer, items=[{"product_id": product.pk, "quantity": 1}], delivery_address="x", payment_method="card"
    )
    payment = payment_create(user=customer, order_id=order.pk, method="card")
    body = json.dumps({"transaction_ref": payment.transaction_ref, "status": "completed"}).encode()
    signature = webhook_signature(body=body, secret=settings.PAYMENT_WEBHOOK_SECRET)

    def deliver(_):
        response = APIClient().generic(
            "POST", "/api/v1/payments/webhook", body, content_type="application/json", HTTP_X_SIGNATURE=signature
        )
        return response.status_code

    assert race(deliver, list(range(10))) == [200] * 10
    assert Payment.objects.get(pk=payment.pk).status == "completed"
    assert Order.objects.get(pk=order.pk).payment_status == "paid"
    assert Activity.objects.filter(action="payment.completed").count() == 1
    assert Coupon.objects.count() == 0
