"""Coupons: the cached active list (and its expiry at validity boundaries), validation, admin CRUD."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.cache_families import COUPONS_ACTIVE
from orders.models import Coupon
from testing.cache import ttl_left

ACTIVE = "/api/v1/coupons/active"


def codes(response):
    return [c["code"] for c in response.json()["data"]["coupons"]]


# --- GET /coupons/active ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_active_lists_only_coupons_valid_now_and_caches_them(anon_api):
    now = timezone.now()
    baker.make_recipe("orders.coupon", code="NOW")
    baker.make_recipe("orders.coupon", code="OFF", is_active=False)
    baker.make_recipe(
        "orders.coupon", code="LATER", valid_from=now + timedelta(days=1), valid_until=now + timedelta(days=2)
    )
    baker.make_recipe(
        "orders.coupon", code="PAST", valid_from=now - timedelta(days=2), valid_until=now - timedelta(days=1)
    )
    baker.make_recipe("orders.coupon", code="SPENT", usage_limit=3, used_count=3)

    first, second = anon_api.get(ACTIVE), anon_api.get(ACTIVE)
    assert codes(first) == ["NOW"]
    assert (first["X-Cache"], first.json()["data"]["fromCache"]) == ("MISS", False)
    assert (second["X-Cache"], second.json()["data"]["fromCache"]) == ("HIT", True)
    assert second.json()["data"]["coupons"] == first.json()["data"]["coupons"]
    assert set(first.json()["data"]["coupons"][0]) == {
        "id",
        "code",
        "description",
        "discount_type",
        "value",
        "min_order_amount",
        "max_discount",
        "valid_from",
        "valid_until",
        "usage_limit",
        "used_count",
        "per_customer_limit",
        "is_active",
    }


@pytest.mark.django_db
def test_active_entry_lives_the_family_ttl_when_nothing_changes_sooner(anon_api):
    baker.make_recipe("orders.coupon", code="LONG", valid_until=timezone.now() + timedelta(days=30))
    anon_api.get(ACTIVE)
    assert 590 <= ttl_left(COUPONS_ACTIVE, {}) <= 600


@pytest.mark.django_db
def test_active_entry_expires_when_a_listed_coupon_does(anon_api):
    baker.make_recipe("orders.coupon", code="SOON", valid_until=timezone.now() + timedelta(seconds=42))
    anon_api.get(ACTIVE)
    assert 38 <= ttl_left(COUPONS_ACTIVE, {}) <= 42


@pytest.mark.django_db
def test_active_entry_expires_when_a_future_coupon_starts(anon_api):
    now = timezone.now()
    baker.make_recipe("orders.coupon", code="NOW")
    baker.make_recipe(
        "orders.coupon", code="NEXT", valid_from=now + timedelta(seconds=90), valid_until=now + timedelta(days=1)
    )
    anon_api.get(ACTIVE)
    assert 85 <= ttl_left(COUPONS_ACTIVE, {}) <= 90


@pytest.mark.django_db
def test_a_coupon_expiring_within_a_second_is_served_but_not_cached(anon_api):
    baker.make_recipe("orders.coupon", code="NOW", valid_until=timezone.now() + timedelta(milliseconds=900))
    assert codes(anon_api.get(ACTIVE)) == ["NOW"]
    assert ttl_left(COUPONS_ACTIVE, {}) is None
    assert anon_api.get(ACTIVE)["X-Cache"] == "MISS"


@pytest.mark.django_db
def test_an_expired_coupon_is_not_served_from_the_cache(anon_api):
    import time

    baker.make_recipe("orders.coupon", code="BRIEF", valid_until=timezone.now() + timedelta(seconds=2))
    assert codes(anon_api.get(ACTIVE)) == ["BRIEF"]
    time.sleep(2.1)
    after = anon_api.get(ACTIVE)
    assert codes(after) == []
    assert after["X-Cache"] == "MISS"


@pytest.mark.django_db
def test_saving_a_coupon_clears_the_active_list(anon_api, staff_api, django_capture_on_commit_callbacks):
    coupon = baker.make_recipe("orders.coupon", code="NOW")
    anon_api.get(ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        staff_api.patch(f"/api/v1/coupons/{coupon.pk}", {"description": "Ten off"}, format="json")
    after = anon_api.get(ACTIVE)
    assert after["X-Cache"] == "MISS"
    assert after.json()["data"]["coupons"][0]["description"] == "Ten off"


# --- POST /coupons/validate ------------------------------------------------------------------------
@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_validate_reads_the_database_not_the_cache(customer_api, anon_api):
    coupon = baker.make_recipe("orders.coupon", code="CODE", usage_limit=1)
    anon_api.get(ACTIVE)
    Coupon.objects.filter(pk=coupon.pk).update(used_count=1)  # no signal, no invalidation
    data = customer_api.post("/api/v1/coupons/validate", {"code": "CODE", "subtotal": "5"}, format="json").json()[
        "data"
    ]
    assert data["valid"] is False and data["reason"] == "Coupon has been used up"


@pytest.mark.django_db
def test_validate_an_unknown_code(customer_api):
    data = customer_api.post("/api/v1/coupons/validate", {"code": "NOPE", "subtotal": "5"}, format="json").json()[
        "data"
    ]
    assert data == {"valid": False, "discount": "0.00", "reason": "Coupon is not valid"}


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_validate_counts_the_customers_own_uses_against_per_customer_limit(customer, customer_api, other_api):
    from orders.services import order_cancel, order_place

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


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_the_admin_coupon_form_edits_the_per_customer_limit(admin_client):
    coupon = baker.make_recipe("orders.coupon", code="ONCE")
    page = admin_client.get(f"/admin/orders/coupon/{coupon.pk}/change/")
    assert page.status_code == 200
    assert 'name="per_customer_limit"' in page.content.decode()
