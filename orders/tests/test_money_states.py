"""Money states: a paid order isn't cancelled by its customer; staff cancelling it refund the payment;
a payment completing for a cancelled order makes a refund due. Revenue is the completed payments."""

import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from model_bakery import baker

from orders.models import Order, Payment
from orders.services import order_cancel, order_place, payment_create, payment_set_status
from orders.webhooks import webhook_signature
from products.models import Product
from shop.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def pizza(db):
    return baker.make_recipe("products.product", name="Pizza", price=Decimal("12.50"), stock=10)


@pytest.fixture
def order(customer, pizza):
    return order_place(
        user=customer, items=[{"product_id": pizza.pk, "quantity": 2}], delivery_address="x", payment_method="card"
    )


@pytest.fixture
def paid(customer, order):
    payment = payment_create(user=customer, order_id=order.pk, method="card")
    payment_set_status(payment_id=payment.pk, status="completed")
    return order, payment


def revenue_today() -> str:
    from dashboard.selectors import dashboard_stats_load

    return dashboard_stats_load(now=timezone.now())["todayRevenue"]


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


def test_the_customer_still_cancels_an_unpaid_order_with_a_pending_payment(customer_api, customer, order):
    payment_create(user=customer, order_id=order.pk, method="card")
    response = customer_api.post(f"/api/v1/orders/{order.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["data"]["order"]["payment_status"] == "unpaid"


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


def test_a_webhook_completing_a_payment_of_a_cancelled_order_makes_a_refund_due(anon_api, customer, order):
    payment = payment_create(user=customer, order_id=order.pk, method="card")
    order_cancel(order_id=order.pk, user=customer)
    body = json.dumps({"transaction_ref": payment.transaction_ref, "status": "completed"}).encode()
    signature = webhook_signature(body=body, secret=settings.PAYMENT_WEBHOOK_SECRET)

    response = anon_api.generic(
        "POST", "/api/v1/payments/webhook", body, content_type="application/json", HTTP_X_SIGNATURE=signature
    )

    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "refund_due")
    assert Payment.objects.get(pk=payment.pk).status == "completed"
    assert revenue_today() == "25.00", "money taken is revenue until it is refunded"
    assert Activity.objects.filter(action="payment.completed", description__contains="refund due").exists()


def test_an_admin_completing_then_refunding_a_cancelled_orders_payment(staff_api, customer, order):
    payment = payment_create(user=customer, order_id=order.pk, method="card")
    staff_api.post(f"/api/v1/orders/{order.pk}/cancel")

    completed = staff_api.patch(f"/api/v1/payments/{payment.pk}", {"status": "completed"}, format="json")
    assert completed.status_code == 200
    assert Order.objects.get(pk=order.pk).payment_status == "refund_due"

    refunded = staff_api.patch(f"/api/v1/payments/{payment.pk}", {"status": "refunded"}, format="json")
    assert refunded.status_code == 200
    assert Order.objects.get(pk=order.pk).payment_status == "refunded"
    assert revenue_today() == "0.00"


def test_refund_due_is_shown_and_filterable_in_the_admin_order_list(admin_client, customer, order):
    soda = baker.make_recipe("products.product", name="Soda", price=Decimal("2.00"), stock=5)
    other = order_place(
        user=customer,
        items=[{"product_id": soda.pk, "quantity": 1}],
        delivery_address="x",
        payment_method="card",
    )
    Order.objects.filter(pk=order.pk).update(status="cancelled", payment_status="refund_due")

    page = admin_client.get("/admin/orders/order/", {"payment_status__exact": "refund_due"})

    assert page.status_code == 200
    html = page.content.decode()
    assert order.number in html and other.number not in html
    assert "Refund due" in html
