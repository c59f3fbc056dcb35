"""Plain helpers of the orders tests (functions, not fixtures): request bodies, signed webhooks, revenue."""

import json

from django.utils import timezone

from orders.webhooks import webhook_signature


def order_body(*lines, **extra) -> dict:
    """lines: (product, quantity) pairs."""
    body = {
        "items": [{"product_id": p.pk, "quantity": q} for p, q in lines],
        "delivery_address": "1 Main Street",
        "payment_method": "card",
    }
    body.update(extra)
    return body


WEBHOOK = "/api/v1/payments/webhook"


def signed_post(client, payload, *, secret=None, signature=None):
    body = json.dumps(payload).encode()
    headers = {}
    if signature is not None or secret is not None:
        headers["HTTP_X_SIGNATURE"] = signature or webhook_signature(body=body, secret=secret)
    return client.generic("POST", WEBHOOK, body, content_type="application/json", **headers)


def revenue_today() -> str:
    from dashboard.selectors import dashboard_stats_load

    return dashboard_stats_load(now=timezone.now())["todayRevenue"]
