"""Races against the real PostgreSQL, with real threads, each on its own connection.

Transactional tests: every request commits for real, so the database's row locks and
conditional UPDATEs are what keep stock and coupon counts right, not the test's transaction.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections
from model_bakery import baker
from rest_framework.test import APIClient

from orders.models import Coupon, Order, Payment
from orders.services import order_place, payment_create
from orders.webhooks import webhook_signature
from products.models import Product
from shop.models import Activity
from testing.api import bearer_client

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


def make_buyers(n: int) -> list[APIClient]:
    """n customers, each with a Bearer client of their own, made before the race."""
    return [bearer_client(user) for user in baker.make_recipe("shop.customer", _quantity=n)]


def post_as(client, path, body):
    response = client.post(path, body, format="json")
    return response.status_code, response.json()


def test_thirty_buyers_racing_for_ten_in_stock():
    product = baker.make_recipe("products.product", name="Limited", price=Decimal("5.00"), stock=10)
    buyers = make_buyers(30)
    body = {"items": [{"product_id": product.pk, "quantity": 1}], "delivery_address": "x", "payment_method": "cash"}

    results = race(lambda buyer: post_as(buyer, "/api/v1/orders", body), buyers)

    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 10
    assert statuses.count(409) == 20
    assert {payload["message"] for status, payload in results if status == 409} == {"Insufficient stock for Limited"}
    assert Product.objects.get(pk=product.pk).stock == 0
    assert Order.objects.count() == 10


def test_a_coupon_limited_to_five_uses_raced_by_twenty_orders():
    """Each buyer orders a product of their own, so nothing but the coupon's guard orders them:
    with an unguarded read-then-write of used_count, all twenty got the discount."""
    coupon = baker.make_recipe(
        "orders.coupon", code="FIVE", discount_type="fixed", value=Decimal("5.00"), usage_limit=5
    )
    buyers = make_buyers(20)
    products = {
        buyer: baker.make_recipe("products.product", name=f"Item {i}", price=Decimal("20.00"), stock=10)
        for i, buyer in enumerate(buyers)
    }

    def buy(buyer):
        body = {
            "items": [{"product_id": products[buyer].pk, "quantity": 1}],
            "coupon_code": "five",
            "delivery_address": "x",
            "payment_method": "card",
        }
        return post_as(buyer, "/api/v1/orders", body)

    results = race(buy, buyers)

    assert sorted(status for status, _ in results).count(201) == 5
    assert {(status, payload["message"]) for status, payload in results if status != 201} == {
        (409, "Coupon has been used up")
    }
    coupon.refresh_from_db()
    assert coupon.used_count == 5
    assert Order.objects.filter(coupon=coupon).count() == 5
    assert Order.objects.count() == 5
    assert sorted(Product.objects.values_list("stock", flat=True)) == [9] * 5 + [10] * 15, (
        "refused orders gave their stock back"
    )


def test_one_customer_racing_six_orders_for_a_once_per_customer_coupon_gets_it_once(customer):
    """Six orders at once by one customer, each for its own product: only the customer's row lock
    keeps the per-customer count from being read by all six before any of them commits."""
    coupon = baker.make_recipe(
        "orders.coupon", code="ONCE", discount_type="fixed", value=Decimal("5.00"), per_customer_limit=1
    )
    products = [
        baker.make_recipe("products.product", name=f"Item {i}", price=Decimal("20.00"), stock=10) for i in range(6)
    ]
    clients = {product.pk: bearer_client(customer) for product in products}

    def buy(product):
        body = {
            "items": [{"product_id": product.pk, "quantity": 1}],
            "coupon_code": "ONCE",
            "delivery_address": "x",
            "payment_method": "card",
        }
        return post_as(clients[product.pk], "/api/v1/orders", body)

    results = race(buy, products)

    assert sorted(status for status, _ in results) == [201] + [409] * 5
    assert {payload["message"] for status, payload in results if status == 409} == {
        "You have already used this coupon as many times as it allows"
    }
    assert Order.objects.filter(user=customer, coupon=coupon).count() == 1
    assert Coupon.objects.get(pk=coupon.pk).used_count == 1


def test_one_customer_racing_eight_orders_holds_at_most_max_open_orders(customer, settings):
    settings.MAX_OPEN_ORDERS = 3
    products = [
        baker.make_recipe("products.product", name=f"Item {i}", price=Decimal("20.00"), stock=10) for i in range(8)
    ]
    clients = {product.pk: bearer_client(customer) for product in products}

    def buy(product):
        body = {"items": [{"product_id": product.pk, "quantity": 1}], "delivery_address": "x", "payment_method": "cash"}
        return post_as(clients[product.pk], "/api/v1/orders", body)

    results = race(buy, products)

    assert sorted(status for status, _ in results) == [201] * 3 + [409] * 5
    assert {payload["code"] for status, payload in results if status == 409} == {"conflict"}
    assert Order.objects.filter(user=customer, status="pending").count() == 3
    assert sorted(Product.objects.values_list("stock", flat=True)) == [9] * 3 + [10] * 5


def test_concurrent_placements_get_unique_consecutive_numbers_of_the_local_day():
    """Thirty buyers at once, each for a product of their own (a third of them out of stock): every
    placed order has a number of its own with today's date in the store's timezone. A refused
    placement rolls its number back with it, so the day's sequence has no gap either."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    business = baker.make_recipe("shop.business", name="Night Shop", timezone=_zone_whose_date_differs_from_utc())
    buyers = make_buyers(30)
    products = {
        buyer: baker.make_recipe(
            "products.product", name=f"Item {i}", price=Decimal("5.00"), stock=0 if i % 3 == 0 else 5
        )
        for i, buyer in enumerate(buyers)
    }

    def buy(buyer):
        body = {
            "items": [{"product_id": products[buyer].pk, "quantity": 1}],
            "delivery_address": "x",
            "payment_method": "cash",
        }
        return post_as(buyer, "/api/v1/orders", body)

    results = race(buy, buyers)

    assert sorted(status for status, _ in results) == [201] * 20 + [409] * 10
    numbers = [payload["data"]["order"]["number"] for status, payload in results if status == 201]
    assert len(set(numbers)) == 20
    local_day = datetime.now(ZoneInfo(business.timezone)).strftime("%Y%m%d")
    assert local_day != timezone.now().strftime("%Y%m%d"), "the test means a zone whose date is not UTC's"
    assert {number[:13] for number in numbers} == {f"ORD-{local_day}-"}
    assert all(len(number) == len("ORD-YYYYMMDD-NNNNN") for number in numbers)
    assert sorted(int(number[13:]) for number in numbers) == list(range(1, 21))
    stored = list(Order.objects.order_by("created_at", "id").values_list("number", flat=True))
    assert sorted(stored) == sorted(numbers)


def _zone_whose_date_differs_from_utc() -> str:
    """UTC+14 is a day ahead from 10:00 UTC on, UTC-12 a day behind until 12:00 UTC: one of them always differs."""
    from django.utils import timezone

    return "Pacific/Kiritimati" if timezone.now().hour >= 10 else "Etc/GMT+12"


def test_orders_naming_products_in_opposite_orders_do_not_deadlock():
    first = baker.make_recipe("products.product", name="First", price=Decimal("1.00"), stock=100)
    second = baker.make_recipe("products.product", name="Second", price=Decimal("1.00"), stock=100)
    buyers = make_buyers(16)

    def buy(indexed):
        index, buyer = indexed
        pair = [first, second] if index % 2 else [second, first]
        body = {
            "items": [{"product_id": p.pk, "quantity": 1} for p in pair],
            "delivery_address": "x",
            "payment_method": "cash",
        }
        return post_as(buyer, "/api/v1/orders", body)

    results = race(buy, list(enumerate(buyers)))

    assert [status for status, _ in results] == [201] * 16
    assert Product.objects.get(pk=first.pk).stock == 84
    assert Product.objects.get(pk=second.pk).stock == 84


def test_concurrent_cancels_restock_once(customer, staff_user):
    product = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
    order = order_place(
        user=customer, items=[{"product_id": product.pk, "quantity": 4}], delivery_address="x", payment_method="cash"
    )
    cancellers = [bearer_client(user) for user in [customer, staff_user] * 5]

    results = race(lambda canceller: post_as(canceller, f"/api/v1/orders/{order.pk}/cancel", None), cancellers)

    assert sorted(status for status, _ in results) == [200] + [409] * 9
    assert Product.objects.get(pk=product.pk).stock == 10
    assert Activity.objects.filter(action="order.cancelled").count() == 1


def test_repeated_webhooks_arriving_together_apply_once(customer):
    product = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
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
