"""Examples for the OpenAPI schema: one request and one answer per operation, in the demo store's terms.

Request examples work against a store filled by `python manage.py seed_demo` (the demo customer
placing `ORDER_PLACE` gets a 201: products 1 and 9 exist there, are active and in stock, and
2 × 3.25 + 6.50 passes the 10.00 minimum). Answers show plausible values, not generated ones.
A test checks every example against its schema.
"""

from drf_spectacular.utils import OpenApiExample

NOW = "2026-01-31T18:04:11.482913Z"
EARLIER = "2026-01-05T09:12:40.118201Z"

USER = {
    "id": 2,
    "email": "customer@example.com",
    "name": "Casey Customer",
    "phone": "+1 212 555 0199",
    "role": "customer",
    "is_active": True,
    "date_joined": EARLIER,
}
ADMIN = {**USER, "id": 1, "email": "admin@example.com", "name": "Alex Admin", "phone": "", "role": "admin"}
TOKENS = {
    "access": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoyfQ.c2lnbmF0dXJl",
    "refresh": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl",
}

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BUSINESS = {
    "name": "Corner Market",
    "description": "Fresh bread, produce and pantry staples from the corner, delivered in under an hour.",
    "email": "hello@cornermarket.example.com",
    "phone": "+1 212 555 0147",
    "address": "214 Mercer Street, New York, NY 10012",
    "currency": "USD",
    "timezone": "America/New_York",
    "opening_hours": dict.fromkeys(WEEK, "08:00-22:00"),
    "is_open": True,
    "delivery_fee": "3.99",
    "min_order_amount": "10.00",
    "tax_rate": "8.88",
    "logo_url": "",
    "updated_at": NOW,
}
BUSINESS_CHANGE = {"delivery_fee": "2.99", "opening_hours": {**BUSINESS["opening_hours"], "sun": None}}

PRODUCT = {
    "id": 1,
    "name": "Sourdough Loaf",
    "slug": "sourdough-loaf",
    "description": "Naturally leavened, baked every morning.",
    "category": "Bakery",
    "price": "6.50",
    "stock": 18,
    "is_active": True,
    "image_url": "",
    "created_at": EARLIER,
    "updated_at": NOW,
}
PRODUCT_2 = {
    **PRODUCT,
    "id": 9,
    "name": "Butter Croissant",
    "slug": "butter-croissant",
    "description": "Flaky, all-butter, laminated over three days.",
    "price": "3.25",
    "stock": 166,
}
PRODUCT_INPUT = {
    "name": "Rye Bread",
    "description": "Dark, dense and sour; sliced on request.",
    "category": "Bakery",
    "price": "5.75",
    "stock": 24,
    "is_active": True,
    "image_url": "",
}
PRODUCT_NEW = {**PRODUCT, **PRODUCT_INPUT, "id": 61, "slug": "rye-bread", "created_at": NOW}

COUPON = {
    "id": 1,
    "code": "WELCOME10",
    "description": "10% off your first order",
    "discount_type": "percent",
    "value": "10.00",
    "min_order_amount": "15.00",
    "max_discount": "20.00",
    "valid_from": "2026-01-01T00:00:00Z",
    "valid_until": "2026-12-31T23:59:59Z",
    "usage_limit": None,
    "used_count": 37,
    "per_customer_limit": 1,
    "is_active": True,
}
COUPON_INPUT = {
    "code": "SPRING5",
    "description": "5.00 off orders over 30.00",
    "discount_type": "fixed",
    "value": "5.00",
    "min_order_amount": "30.00",
    "max_discount": None,
    "valid_from": "2026-03-20T00:00:00Z",
    "valid_until": "2026-06-20T23:59:59Z",
    "usage_limit": 500,
    "per_customer_limit": None,
    "is_active": True,
}
COUPON_NEW = {**COUPON, **COUPON_INPUT, "id": 10, "used_count": 0}

ORDER_PLACE = {
    "items": [{"product_id": 1, "quantity": 1}, {"product_id": 9, "quantity": 2}],
    "delivery_address": "214 Mercer Street, Apt 3B, New York, NY 10012",
    "notes": "Please ring twice.",
    "payment_method": "card",
}
ORDER = {
    "id": 1501,
    "number": "ORD-20260131-00041",
    "user_id": 2,
    "items": [
        {"product_id": 1, "name": "Sourdough Loaf", "unit_price": "6.50", "quantity": 1, "line_total": "6.50"},
        {"product_id": 9, "name": "Butter Croissant", "unit_price": "3.25", "quantity": 2, "line_total": "6.50"},
    ],
    "subtotal": "13.00",
    "discount": "0.00",
    "delivery_fee": "3.99",
    "tax": "1.15",
    "total": "18.14",
    "coupon_code": "",
    "status": "pending",
    "payment_status": "unpaid",
    "payment_method": "card",
    "delivery_address": ORDER_PLACE["delivery_address"],
    "notes": ORDER_PLACE["notes"],
    "created_at": NOW,
    "updated_at": NOW,
}

PAYMENT = {
    "id": 1501,
    "order_id": 1501,
    "amount": "18.14",
    "method": "card",
    "status": "pending",
    "transaction_ref": "pay_3f9c2a7d41b8e6a05c1d9e72",
    "created_at": NOW,
    "completed_at": None,
}
PAYMENT_COMPLETED = {**PAYMENT, "status": "completed", "completed_at": "2026-01-31T18:05:02.771530Z"}

NOTIFICATION = {
    "id": 1499,
    "kind": "order_status",
    "title": "Order ORD-20260131-00041 is being prepared",
    "message": "Your order is being prepared and will be on its way soon.",
    "order_id": 1501,
    "is_read": False,
    "created_at": NOW,
}


def request(value: dict, name: str = "Example", summary: str | None = None) -> OpenApiExample:
    return OpenApiExample(name, value=value, summary=summary, request_only=True)


def answer(message: str, data, *, status: int = 200, name: str = "Answer") -> OpenApiExample:
    """The success envelope around `data`."""
    return OpenApiExample(
        name,
        value={"success": True, "message": message, "data": data},
        response_only=True,
        status_codes=[str(status)],
    )


def page(key: str, items: list, **extra) -> dict:
    return {key: items, **extra, "count": len(items), "page": 1, "pages": 1}
