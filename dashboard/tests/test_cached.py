"""The cached reads (dashboard.cached): they refuse parameters outside the bounded key space, and a
period's read is cached under its days until a write clears it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from dashboard import cached, selectors
from dashboard.cache_families import DASHBOARD_PERIOD_SALES
from dashboard.periods import Period, PeriodError
from orders.models import Order
from testing.cache import family_keys

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "call",
    [
        lambda: cached.dashboard_top_products(limit=0),
        lambda: cached.dashboard_top_products(limit=51),
        lambda: cached.dashboard_activities(limit=True),
        lambda: cached.dashboard_revenue_chart(days=91),
        lambda: cached.dashboard_revenue_chart(days="7"),
    ],
)
def test_selectors_refuse_parameters_outside_the_bounded_key_space(call):
    with pytest.raises(ValueError):
        call()


def test_the_cached_reads_refuse_periods_outside_the_bounds():
    today = timezone.localdate()
    for period in (
        Period(first=today - timedelta(days=90), last=today),  # 91 days
        Period(first=today, last=today + timedelta(days=1)),  # ends tomorrow
        Period(first=today - timedelta(days=400), last=today - timedelta(days=399)),  # too far back
    ):
        for read in (
            cached.dashboard_period_sales,
            cached.dashboard_period_products,
            cached.dashboard_period_activity,
        ):
            with pytest.raises(PeriodError):
                read(period=period, today=today)
    assert family_keys(DASHBOARD_PERIOD_SALES) == []


def test_a_period_read_is_cached_under_its_days_and_a_payment_clears_it(
    sample_store, django_capture_on_commit_callbacks
):
    today = timezone.now().astimezone(selectors.business_timezone()).date()
    period = Period.ending(days=7, today=today)
    assert not cached.dashboard_period_sales(period=period, today=today).hit
    assert cached.dashboard_period_sales(period=period, today=today).hit
    keys = [entry["key"] for entry in family_keys(DASHBOARD_PERIOD_SALES)]
    assert keys == [f"dashboard:period-sales:{period.first.isoformat()}:{today.isoformat()}"]

    order = Order.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        baker.make_recipe(
            "orders.payment",
            order=order,
            amount=Decimal("3.00"),
            method="card",
            status="completed",
            transaction_ref="tx-new",
            completed_at=timezone.now(),
        )
    again = cached.dashboard_period_sales(period=period, today=today)
    assert not again.hit
