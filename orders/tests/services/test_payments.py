"""Writes of payments (orders/services/payments.py): creation by the order's owner, the admin status
change, the signed webhook's; a payment completing for a cancelled order makes a refund due. Revenue is the
completed payments.

The webhook's signature: test_webhooks.py."""

import json

import pytest
from django.conf import settings

from orders.models import Order, Payment
from orders.services import order_cancel, payment_create
from orders.tests.helpers import revenue_today, signed_post
from orders.webhooks import webhook_signature
from shop.models import Activity


# --- creating --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_owner_starts_a_pending_payment_for_the_order_total(customer_api, order):
    response = customer_api.post("/api/v1/payments", {"order_id": order.pk, "method": "card"}, format="json")
    assert response.status_code == 201
    payment = response.json()["data"]["payment"]
    assert set(payment) == {
        "id",
        "order_id",
        "amount",
        "method",
        "status",
        "transaction_ref",
        "created_at",
        "completed_at",
    }
    assert (payment["order_id"], payment["amount"], payment["status"]) == (order.pk, "25.00", "pending")
    assert payment["transaction_ref"].startswith("pay_") and payment["completed_at"] is None
    assert Activity.objects.filter(action="payment.created").exists()


@pytest.mark.django_db
def test_transaction_refs_are_unique(customer_api, order, staff_api):
    refs = set()
    for _ in range(5):
        created = customer_api.post("/api/v1/payments", {"order_id": order.pk, "method": "card"}, format="json")
        payment = created.json()["data"]["payment"]
        refs.add(payment["transaction_ref"])
        staff_api.patch(f"/api/v1/payments/{payment['id']}", {"status": "failed"}, format="json")
    assert len(refs) == 5


@pytest.mark.django_db
def test_a_second_payment_while_one_is_pending_is_409(customer_api, payment, order):
    response = customer_api.post("/api/v1/payments", {"order_id": order.pk, "method": "cash"}, format="json")
    assert response.status_code == 409
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_another_customers_order_is_not_found(other_api, order):
    response = other_api.post("/api/v1/payments", {"order_id": order.pk, "method": "card"}, format="json")
    assert response.status_code == 404
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_cancelled_order_cannot_be_paid(customer_api, order):
    Order.objects.filter(pk=order.pk).update(status="cancelled")
    response = customer_api.post("/api/v1/payments", {"order_id": order.pk, "method": "card"}, format="json")
    assert response.status_code == 409
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_paid_order_cannot_be_paid_again(customer_api, order):
    Order.objects.filter(pk=order.pk).update(payment_status="paid")
    response = customer_api.post("/api/v1/payments", {"order_id": order.pk, "method": "card"}, format="json")
    assert response.status_code == 409


# --- admin PATCH -----------------------------------------------------------------------------------
ALLOWED = {("pending", "completed"), ("pending", "failed"), ("completed", "refunded")}
STATUSES = [s.value for s in Payment.Status]


@pytest.mark.django_db
@pytest.mark.parametrize("start, target", [(a, b) for a in STATUSES for b in STATUSES])
def test_admin_payment_status_changes(staff_api, payment, order, start, target):
    Payment.objects.filter(pk=payment.pk).update(status=start)
    response = staff_api.patch(f"/api/v1/payments/{payment.pk}", {"status": target}, format="json")
    if (start, target) in ALLOWED:
        assert response.status_code == 200
        expected_order_status = {"completed": "paid", "refunded": "refunded", "failed": "unpaid"}[target]
        assert Order.objects.get(pk=order.pk).payment_status == expected_order_status
    elif start == target:
        assert response.status_code == 200, "asking for the current status changes nothing"
        assert response.json()["message"] == "Payment already had this status"
    else:
        assert response.status_code == 409
        assert Payment.objects.get(pk=payment.pk).status == start
        assert Order.objects.get(pk=order.pk).payment_status == "unpaid"


@pytest.mark.django_db
def test_completing_sets_completed_at(staff_api, payment):
    data = staff_api.patch(f"/api/v1/payments/{payment.pk}", {"status": "completed"}, format="json").json()["data"]
    assert data["payment"]["completed_at"] is not None
    assert Activity.objects.filter(action="payment.completed").count() == 1


@pytest.mark.django_db
def test_unknown_payment_is_404(staff_api):
    assert staff_api.patch("/api/v1/payments/999999", {"status": "completed"}, format="json").status_code == 404


# --- webhook ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_signed_webhook_completes_the_payment(anon_api, payment, order):
    response = signed_post(
        anon_api,
        {"transaction_ref": payment.transaction_ref, "status": "completed"},
        secret=settings.PAYMENT_WEBHOOK_SECRET,
    )
    assert response.status_code == 200, response.json()
    payment.refresh_from_db()
    assert payment.status == "completed" and payment.completed_at is not None
    assert Order.objects.get(pk=order.pk).payment_status == "paid"


@pytest.mark.django_db
def test_a_repeated_webhook_is_200_without_a_second_effect(anon_api, payment):
    payload = {"transaction_ref": payment.transaction_ref, "status": "completed"}
    first = signed_post(anon_api, payload, secret=settings.PAYMENT_WEBHOOK_SECRET)
    completed_at = Payment.objects.get(pk=payment.pk).completed_at
    second = signed_post(anon_api, payload, secret=settings.PAYMENT_WEBHOOK_SECRET)

    assert (first.status_code, second.status_code) == (200, 200)
    assert Payment.objects.get(pk=payment.pk).completed_at == completed_at
    assert Activity.objects.filter(action="payment.completed").count() == 1


@pytest.mark.django_db
def test_a_webhook_refund_marks_the_order_refunded(anon_api, payment, order):
    for status in ["completed", "refunded"]:
        signed_post(
            anon_api,
            {"transaction_ref": payment.transaction_ref, "status": status},
            secret=settings.PAYMENT_WEBHOOK_SECRET,
        )
    assert Order.objects.get(pk=order.pk).payment_status == "refunded"


@pytest.mark.django_db
def test_an_impossible_webhook_transition_is_409(anon_api, payment):
    Payment.objects.filter(pk=payment.pk).update(status="failed")
    response = signed_post(
        anon_api,
        {"transaction_ref": payment.transaction_ref, "status": "completed"},
        secret=settings.PAYMENT_WEBHOOK_SECRET,
    )
    assert response.status_code == 409
    assert Payment.objects.get(pk=payment.pk).status == "failed"


@pytest.mark.django_db
def test_a_webhook_for_an_unknown_ref_is_404(anon_api):
    response = signed_post(
        anon_api, {"transaction_ref": "pay_nope", "status": "completed"}, secret=settings.PAYMENT_WEBHOOK_SECRET
    )
    assert response.status_code == 404


# --- money states: a payment completing for a cancelled order --------------------------------------
@pytest.mark.django_db
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


@pytest.mark.django_db
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
