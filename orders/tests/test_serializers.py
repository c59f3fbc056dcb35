"""Input parsing of orders/serializers.py: fields of the right JSON type only, no unknown field, every
number bounded, so no input reaches the database out of range. A bad body is a 400 in the envelope and
changes nothing.

An order too large for the money columns: test_pricing.py."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon, Order, Payment
from orders.tests.helpers import order_body
from products.models import Product

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders"
HUGE = [10**40, -(10**40), 2**63, "1e400", "99999999999999999999.99", 1e308]


def place(client, body):
    return client.post(URL, body, format="json")


def coupon_body(**changes):
    now = timezone.now()
    body = {
        "code": "BOUNDS",
        "discount_type": "fixed",
        "value": "5.00",
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=7)).isoformat(),
    }
    return {**body, **changes}


# --- numbers and dates within range ----------------------------------------------------------------
@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["value", "min_order_amount", "max_discount", "usage_limit", "per_customer_limit"])
def test_coupon_numbers_out_of_range_are_400(staff_api, field, value):
    response = staff_api.post("/api/v1/coupons", coupon_body(**{field: value}), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Coupon.objects.exists()


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "275760-01-01T00:00:00Z"])
def test_coupon_dates_out_of_range_are_400(staff_api, moment):
    response = staff_api.post("/api/v1/coupons", coupon_body(valid_until=moment), format="json")
    assert response.status_code == 400, response.json()
    assert not Coupon.objects.exists()


@pytest.mark.parametrize("value", HUGE)
def test_a_subtotal_out_of_range_in_validate_is_400(customer_api, value):
    response = customer_api.post("/api/v1/coupons/validate", {"code": "X", "subtotal": value}, format="json")
    assert response.status_code == 400, response.json()
    assert "subtotal" in response.json()["errors"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["product_id", "quantity"])
def test_order_line_numbers_out_of_range_are_400(customer_api, field, value):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    line = {"product_id": pizza.pk, "quantity": 1, field: value}
    body = {"items": [line], "delivery_address": "x", "payment_method": "cash"}
    response = customer_api.post("/api/v1/orders", body, format="json")
    assert response.status_code == 400, response.json()
    assert Order.objects.count() == 0


@pytest.mark.parametrize("value", HUGE)
def test_a_payment_for_an_order_id_out_of_range_is_400(customer_api, value):
    response = customer_api.post("/api/v1/payments", {"order_id": value, "method": "card"}, format="json")
    assert response.status_code == 400, response.json()
    assert not Payment.objects.exists()


# --- POST /orders ----------------------------------------------------------------------------------
def test_a_client_sent_price_is_refused_as_an_unknown_field(customer_api):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    body = order_body((pizza, 1))
    body["items"][0]["price"] = "0.01"
    body["total"] = "0.01"
    response = place(customer_api, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["total"] == ["Unknown field."]
    assert errors["items"] == {"0": {"price": ["Unknown field."]}}  # DRF keys list errors by index
    assert Order.objects.count() == 0


def _bad_bodies(pid):
    good_item = {"product_id": pid, "quantity": 1}
    base = {"items": [good_item], "delivery_address": "1 Main Street", "payment_method": "card"}

    def with_(**changes):
        return {**base, **changes}

    def without(key):
        return {k: v for k, v in base.items() if k != key}

    return {
        "missing items": (without("items"), "items"),
        "missing address": (without("delivery_address"), "delivery_address"),
        "missing payment method": (without("payment_method"), "payment_method"),
        "empty items": (with_(items=[]), "items"),
        "items not a list": (with_(items={"product_id": pid}), "items"),
        "101 lines": (with_(items=[good_item] * 101), "items"),
        "item not an object": (with_(items=[5]), "items"),
        "quantity zero": (with_(items=[{"product_id": pid, "quantity": 0}]), "items"),
        "quantity negative": (with_(items=[{"product_id": pid, "quantity": -3}]), "items"),
        "quantity huge": (with_(items=[{"product_id": pid, "quantity": 10**12}]), "items"),
        "quantity 1001": (with_(items=[{"product_id": pid, "quantity": 1001}]), "items"),
        "quantity string": (with_(items=[{"product_id": pid, "quantity": "2"}]), "items"),
        "quantity float": (with_(items=[{"product_id": pid, "quantity": 1.5}]), "items"),
        "quantity bool": (with_(items=[{"product_id": pid, "quantity": True}]), "items"),
        "quantity null": (with_(items=[{"product_id": pid, "quantity": None}]), "items"),
        "product_id string": (with_(items=[{"product_id": str(pid), "quantity": 1}]), "items"),
        "product_id missing": (with_(items=[{"quantity": 1}]), "items"),
        "product_id too big": (with_(items=[{"product_id": 2**63, "quantity": 1}]), "items"),
        "unknown item field": (with_(items=[{**good_item, "unit_price": "0.01"}]), "items"),
        "unknown top field": (with_(discount="100.00"), "discount"),
        "bad payment method": (with_(payment_method="bitcoin"), "payment_method"),
        "address blank": (with_(delivery_address=""), "delivery_address"),
        "address too long": (with_(delivery_address="x" * 501), "delivery_address"),
        "address a number": (with_(delivery_address=12), "delivery_address"),
        "notes too long": (with_(notes="x" * 2001), "notes"),
        "coupon too long": (with_(coupon_code="C" * 41), "coupon_code"),
    }


BAD_CASES = list(_bad_bodies(1))


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_400_in_the_envelope_and_changes_nothing(customer_api, case):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    body, field = _bad_bodies(pizza.pk)[case]
    response = place(customer_api, body)
    assert response.status_code == 400, response.json()
    payload = response.json()
    assert payload["success"] is False and payload["message"] == "Validation failed"
    assert field in payload["errors"]
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=pizza.pk).stock == 5


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b'"items"', b"null"])
def test_a_body_that_is_not_a_json_object_is_400(customer_api, raw):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    response = customer_api.post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=pizza.pk).stock == 5


# --- POST /coupons/validate, POST /payments, PATCH /orders/{id}/status -----------------------------
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": "X"},
        {"code": "X", "subtotal": "-1"},
        {"code": "X", "subtotal": "abc"},
        {"code": 5, "subtotal": "1"},
        {"code": "X", "subtotal": "1", "extra": 1},
    ],
)
def test_validate_refuses_bad_input(customer_api, body):
    assert customer_api.post("/api/v1/coupons/validate", body, format="json").status_code == 400


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


@pytest.mark.parametrize(
    "body", [{"status": "shipped"}, {"status": ""}, {}, {"status": "preparing", "x": 1}, {"status": 3}]
)
def test_an_invalid_status_value_is_400(staff_api, placed, body):
    order, _ = placed
    response = staff_api.patch(f"/api/v1/orders/{order.pk}/status", body, format="json")
    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == "pending"
