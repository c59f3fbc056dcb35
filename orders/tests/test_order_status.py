"""The order status flow, cancelling, and the notification each change writes."""

from decimal import Decimal

import pytest
from model_bakery import baker

from orders.models import Order
from orders.services import order_place
from products.models import Product
from shop.models import Activity, Notification

ALL = [s.value for s in Order.Status]
ALLOWED = {
    ("pending", "preparing"),
    ("pending", "cancelled"),
    ("preparing", "out-for-delivery"),
    ("preparing", "cancelled"),
    ("out-for-delivery", "delivered"),
}
FORBIDDEN = [(a, b) for a in ALL for b in ALL if (a, b) not in ALLOWED]


@pytest.fixture
def placed(customer):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
    order = order_place(
        user=customer, items=[{"product_id": pizza.pk, "quantity": 4}], delivery_address="x", payment_method="cash"
    )
    return order, pizza


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
@pytest.mark.parametrize(
    "body", [{"status": "shipped"}, {"status": ""}, {}, {"status": "preparing", "x": 1}, {"status": 3}]
)
def test_an_invalid_status_value_is_400(staff_api, placed, body):
    order, _ = placed
    response = staff_api.patch(f"/api/v1/orders/{order.pk}/status", body, format="json")
    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == "pending"


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
