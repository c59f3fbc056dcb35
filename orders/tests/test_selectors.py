"""Reads of orders/selectors.py: what a coupon takes off a subtotal (POST /coupons/validate, checked
against the database, never the cache), and whose payments each caller sees."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon
from orders.services import order_place

pytestmark = pytest.mark.django_db

ACTIVE = "/api/v1/coupons/active"


# --- POST /coupons/validate ------------------------------------------------------------------------
def test_validate_computes_the_discount_case_insensitively(customer_api):
    baker.make_recipe(
        "orders.coupon", code="Save20", discount_type="percent", value=Decimal("20.00"), max_discount=Decimal("15.00")
    )
    data = customer_api.post("/api/v1/coupons/validate", {"code": "SAVE20", "subtotal": "50.00"}, format="json").json()[
        "data"
    ]
    assert (data["valid"], data["discount"], data["coupon"]["code"]) == (True, "10.00", "Save20")
    data = customer_api.post(
        "/api/v1/coupons/validate", {"code": "save20", "subtotal": "100.00"}, format="json"
    ).json()["data"]
    assert data["discount"] == "15.00"


@pytest.mark.parametrize(
    "fields, subtotal, reason",
    [
        ({"is_active": False}, "50.00", "Coupon is not valid"),
        ({"usage_limit": 2, "used_count": 2}, "50.00", "Coupon has been used up"),
        ({"min_order_amount": Decimal("60.00")}, "50.00", "Coupon needs an order subtotal of at least 60.00"),
    ],
)
def test_validate_says_why_a_coupon_cannot_be_used(customer_api, fields, subtotal, reason):
    baker.make_recipe("orders.coupon", code="CODE", **fields)
    response = customer_api.post("/api/v1/coupons/validate", {"code": "code", "subtotal": subtotal}, format="json")
    assert response.status_code == 200
    assert response.json()["data"] == {"valid": False, "discount": "0.00", "reason": reason}


def test_validate_reads_the_database_not_the_cache(customer_api, anon_api):
    coupon = baker.make_recipe("orders.coupon", code="CODE", usage_limit=1)
    anon_api.get(ACTIVE)
    Coupon.objects.filter(pk=coupon.pk).update(used_count=1)  # no signal, no invalidation
    data = customer_api.post("/api/v1/coupons/validate", {"code": "CODE", "subtotal": "5"}, format="json").json()[
        "data"
    ]
    assert data["valid"] is False and data["reason"] == "Coupon has been used up"


def test_validate_an_unknown_code(customer_api):
    data = customer_api.post("/api/v1/coupons/validate", {"code": "NOPE", "subtotal": "5"}, format="json").json()[
        "data"
    ]
    assert data == {"valid": False, "discount": "0.00", "reason": "Coupon is not valid"}


def test_validate_answers_unknown_switched_off_future_and_expired_codes_alike(customer_api):
    """Guessing codes must not tell which exist: only usable coupons (public at /coupons/active) say more."""
    now = timezone.now()
    baker.make_recipe("orders.coupon", code="OFF", is_active=False)
    baker.make_recipe(
        "orders.coupon", code="LATER", valid_from=now + timedelta(days=1), valid_until=now + timedelta(days=2)
    )
    baker.make_recipe(
        "orders.coupon", code="PAST", valid_from=now - timedelta(days=2), valid_until=now - timedelta(days=1)
    )

    answers = [
        customer_api.post("/api/v1/coupons/validate", {"code": code, "subtotal": "50.00"}, format="json")
        for code in ("NEVER", "OFF", "LATER", "PAST")
    ]

    assert {(a.status_code, a.content) for a in answers} == {(200, answers[0].content)}
    assert answers[0].json()["data"] == {"valid": False, "discount": "0.00", "reason": "Coupon is not valid"}


def test_validate_counts_the_customers_own_uses_against_per_customer_limit(customer, customer_api, other_api):
    from orders.services import order_cancel

    baker.make_recipe("orders.coupon", code="ONCE", discount_type="fixed", value=Decimal("5.00"), per_customer_limit=1)
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("20.00"), stock=10)
    body = {"code": "once", "subtotal": "20.00"}
    assert customer_api.post("/api/v1/coupons/validate", body, format="json").json()["data"]["valid"] is True
    order = order_place(
        user=customer,
        items=[{"product_id": pizza.pk, "quantity": 1}],
        coupon_code="ONCE",
        delivery_address="x",
        payment_method="cash",
    )

    mine = customer_api.post("/api/v1/coupons/validate", body, format="json").json()["data"]
    theirs = other_api.post("/api/v1/coupons/validate", body, format="json").json()["data"]

    assert mine == {
        "valid": False,
        "discount": "0.00",
        "reason": "You have already used this coupon as many times as it allows",
    }
    assert (theirs["valid"], theirs["discount"], theirs["coupon"]["per_customer_limit"]) == (True, "5.00", 1)
    order_cancel(order_id=order.pk, user=customer)
    assert customer_api.post("/api/v1/coupons/validate", body, format="json").json()["data"]["valid"] is True


# --- GET /payments ---------------------------------------------------------------------------------
def test_listing_shows_own_payments_and_admins_see_all(customer_api, other_api, staff_api, payment):
    assert customer_api.get("/api/v1/payments").json()["data"]["count"] == 1
    assert other_api.get("/api/v1/payments").json()["data"]["count"] == 0
    data = staff_api.get("/api/v1/payments").json()["data"]
    assert (data["count"], data["page"], data["pages"], data["payments"][0]["id"]) == (1, 1, 1, payment.pk)
