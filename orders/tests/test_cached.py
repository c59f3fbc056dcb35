"""The cached read of orders/cached.py: GET /coupons/active, the coupons valid now, cached until the
nearest moment the list changes by itself (a listed coupon expiring, a future one starting)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.cache_families import COUPONS_ACTIVE
from testing.cache import ttl_left

pytestmark = pytest.mark.django_db

ACTIVE = "/api/v1/coupons/active"


def codes(response):
    return [c["code"] for c in response.json()["data"]["coupons"]]


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


def test_active_entry_lives_the_family_ttl_when_nothing_changes_sooner(anon_api):
    baker.make_recipe("orders.coupon", code="LONG", valid_until=timezone.now() + timedelta(days=30))
    anon_api.get(ACTIVE)
    assert 590 <= ttl_left(COUPONS_ACTIVE, {}) <= 600


def test_active_entry_expires_when_a_listed_coupon_does(anon_api):
    baker.make_recipe("orders.coupon", code="SOON", valid_until=timezone.now() + timedelta(seconds=42))
    anon_api.get(ACTIVE)
    assert 38 <= ttl_left(COUPONS_ACTIVE, {}) <= 42


def test_active_entry_expires_when_a_future_coupon_starts(anon_api):
    now = timezone.now()
    baker.make_recipe("orders.coupon", code="NOW")
    baker.make_recipe(
        "orders.coupon", code="NEXT", valid_from=now + timedelta(seconds=90), valid_until=now + timedelta(days=1)
    )
    anon_api.get(ACTIVE)
    assert 85 <= ttl_left(COUPONS_ACTIVE, {}) <= 90


def test_a_coupon_expiring_within_a_second_is_served_but_not_cached(anon_api):
    baker.make_recipe("orders.coupon", code="NOW", valid_until=timezone.now() + timedelta(milliseconds=900))
    assert codes(anon_api.get(ACTIVE)) == ["NOW"]
    assert ttl_left(COUPONS_ACTIVE, {}) is None
    assert anon_api.get(ACTIVE)["X-Cache"] == "MISS"


def test_an_expired_coupon_is_not_served_from_the_cache(anon_api):
    import time

    baker.make_recipe("orders.coupon", code="BRIEF", valid_until=timezone.now() + timedelta(seconds=2))
    assert codes(anon_api.get(ACTIVE)) == ["BRIEF"]
    time.sleep(2.1)
    after = anon_api.get(ACTIVE)
    assert codes(after) == []
    assert after["X-Cache"] == "MISS"
