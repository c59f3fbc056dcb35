"""Payments: creation by the order's owner, the admin status change, the signed webhook."""

import json
from decimal import Decimal

import pytest
from django.conf import settings
from model_bakery import baker

from orders.models import Order, Payment
from orders.services import order_place
from orders.webhooks import webhook_signature
from shop.models import Activity

WEBHOOK = "/api/v1/payments/webhook"


@pytest.fixture
def order(customer):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("12.50"), stock=10)
    return order_place(
        user=customer, items=[{"product_id": pizza.pk, "quantity": 2}], delivery_address="x", payment_method="card"
    )


@pytest.fixture
def payment(customer_api, order):
    response = customer_api.post("/api/v1/payments", {"order_id": order.pk, "method": "card"}, format="json")
    assert response.status_code == 201, response.json()
    return Payment.objects.get(pk=response.json()["data"]["payment"]["id"])


def signed_post(client, payload, *, secret=None, signature=None):
    body = json.dumps(payload).encode()
    headers = {}
    if signature is not None or secret is not None:
        headers["HTTP_X_SIGNATURE"] = signature or webhook_signature(body=body, secret=secret)
    return client.generic("POST", WEBHOOK, body, content_type="application/json", **headers)


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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"order_id": "1", "method": "card"},
        {"order_id": 1, "method": "gold"},
        {"order_id": 1, "method": "card", "amount": "0.01"},
    ],
)
def test_bad_payment_input_is_400(customer_api, order, body):
    assert customer_api.post("/api/v1/payments", body, format="json").status_code == 400
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_listing_shows_own_payments_and_admins_see_all(customer_api, other_api, staff_api, payment):
    assert customer_api.get("/api/v1/payments").json()["data"]["count"] == 1
    assert other_api.get("/api/v1/payments").json()["data"]["count"] == 0
    data = staff_api.get("/api/v1/payments").json()["data"]
    assert (data["count"], data["page"], data["pages"], data["payments"][0]["id"]) == (1, 1, 1, payment.pk)


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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "how",
    ["missing header", "wrong secret", "not hex", "no prefix", "signature of another body", "empty"],
)
def test_a_badly_signed_webhook_is_401_and_changes_nothing(anon_api, payment, order, how):
    payload = {"transaction_ref": payment.transaction_ref, "status": "completed"}
    secret = settings.PAYMENT_WEBHOOK_SECRET
    other_body = json.dumps({**payload, "status": "failed"}).encode()
    signature = {
        "missing header": None,
        "wrong secret": webhook_signature(body=json.dumps(payload).encode(), secret="not-the-secret"),
        "not hex": "sha256=zzzz",
        "no prefix": webhook_signature(body=json.dumps(payload).encode(), secret=secret).removeprefix("sha256="),
        "signature of another body": webhook_signature(body=other_body, secret=secret),
        "empty": "",
    }[how]
    if how == "empty":
        response = anon_api.generic(
            "POST", WEBHOOK, json.dumps(payload), content_type="application/json", HTTP_X_SIGNATURE=""
        )
    else:
        response = signed_post(anon_api, payload, signature=signature)

    assert response.status_code == 401
    assert response.json()["success"] is False
    assert Payment.objects.get(pk=payment.pk).status == "pending"
    assert Order.objects.get(pk=order.pk).payment_status == "unpaid"


@pytest.mark.django_db
def test_the_signature_covers_the_raw_bytes(anon_api, payment):
    """Re-serialising the same JSON differently (spaces) breaks the signature: the raw body is what counts."""
    body = json.dumps({"transaction_ref": payment.transaction_ref, "status": "completed"})
    signature = webhook_signature(body=body.encode(), secret=settings.PAYMENT_WEBHOOK_SECRET)
    respaced = body.replace(": ", ":")
    response = anon_api.generic("POST", WEBHOOK, respaced, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 401
    response = anon_api.generic("POST", WEBHOOK, body, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 200


@pytest.mark.django_db
def test_webhook_with_no_configured_secret_accepts_nothing(anon_api, payment, settings):
    body = json.dumps({"transaction_ref": payment.transaction_ref, "status": "completed"}).encode()
    signature = webhook_signature(body=body, secret="")
    settings.PAYMENT_WEBHOOK_SECRET = ""
    response = anon_api.generic("POST", WEBHOOK, body, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [b"{not json", b"[]", b'{"transaction_ref": "x"}', b'{"transaction_ref": "x", "status": "paid"}']
)
def test_a_signed_but_malformed_webhook_is_400(anon_api, body):
    signature = webhook_signature(body=body, secret=settings.PAYMENT_WEBHOOK_SECRET)
    response = anon_api.generic("POST", WEBHOOK, body, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 400
    assert response.json()["success"] is False


@pytest.mark.django_db
def test_the_webhook_ignores_session_csrf(payment, customer):
    """A browser session on the same host does not turn on CSRF checks for the provider's calls."""
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(customer)
    response = signed_post(
        client,
        {"transaction_ref": payment.transaction_ref, "status": "completed"},
        secret=settings.PAYMENT_WEBHOOK_SECRET,
    )
    assert response.status_code == 200
