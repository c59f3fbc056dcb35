"""Plain helpers of the orders tests (functions, not fixtures)."""


def order_body(*lines, **extra) -> dict:
    """lines: (product, quantity) pairs."""
    body = {
        "items": [{"product_id": p.pk, "quantity": q} for p, q in lines],
        "delivery_address": "1 Main Street",
        "payment_method": "card",
    }
    body.update(extra)
    return body
