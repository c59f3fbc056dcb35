"""What the dashboard's periodic tasks do when beat runs them (tasks run in-process here, eagerly; the
rollover's clock is pinned through its service). The core's periodic task: test_tasks.py."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from dashboard.cached import dashboard_stats
from dashboard.tasks import dashboard_stats_refresh
from dashboard.warmup import dashboard_stats_rollover
from orders.models import Order
from shop import cache
from shop.models import User

pytestmark = pytest.mark.django_db


def stats_invalidations() -> int:
    return cache.stats()["families"]["dashboard:stats"]["invalidations"]


def test_the_stats_refresh_rebuilds_today_so_the_next_read_is_a_fresh_hit(customer):
    before = dashboard_stats().data
    User.objects.filter(pk=customer.pk).update(is_active=False)  # a write no signal reports
    assert dashboard_stats().data["totalUsers"] == before["totalUsers"]

    dashboard_stats_refresh()

    after = dashboard_stats()
    assert after.hit, "the refresh left the entry warm"
    assert after.data["totalUsers"] == before["totalUsers"] - 1, "and rebuilt it rather than keeping the old one"


def test_the_midnight_rollover_clears_today(customer):
    order = baker.make_recipe(
        "orders.order",
        user=customer,
        subtotal=Decimal("5"),
        total=Decimal("5"),
        payment_method=Order.PaymentMethod.CASH,
    )
    assert dashboard_stats().data["todayOrders"] == 1
    # Midnight passes: the order now belongs to yesterday, and nothing was written to say so.
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=1))
    assert dashboard_stats().data["todayOrders"] == 1
    invalidations = stats_invalidations()

    just_after_midnight = timezone.localtime().replace(hour=0, minute=5)
    assert dashboard_stats_rollover(now=just_after_midnight) is True

    assert stats_invalidations() == invalidations + 1
    after = dashboard_stats()
    assert after.data["todayOrders"] == 0
    assert after.hit


def test_the_rollover_follows_the_business_timezone_and_leaves_the_rest_of_the_day_alone(settings):
    settings.TIME_ZONE = "UTC"
    baker.make_recipe("shop.business", name="Kathmandu Kitchen", timezone="Asia/Kathmandu")  # UTC+05:45
    dashboard_stats()
    invalidations = stats_invalidations()

    assert dashboard_stats_rollover(now=datetime(2026, 3, 5, 0, 5, tzinfo=UTC)) is False, "05:50 in Kathmandu"
    assert dashboard_stats_rollover(now=datetime(2026, 3, 5, 12, 0, tzinfo=UTC)) is False
    assert stats_invalidations() == invalidations
    assert dashboard_stats().hit

    assert dashboard_stats_rollover(now=datetime(2026, 3, 5, 18, 20, tzinfo=UTC)) is True, "00:05 in Kathmandu"
    assert stats_invalidations() == invalidations + 1
