"""Writes of coupons (orders/services/coupons.py): admin CRUD and its rules, and the use an order takes
and its cancellation gives back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon


# --- admin CRUD ------------------------------------------------------------------------------------
def coupon_body(**changes):
    now = timezone.now()
    body = {
        "code": "WELCOME",
        "description": "Welcome offer",
        "discount_type": "percent",
        "value": "15.00",
        "min_order_amount": "10.00",
        "max_discount": "20.00",
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=7)).isoformat(),
        "usage_limit": 100,
        "is_active": True,
    }
    body.update(changes)
    return body


@pytest.mark.django_db
def test_admin_creates_reads_updates_and_deletes_a_coupon(staff_api):
    created = staff_api.post("/api/v1/coupons", coupon_body(), format="json")
    assert created.status_code == 201, created.json()
    coupon = created.json()["data"]["coupon"]
    assert (coupon["code"], coupon["value"], coupon["used_count"]) == ("WELCOME", "15.00", 0)
    assert coupon["per_customer_limit"] is None

    listed = staff_api.get("/api/v1/coupons").json()["data"]
    assert (listed["count"], listed["page"], listed["pages"]) == (1, 1, 1)
    assert staff_api.get(f"/api/v1/coupons/{coupon['id']}").json()["data"]["coupon"] == coupon

    patched = staff_api.patch(f"/api/v1/coupons/{coupon['id']}", {"value": "25.00"}, format="json")
    assert patched.status_code == 200 and patched.json()["data"]["coupon"]["value"] == "25.00"
    limited = staff_api.patch(f"/api/v1/coupons/{coupon['id']}", {"per_customer_limit": 1}, format="json")
    assert limited.json()["data"]["coupon"]["per_customer_limit"] == 1
    assert Coupon.objects.get(pk=coupon["id"]).per_customer_limit == 1
    unlimited = staff_api.patch(f"/api/v1/coupons/{coupon['id']}", {"per_customer_limit": None}, format="json")
    assert unlimited.json()["data"]["coupon"]["per_customer_limit"] is None
    put = staff_api.put(f"/api/v1/coupons/{coupon['id']}", coupon_body(code="WELCOME2", value="5.00"), format="json")
    assert put.status_code == 200 and put.json()["data"]["coupon"]["code"] == "WELCOME2"

    assert staff_api.delete(f"/api/v1/coupons/{coupon['id']}").status_code == 200
    assert staff_api.get(f"/api/v1/coupons/{coupon['id']}").status_code == 404
    assert not Coupon.objects.exists()


@pytest.mark.django_db
def test_codes_are_unique_case_insensitively(staff_api):
    baker.make_recipe("orders.coupon", code="WELCOME")
    response = staff_api.post("/api/v1/coupons", coupon_body(code="welcome"), format="json")
    assert response.status_code == 400
    assert "code" in response.json()["errors"]
    assert Coupon.objects.count() == 1


@pytest.mark.django_db
def test_renaming_onto_another_code_is_refused(staff_api):
    baker.make_recipe("orders.coupon", code="FIRST")
    second = baker.make_recipe("orders.coupon", code="SECOND")
    response = staff_api.patch(f"/api/v1/coupons/{second.pk}", {"code": "first"}, format="json")
    assert response.status_code == 400
    second.refresh_from_db()
    assert second.code == "SECOND"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"value": "101.00"}, "value"),
        ({"value": "0"}, "value"),
        ({"value": "-5"}, "value"),
        ({"discount_type": "bogus"}, "discount_type"),
        ({"valid_until": (timezone.now() - timedelta(days=1)).isoformat()}, "valid_until"),
        ({"max_discount": "0"}, "max_discount"),
        ({"min_order_amount": "-1"}, "min_order_amount"),
        ({"usage_limit": 0}, "usage_limit"),
        ({"per_customer_limit": 0}, "per_customer_limit"),
        ({"per_customer_limit": 2**31}, "per_customer_limit"),
        ({"per_customer_limit": "1"}, "per_customer_limit"),
        ({"code": ""}, "code"),
        ({"code": "has space"}, "code"),
        ({"code": "C" * 41}, "code"),
        ({"used_count": 3}, "used_count"),
        ({"value": "1.234"}, "value"),
    ],
)
def test_coupon_validation(staff_api, changes, field):
    response = staff_api.post("/api/v1/coupons", coupon_body(**changes), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Coupon.objects.exists()


@pytest.mark.django_db
def test_a_fixed_coupon_may_be_worth_more_than_100(staff_api):
    response = staff_api.post("/api/v1/coupons", coupon_body(discount_type="fixed", value="150.00"), format="json")
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_partial_update_is_checked_against_the_stored_fields(staff_api):
    coupon = baker.make_recipe("orders.coupon", code="PCT", discount_type="percent", value=Decimal("10.00"))
    response = staff_api.patch(f"/api/v1/coupons/{coupon.pk}", {"value": "150.00"}, format="json")
    assert response.status_code == 400
    response = staff_api.patch(
        f"/api/v1/coupons/{coupon.pk}", {"valid_until": coupon.valid_from.isoformat()}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_usage_limit_cannot_go_below_the_uses_already_counted(staff_api):
    coupon = baker.make_recipe("orders.coupon", code="USED", usage_limit=10, used_count=4)
    response = staff_api.patch(f"/api/v1/coupons/{coupon.pk}", {"usage_limit": 3}, format="json")
    assert response.status_code == 400 and "usage_limit" in response.json()["errors"]


@pytest.mark.django_db
def test_an_admin_edit_does_not_write_back_a_stale_used_count(staff_user):
    from orders.services import coupon_update

    coupon = baker.make_recipe("orders.coupon", code="BUSY", usage_limit=10)
    stale = Coupon.objects.get(pk=coupon.pk)
    Coupon.objects.filter(pk=coupon.pk).update(used_count=3)  # orders placed meanwhile
    coupon_update(coupon=stale, user=staff_user, description="Edited")
    coupon.refresh_from_db()
    assert (coupon.description, coupon.used_count) == ("Edited", 3)


# --- a use per order -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_second_order_with_a_once_per_customer_coupon_is_409_until_the_first_is_cancelled(customer_api):
    coupon = baker.make_recipe(
        "orders.coupon", code="WELCOME10", discount_type="percent", value=Decimal("10.00"), per_customer_limit=1
    )
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("20.00"), stock=10)
    body = {
        "items": [{"product_id": pizza.pk, "quantity": 1}],
        "coupon_code": "welcome10",
        "delivery_address": "x",
        "payment_method": "cash",
    }
    first = customer_api.post("/api/v1/orders", body, format="json")
    assert first.status_code == 201

    second = customer_api.post("/api/v1/orders", body, format="json")
    assert second.status_code == 409
    assert second.json()["errors"] == {"coupon_code": ["You have already used this coupon as many times as it allows"]}
    assert Coupon.objects.get(pk=coupon.pk).used_count == 1

    customer_api.post(f"/api/v1/orders/{first.json()['data']['order']['id']}/cancel")
    assert customer_api.post("/api/v1/orders", body, format="json").status_code == 201
