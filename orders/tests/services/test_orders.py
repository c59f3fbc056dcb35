"""Writes of orders (orders/services/orders.py).

Placing (POST /api/v1/orders): priced on the server, all or nothing. The status flow, cancelling, and the
notification each change writes. Holds on stock: unpaid pending orders expire after ORDER_HOLD_MINUTES
(beat), at most MAX_OPEN_ORDERS each. Money states: a paid order isn't cancelled by its customer; staff
cancelling it refund the payment.

Input validation: test_serializers.py; pricing rules: test_pricing.py; cache clearing: test_cache_families.py;
races: test_orders_concurrency.py."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon, Order, OrderItem, Payment
from orders.services import order_holds_expire, order_place, payment_create, payment_set_status
from orders.tasks import order_holds_expire as order_holds_expire_task
from orders.tests.helpers import order_body, revenue_today
from products.models import Product
from shop.models import Activity, Notification

URL = "/api/v1/orders"


# --- placing ---------------------------------------------------------------------------------------
def place(client, body):
    return client.post(URL, body, format="json")


@pytest.mark.django_db
def test_prices_discount_fee_and_tax_come_from_the_database(customer_api, customer):
    baker.make_recipe("shop.business", delivery_fee=Decimal("3.50"), tax_rate=Decimal("8.00"))
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("12.50"), stock=5)
    soda = baker.make_recipe("products.product", name="Soda", price=Decimal("1.99"), stock=10)
    baker.make_recipe("orders.coupon", code="SAVE10", discount_type="percent", value=Decimal("10.00"))
    response = place(customer_api, order_body((pizza, 2), (soda, 3), coupon_code="save10"))

    assert response.status_code == 201, response.json()
    order = response.json()["data"]["order"]
    # subtotal 25.00 + 5.97 = 30.97; discount 10% = 3.097 → 3.10; tax 8% of 27.87 = 2.2296 → 2.23
    assert order["subtotal"] == "30.97"
    assert order["discount"] == "3.10"
    assert order["delivery_fee"] == "3.50"
    assert order["tax"] == "2.23"
    assert order["total"] == "33.60"
    assert order["coupon_code"] == "SAVE10"
    assert order["user_id"] == customer.pk
    assert order["status"] == "pending" and order["payment_status"] == "unpaid"
    assert order["number"].startswith("ORD-")
    assert [(i["name"], i["unit_price"], i["quantity"], i["line_total"]) for i in order["items"]] == [
        ("Pizza", "12.50", 2, "25.00"),
        ("Soda", "1.99", 3, "5.97"),
    ]
    assert Product.objects.get(pk=pizza.pk).stock == 3
    assert Product.objects.get(pk=soda.pk).stock == 7
    assert Coupon.objects.get(code="SAVE10").used_count == 1
    assert Activity.objects.filter(action="order.placed").count() == 1


@pytest.mark.django_db
def test_without_a_business_row_there_is_no_fee_and_no_tax(customer_api):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("9.99"), stock=5)
    order = place(customer_api, order_body((pizza, 1))).json()["data"]["order"]
    assert (order["delivery_fee"], order["tax"], order["total"]) == ("0.00", "0.00", "9.99")


@pytest.mark.django_db
def test_duplicate_lines_of_one_product_are_merged(customer_api):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    order = place(customer_api, order_body((pizza, 2), (pizza, 3))).json()["data"]["order"]
    assert [(i["product_id"], i["quantity"], i["line_total"]) for i in order["items"]] == [(pizza.pk, 5, "50.00")]
    assert Product.objects.get(pk=pizza.pk).stock == 0


@pytest.mark.django_db
def test_second_item_short_writes_nothing_and_leaves_the_first_items_stock(customer_api):
    plenty = baker.make_recipe("products.product", name="Plenty", price=Decimal("1.00"), stock=50)
    scarce = baker.make_recipe("products.product", name="Scarce", price=Decimal("1.00"), stock=1)
    coupon = baker.make_recipe("orders.coupon", code="ONE", discount_type="fixed", value=Decimal("1.00"))
    response = place(customer_api, order_body((plenty, 5), (scarce, 2), coupon_code="ONE"))

    assert response.status_code == 409
    assert response.json()["message"] == "Insufficient stock for Scarce"
    assert Product.objects.get(pk=plenty.pk).stock == 50
    assert Product.objects.get(pk=scarce.pk).stock == 1
    assert (Order.objects.count(), OrderItem.objects.count()) == (0, 0)
    coupon.refresh_from_db()
    assert coupon.used_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("make_missing", ["unknown", "inactive"])
def test_unknown_or_inactive_product_is_409_with_nothing_written(customer_api, make_missing):
    good = baker.make_recipe("products.product", name="Good", price=Decimal("1.00"), stock=10)
    missing_id = (
        999_999
        if make_missing == "unknown"
        else baker.make_recipe("products.product", name="Gone", price=Decimal("1.00"), stock=10, is_active=False).pk
    )
    response = customer_api.post(
        URL,
        {
            "items": [{"product_id": good.pk, "quantity": 1}, {"product_id": missing_id, "quantity": 1}],
            "delivery_address": "x",
            "payment_method": "cash",
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["message"] == f"Product {missing_id} is not available"
    assert Product.objects.get(pk=good.pk).stock == 10
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_a_closed_store_takes_no_orders(customer_api):
    baker.make_recipe("shop.business", is_open=False)
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    response = place(customer_api, order_body((pizza, 1)))
    assert response.status_code == 409
    assert "closed" in response.json()["message"]
    assert Product.objects.get(pk=pizza.pk).stock == 5


@pytest.mark.django_db
def test_below_the_minimum_order_amount_is_400(customer_api):
    baker.make_recipe("shop.business", min_order_amount=Decimal("20.00"))
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    response = place(customer_api, order_body((pizza, 1)))
    assert response.status_code == 400
    assert "minimum order is 20.00" in response.json()["message"]
    assert Product.objects.get(pk=pizza.pk).stock == 5
    assert Order.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "coupon_fields, status, message",
    [
        ({"is_active": False}, 400, "Coupon is not valid"),
        ({"usage_limit": 1, "used_count": 1}, 409, "Coupon has been used up"),
        ({"min_order_amount": Decimal("100.00")}, 409, "Coupon needs an order subtotal of at least 100.00"),
    ],
)
def test_a_coupon_that_cannot_be_used_refuses_the_order(customer_api, coupon_fields, status, message):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    baker.make_recipe("orders.coupon", code="NOPE", **coupon_fields)
    response = place(customer_api, order_body((pizza, 1), coupon_code="NOPE"))
    assert (response.status_code, response.json()["message"]) == (status, message)
    assert Product.objects.get(pk=pizza.pk).stock == 5
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_an_expired_coupon_refuses_the_order(customer_api):
    from datetime import timedelta

    from django.utils import timezone

    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    now = timezone.now()
    baker.make_recipe(
        "orders.coupon", code="OLD", valid_from=now - timedelta(days=10), valid_until=now - timedelta(seconds=1)
    )
    response = place(customer_api, order_body((pizza, 1), coupon_code="OLD"))
    assert (response.status_code, response.json()["message"]) == (400, "Coupon is not valid")


@pytest.mark.django_db
def test_an_unknown_coupon_code_is_400(customer_api):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    response = place(customer_api, order_body((pizza, 1), coupon_code="NOSUCH"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"coupon_code": ["Coupon is not valid."]}
    assert Product.objects.get(pk=pizza.pk).stock == 5
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_the_placed_order_is_rendered_without_a_query_after_commit(customer, django_assert_num_queries):
    """A connection lost right after the commit must not turn a placed order into an error answer."""
    from orders.serializers import OrderOutput
    from orders.services import order_place

    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("12.50"), stock=5)

    soda = baker.make_recipe("products.product", name="Soda", price=Decimal("1.99"), stock=10)
    order = order_place(
        user=customer,
        items=[{"product_id": pizza.pk, "quantity": 1}, {"product_id": soda.pk, "quantity": 2}],
        delivery_address="1 Main St",
        payment_method="cash",
    )
    with django_assert_num_queries(0):
        rendered = OrderOutput(order).data
    assert [(i["name"], i["quantity"]) for i in rendered["items"]] == [("Pizza", 1), ("Soda", 2)]


@pytest.mark.django_db
def test_a_placement_with_two_lines_and_a_coupon_runs_these_statements(customer):
    """The statement budget of one placement (the test's own transaction adds the savepoint pair)."""
    baker.make_recipe("shop.business")
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.services import order_place

    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("12.50"), stock=5)

    soda = baker.make_recipe("products.product", name="Soda", price=Decimal("1.99"), stock=10)
    baker.make_recipe("orders.coupon", code="SAVE10")
    with CaptureQueriesContext(connection) as queries:
        order_place(
            user=customer,
            items=[{"product_id": pizza.pk, "quantity": 1}, {"product_id": soda.pk, "quantity": 2}],
            coupon_code="SAVE10",
            delivery_address="1 Main St",
            payment_method="cash",
        )

    def kind(sql: str) -> str:
        verb = sql.split()[0]
        table = re.search(r'(?:FROM|UPDATE|INTO) "(\w+)"', sql)
        return f"{verb} {table.group(1) if table else ''}".strip() + (
            " FOR UPDATE" if "FOR NO KEY UPDATE" in sql else ""
        )

    assert [kind(q["sql"]) for q in queries.captured_queries] == [
        "SELECT shop_business",
        "SAVEPOINT",
        "SELECT shop_user FOR UPDATE",  # one customer's placements in turn (holds, per-customer coupon uses)
        "SELECT orders_order",  # their holds, against MAX_OPEN_ORDERS
        "UPDATE products_product",  # stock, guarded, in product id order
        "UPDATE products_product",
        "SELECT products_product",  # prices, under the rows' locks
        "UPDATE orders_coupon",  # one use, guarded by the rule in the WHERE clause
        "SELECT orders_coupon",
        "INSERT orders_ordernumbersequence",  # the day's next number
        "INSERT orders_order",
        "INSERT orders_orderitem",
        "INSERT shop_activity",
        "RELEASE",
    ]


# --- the status flow -------------------------------------------------------------------------------
ALL = [s.value for s in Order.Status]
ALLOWED = {
    ("pending", "preparing"),
    ("pending", "cancelled"),
    ("preparing", "out-for-delivery"),
    ("preparing", "cancelled"),
    ("out-for-delivery", "delivered"),
}
FORBIDDEN = [(a, b) for a in ALL for b in ALL if (a, b) not in ALLOWED]


def set_status(client, order, status):
    return client.patch(f"/api/v1/orders/{order.pk}/status", {"status": status}, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("start, target", sorted(ALLOWED))
def test_every_allowed_transition_applies_and_notifies_the_customer(staff_api, placed, customer, start, target):
    order, pizza = placed
    Order.objects.filter(pk=order.pk).update(status=start)
    response = set_status(staff_api, order, target)

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["order"]["status"] == target
    notification = Notification.objects.get(order=order)
    assert notification.user == customer
    assert order.number in notification.title
    assert Activity.objects.filter(action__in=["order.status_changed", "order.cancelled"]).count() == 1
    expected_stock = 10 if target == "cancelled" else 6
    assert Product.objects.get(pk=pizza.pk).stock == expected_stock


@pytest.mark.django_db
@pytest.mark.parametrize("start, target", FORBIDDEN)
def test_every_other_transition_is_409_and_changes_nothing(staff_api, placed, start, target):
    order, pizza = placed
    Order.objects.filter(pk=order.pk).update(status=start)
    response = set_status(staff_api, order, target)

    assert response.status_code == 409
    assert response.json()["success"] is False
    assert Order.objects.get(pk=order.pk).status == start
    assert Notification.objects.count() == 0
    assert Product.objects.get(pk=pizza.pk).stock == 6


@pytest.mark.django_db
def test_the_full_flow_in_order(staff_api, placed):
    order, _ = placed
    for status in ["preparing", "out-for-delivery", "delivered"]:
        assert set_status(staff_api, order, status).status_code == 200
    assert Notification.objects.filter(order=order).count() == 3


@pytest.mark.django_db
def test_the_owner_cancels_a_pending_order_and_gets_the_stock_back(customer_api, placed):
    order, pizza = placed
    response = customer_api.post(f"/api/v1/orders/{order.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["data"]["order"]["status"] == "cancelled"
    assert Product.objects.get(pk=pizza.pk).stock == 10
    assert Notification.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_the_owner_cannot_cancel_once_preparing(customer_api, placed):
    order, pizza = placed
    Order.objects.filter(pk=order.pk).update(status="preparing")
    response = customer_api.post(f"/api/v1/orders/{order.pk}/cancel")
    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).status == "preparing"
    assert Product.objects.get(pk=pizza.pk).stock == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, expected",
    [("pending", 200), ("preparing", 200), ("out-for-delivery", 409), ("delivered", 409), ("cancelled", 409)],
)
def test_an_admin_cancels_while_pending_or_preparing(staff_api, placed, start, expected):
    order, pizza = placed
    Order.objects.filter(pk=order.pk).update(status=start)
    assert staff_api.post(f"/api/v1/orders/{order.pk}/cancel").status_code == expected
    assert Product.objects.get(pk=pizza.pk).stock == (10 if expected == 200 else 6)


@pytest.mark.django_db
def test_cancelling_twice_restocks_once(staff_api, placed):
    order, pizza = placed
    assert staff_api.post(f"/api/v1/orders/{order.pk}/cancel").status_code == 200
    assert staff_api.post(f"/api/v1/orders/{order.pk}/cancel").status_code == 409
    assert Product.objects.get(pk=pizza.pk).stock == 10


@pytest.mark.django_db
def test_cancel_restocks_a_product_deleted_since_without_failing(staff_api, placed):
    order, pizza = placed
    other = baker.make_recipe("products.product", price=Decimal("1.00"), stock=1)
    pizza.delete()
    assert staff_api.post(f"/api/v1/orders/{order.pk}/cancel").status_code == 200
    assert Product.objects.get(pk=other.pk).stock == 1


@pytest.mark.django_db
def test_a_failing_notification_rolls_the_status_change_back(staff_api, placed, monkeypatch):
    """The notification row is written in the same transaction as the status change."""
    from django.db import DatabaseError

    from orders.services import orders as order_services

    order, _ = placed

    def broken(**kwargs):
        raise DatabaseError("notification table unavailable")

    monkeypatch.setattr(order_services, "notification_create", broken)
    response = set_status(staff_api, order, "preparing")
    assert response.status_code == 500
    assert "notification table" not in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "pending"


# --- holds: expiry ---------------------------------------------------------------------------------
def order_for(user, product, quantity=1, **extra):
    return order_place(
        user=user,
        items=[{"product_id": product.pk, "quantity": quantity}],
        delivery_address="1 Main Street",
        payment_method="card",
        **extra,
    )


def age(order, minutes):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


@pytest.mark.django_db
def test_an_unpaid_pending_order_past_the_hold_is_cancelled_with_its_stock_and_coupon_use_back(
    customer, settings, django_capture_on_commit_callbacks
):
    settings.ORDER_HOLD_MINUTES = 30
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
    coupon = baker.make_recipe(
        "orders.coupon", code="ONCE", discount_type="fixed", value=Decimal("1.00"), per_customer_limit=1, usage_limit=10
    )
    order = order_for(customer, pizza, 4, coupon_code="ONCE")
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
    again = order_for(customer, pizza, 1, coupon_code="ONCE")
    assert again.coupon_id == coupon.pk, "the customer's once-only use came back with the cancellation"


@pytest.mark.django_db
def test_holds_younger_than_the_limit_and_orders_that_are_paid_or_moving_are_kept(customer, settings):
    settings.ORDER_HOLD_MINUTES = 30
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    young = order_for(customer, pizza)
    age(young, 29)
    paid = order_for(customer, pizza)
    payment = payment_create(user=customer, order_id=paid.pk, method="card")
    payment_set_status(payment_id=payment.pk, status="completed")
    preparing = order_for(customer, pizza)
    Order.objects.filter(pk=preparing.pk).update(status="preparing")
    for order in (paid, preparing):
        age(order, 120)

    assert order_holds_expire() == 0
    assert sorted(Order.objects.values_list("status", flat=True)) == ["pending", "pending", "preparing"]
    assert Product.objects.get(pk=pizza.pk).stock == 47


@pytest.mark.django_db
def test_the_hold_follows_the_setting(customer, settings):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    order = order_for(customer, pizza)
    age(order, 6)
    settings.ORDER_HOLD_MINUTES = 10
    assert order_holds_expire() == 0
    settings.ORDER_HOLD_MINUTES = 5
    assert order_holds_expire() == 1
    assert Order.objects.get(pk=order.pk).status == "cancelled"


@pytest.mark.django_db
def test_a_payment_completing_after_the_hold_expired_makes_a_refund_due(customer, settings):
    settings.ORDER_HOLD_MINUTES = 30
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
    order = order_for(customer, pizza)
    payment = payment_create(user=customer, order_id=order.pk, method="card")
    age(order, 45)
    assert order_holds_expire() == 1

    payment_set_status(transaction_ref=payment.transaction_ref, status="completed")

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "refund_due")


# --- holds: MAX_OPEN_ORDERS ------------------------------------------------------------------------
@pytest.mark.django_db
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


@pytest.mark.django_db
def test_paid_cancelled_and_accepted_orders_do_not_count_as_holds(customer, other_customer, customer_api, settings):
    settings.MAX_OPEN_ORDERS = 1
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    paid = order_for(customer, pizza)
    payment_set_status(payment_id=payment_create(user=customer, order_id=paid.pk, method="card").pk, status="completed")
    cancelled = order_for(customer, pizza)
    customer_api.post(f"/api/v1/orders/{cancelled.pk}/cancel")
    accepted = order_for(customer, pizza)
    Order.objects.filter(pk=accepted.pk).update(status="preparing")
    order_for(other_customer, pizza)  # another customer's hold is theirs

    assert customer_api.post("/api/v1/orders", order_body((pizza, 1)), format="json").status_code == 201
    assert customer_api.post("/api/v1/orders", order_body((pizza, 1)), format="json").status_code == 409


# --- money states ----------------------------------------------------------------------------------
@pytest.fixture
def paid(customer, order):
    payment = payment_create(user=customer, order_id=order.pk, method="card")
    payment_set_status(payment_id=payment.pk, status="completed")
    return order, payment


@pytest.mark.django_db
def test_the_customer_cannot_cancel_a_paid_order(customer_api, paid, pizza):
    order, payment = paid

    response = customer_api.post(f"/api/v1/orders/{order.pk}/cancel")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["message"] == "This order is paid; ask the store to cancel it and refund the payment"
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("pending", "paid")
    assert Payment.objects.get(pk=payment.pk).status == "completed"
    assert Product.objects.get(pk=pizza.pk).stock == 8


@pytest.mark.django_db
def test_the_customer_still_cancels_an_unpaid_order_with_a_pending_payment(customer_api, customer, order):
    payment_create(user=customer, order_id=order.pk, method="card")
    response = customer_api.post(f"/api/v1/orders/{order.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["data"]["order"]["payment_status"] == "unpaid"


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["cancel", "status"])
def test_staff_cancelling_a_paid_order_refund_its_payment(staff_api, paid, pizza, how):
    order, payment = paid
    assert revenue_today() == "25.00"

    if how == "cancel":
        response = staff_api.post(f"/api/v1/orders/{order.pk}/cancel")
    else:
        response = staff_api.patch(f"/api/v1/orders/{order.pk}/status", {"status": "cancelled"}, format="json")

    assert response.status_code == 200
    assert (response.json()["data"]["order"]["status"], response.json()["data"]["order"]["payment_status"]) == (
        "cancelled",
        "refunded",
    )
    assert Payment.objects.get(pk=payment.pk).status == "refunded"
    assert Product.objects.get(pk=pizza.pk).stock == 10
    assert Activity.objects.filter(action="payment.refunded", description__contains=payment.transaction_ref).exists()
    assert revenue_today() == "0.00", "revenue is the completed payments; a refunded one no longer counts"
