"""The payment provider's webhook: `X-Signature: sha256=<HMAC-SHA256 of the raw body>` (orders/webhooks.py),
checked before anything is parsed; a missing or wrong signature is 401 and changes nothing.

What a signed webhook does to a payment: services/test_payments.py."""

import json

import pytest
from django.conf import settings

from orders.models import Order, Payment
from orders.tests.helpers import WEBHOOK, signed_post
from orders.webhooks import webhook_signature

pytestmark = pytest.mark.django_db


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


def test_the_signature_covers_the_raw_bytes(anon_api, payment):
    """Re-serialising the same JSON differently (spaces) breaks the signature: the raw body is what counts."""
    body = json.dumps({"transaction_ref": payment.transaction_ref, "status": "completed"})
    signature = webhook_signature(body=body.encode(), secret=settings.PAYMENT_WEBHOOK_SECRET)
    respaced = body.replace(": ", ":")
    response = anon_api.generic("POST", WEBHOOK, respaced, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 401
    response = anon_api.generic("POST", WEBHOOK, body, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 200


def test_webhook_with_no_configured_secret_accepts_nothing(anon_api, payment, settings):
    body = json.dumps({"transaction_ref": payment.transaction_ref, "status": "completed"}).encode()
    signature = webhook_signature(body=body, secret="")
    settings.PAYMENT_WEBHOOK_SECRET = ""
    response = anon_api.generic("POST", WEBHOOK, body, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body", [b"{not json", b"[]", b'{"transaction_ref": "x"}', b'{"transaction_ref": "x", "status": "paid"}']
)
def test_a_signed_but_malformed_webhook_is_400(anon_api, body):
    signature = webhook_signature(body=body, secret=settings.PAYMENT_WEBHOOK_SECRET)
    response = anon_api.generic("POST", WEBHOOK, body, content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 400
    assert response.json()["success"] is False


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
