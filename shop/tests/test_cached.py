"""The core's cached reads (shop/cached.py)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from model_bakery import baker

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
