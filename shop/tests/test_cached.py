"""The core's cached reads (shop/cached.py): the business row, and the authenticated user read through
`users:{id}` (a staff hit costs no SQL; a deactivation or a password change still takes effect at once)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from model_bakery import baker

from dashboard import cached as dashboard_reads
from shop.cached import user_from_cache
from shop.models import Business
from shop.selectors import store_settings

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def test_the_api_keeps_its_own_clock_whoever_filled_the_shared_entry(client):
    """Only staff pages switch to the store's timezone: the business row cached while a staff page's
    clock was active (a panel's loader asking for the store's timezone) still has the API's times."""
    business = baker.make_recipe("shop.business", timezone="America/New_York")
    Business.objects.filter(pk=business.pk).update(updated_at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    with timezone.override(NEW_YORK):
        assert store_settings().timezone == NEW_YORK  # fills business:info
    body = client.get("/api/v1/business").json()
    assert body["data"]["fromCache"] is True
    assert body["data"]["business"]["updated_at"] in ("2026-03-05T12:00:00Z", "2026-03-05T12:00:00+00:00")


def test_a_dashboard_hit_with_a_jwt_costs_no_sql(staff_api, django_assert_num_queries):
    dashboard_reads.dashboard_stats()
    assert staff_api.get("/api/v1/dashboard/stats")["X-Cache"] == "HIT"  # and the user is cached now
    with django_assert_num_queries(0):
        response = staff_api.get("/api/v1/dashboard/stats")
    assert (response.status_code, response["X-Cache"]) == (200, "HIT")


@pytest.mark.parametrize("change", ["deactivated", "password changed"])
def test_the_next_request_after_a_change_to_the_user_is_refused(
    customer, customer_api, change, django_capture_on_commit_callbacks
):
    assert customer_api.get("/api/v1/auth/me").status_code == 200
    assert customer_api.get("/api/v1/auth/me").status_code == 200  # served from users:{id}

    with django_capture_on_commit_callbacks(execute=True):  # the commit: the outbox clears users:{id}
        if change == "deactivated":
            customer.is_active = False
        else:
            customer.set_password("a-brand-new-pass-456")
        customer.save()

    assert customer_api.get("/api/v1/auth/me").status_code == 401


def test_the_cache_holds_no_password_hash_and_its_user_cannot_be_saved(customer):
    user = user_from_cache(customer.pk)
    assert (user.pk, user.email, user.is_staff) == (customer.pk, customer.email, False)
    assert user.password == ""
    with pytest.raises(TypeError, match="read-only"):
        user.save()


def test_a_token_of_a_deleted_user_is_refused(customer, customer_api):
    customer.orders.all().delete()
    customer.delete()
    assert customer_api.get("/api/v1/auth/me").status_code == 401
