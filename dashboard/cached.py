"""The dashboard's cached reads (API.md's dashboard table, and the /dashboard/ page's period panels);
the loaders are in dashboard/selectors.py."""

from datetime import date

from django.utils import timezone

from dashboard import selectors
from dashboard.cache_families import (
    DASHBOARD_ACTIVITIES,
    DASHBOARD_PERIOD_ACTIVITY,
    DASHBOARD_PERIOD_PRODUCTS,
    DASHBOARD_PERIOD_SALES,
    DASHBOARD_REVENUE_CHART,
    DASHBOARD_STATS,
    DASHBOARD_TOP_PRODUCTS,
)
from dashboard.periods import PRESET_DAYS, Period
from shop.cache import cached
from shop.selectors import store_settings


def _bounded(name: str, bounds: tuple[int, int]):
    """The key params, refusing values outside the bounds: the key space stays finite."""

    def key(**args) -> dict:
        value, (low, high) = args[name], bounds
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
        return {name: value}

    return key


@cached(DASHBOARD_STATS, http=["/api/v1/dashboard/stats"], staff=True, warm=[{}])
def dashboard_stats() -> dict:
    return selectors.dashboard_stats_load(now=timezone.now())


@cached(
    DASHBOARD_TOP_PRODUCTS,
    key=_bounded("limit", selectors.LIMIT_RANGE),
    http=["/api/v1/dashboard/top-products?limit=5"],
    staff=True,
    warm=[{"limit": 5}],
)
def dashboard_top_products(*, limit: int) -> dict:
    return selectors.dashboard_top_products_load(limit=limit)


@cached(
    DASHBOARD_REVENUE_CHART,
    key=_bounded("days", selectors.DAYS_RANGE),
    http=["/api/v1/dashboard/revenue-chart?days=7"],
    staff=True,
    warm=[{"days": 7}, {"days": 30}],
)
def dashboard_revenue_chart(*, days: int) -> dict:
    return selectors.dashboard_revenue_chart_load(days=days, now=timezone.now())


@cached(
    DASHBOARD_ACTIVITIES,
    key=_bounded("limit", selectors.LIMIT_RANGE),
    http=["/api/v1/dashboard/activities?limit=20"],
    staff=True,
    warm=[{"limit": 20}, {"limit": 10}],
)
def dashboard_activities(*, limit: int) -> dict:
    return selectors.dashboard_activities_load(limit=limit)


# --- the /dashboard/ page's period panels ---------------------------------------------------------
def _period_key(*, period: Period, today: date) -> dict:
    """The key params; a period outside the bounds (dashboard.periods) is refused first, so the
    period families hold a finite number of keys. `today` is the store's date (the caller's clock)."""
    period.check(today)
    return period.key()


def _preset_periods() -> list[dict]:
    """The page's buttons (today, 7, 30, 90 days): what a warm-up rebuilds after a clear."""
    today = selectors.store_today(store_settings().timezone)
    return [{"period": Period.ending(days=days, today=today), "today": today} for days in PRESET_DAYS]


@cached(DASHBOARD_PERIOD_SALES, key=_period_key, staff=True, warm=_preset_periods)
def dashboard_period_sales(*, period: Period, today: date) -> dict:
    return selectors.dashboard_period_sales_load(period=period)


@cached(DASHBOARD_PERIOD_PRODUCTS, key=_period_key, staff=True, warm=_preset_periods)
def dashboard_period_products(*, period: Period, today: date) -> dict:
    return selectors.dashboard_period_products_load(period=period)


@cached(DASHBOARD_PERIOD_ACTIVITY, key=_period_key, staff=True, warm=_preset_periods)
def dashboard_period_activity(*, period: Period, today: date) -> dict:
    return selectors.dashboard_period_activity_load(period=period)
