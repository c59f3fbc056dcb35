"""Holds on stock: unpaid pending orders expire after ORDER_HOLD_MINUTES (beat), at most MAX_OPEN_ORDERS each."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon, Order
from orders.services import order_holds_expire, order_place, payment_create, payment_set_status
from orders.tasks import order_holds_expire as order_holds_expire_task
from orders.tests.helpers import order_body
from products.models import Product
from shop.models import Activity, Notification

pytestmark = pytest.mark.django_db


def place(user, product, quantity=1, **extra):
    return order_place(
        user=user,
        items=[{"product_id": product.pk, "quantity": quantity}],
        delivery_address="1 Main Street",
        payment_method="card",
        **extra,
    )


def age(order, minutes):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


# --- expiry ----------------------------------------------------------------------------------------
def test_an_unpaid_pending_order_past_the_hold_is_cancelled_with_its_stock_and_coupon_use_back(
    customer, settings, django_capture_on_commit_callbacks
):
    settings.ORDER_HOLD_MINUTES = 30
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
    coupon = baker.make_recipe(
        "orders.coupon", code="ONCE", discount_type="fixed", value=Decimal("1.00"), per_customer_limit=1, usage_limit=10
    )
    order = place(customer, pizza, 4, coupon_code="ONCE")
    age(order, 31)

    with django_capture_on_commit_callbacks(execute=True):
        assert order_holds_expire_task.delay().get() == 1

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "unpaid")
    assert Product.objects.get(pk=pizza.pk).stock == 10
    assert Coupon.objects.get(pk=coupon.pk).used_count == 0
    activity = Activity.objects.get(action="order.expired")
    assert activity.user is None and order.number in activity.description and "30 minutes" in activity.description
    notification = Notification.objects.get(order=order)
    assert "not paid within 30 minutes" in notification.message
    again = place(customer, pizza, 1, coupon_code="ONCE")
    assert again.coupon_id == coupon.pk, "the customer's once-only use came back with the cancellation"


def test_holds_younger_than_the_limit_and_orders_that_are_paid_or_moving_are_kept(customer, settings):
    settings.ORDER_HOLD_MINUTES = 30
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    young = place(customer, pizza)
    age(young, 29)
    paid = place(customer, pizza)
    payment = payment_create(user=customer, order_id=paid.pk, method="card")
    payment_set_status(payment_id=payment.pk, status="completed")
    preparing = place(customer, pizza)
    Order.objects.filter(pk=preparing.pk).update(status="preparing")
    for order in (paid, preparing):
        age(order, 120)

    assert order_holds_expire() == 0
    assert sorted(Order.objects.values_list("status", flat=True)) == ["pending", "pending", "preparing"]
    assert Product.objects.get(pk=pizza.pk).stock == 47


def test_the_hold_follows_the_setting(customer, settings):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    order = place(customer, pizza)
    age(order, 6)
    settings.ORDER_HOLD_MINUTES = 10
    assert order_holds_expire() == 0
    settings.ORDER_HOLD_MINUTES = 5
    assert order_holds_expire() == 1
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_a_payment_completing_after_the_hold_expired_makes_a_refund_due(customer, settings):
    settings.ORDER_HOLD_MINUTES = 30
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
    order = place(customer, pizza)
    payment = payment_create(user=customer, order_id=order.pk, method="card")
    age(order, 45)
    assert order_holds_expire() == 1

    payment_set_status(transaction_ref=payment.transaction_ref, status="completed")

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "refund_due")


def test_beat_runs_the_expiry_every_minute(settings):
    from config.celery_app import app

    entry = settings.CELERY_BEAT_SCHEDULE["orders-expire-unpaid-holds"]
    assert entry["task"] == "orders.tasks.order_holds_expire" and entry["schedule"] == 60.0
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


# --- MAX_OPEN_ORDERS ---------------------------------------------------------------------------------
def test_a_customer_holds_at_most_max_open_orders_and_the_next_is_409(customer, customer_api, settings):
    settings.MAX_OPEN_ORDERS = 2
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    for _ in range(2):
        assert customer_api.post("/api/v1/orders", order_body((pizza, 1)), format="json").status_code == 201

    refused = customer_api.post("/api/v1/orders", order_body((pizza, 1)), format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "conflict"
    assert refused.json()["message"] == "You already have 2 unpaid orders waiting; pay for or cancel one first"
    assert Order.objects.count() == 2
    assert Product.objects.get(pk=pizza.pk).stock == 48


def test_paid_cancelled_and_accepted_orders_do_not_count_as_holds(customer, other_customer, customer_api, settings):
    settings.MAX_OPEN_ORDERS = 1
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    paid = place(customer, pizza)
    payment_set_status(payment_id=payment_create(user=customer, order_id=paid.pk, method="card").pk, status="completed")
    cancelled = place(customer, pizza)
    customer_api.post(f"/api/v1/orders/{cancelled.pk}/cancel")
    accepted = place(customer, pizza)
    Order.objects.filter(pk=accepted.pk).update(status="preparing")
    place(other_customer, pizza)  # another customer's hold is theirs

    assert customer_api.post("/api/v1/orders", order_body((pizza, 1)), format="json").status_code == 201
    assert customer_api.post("/api/v1/orders", order_body((pizza, 1)), format="json").status_code == 409
