"""Background warm-up of the dashboard's cache families, so staff rarely wait for a miss.

After a write clears a dashboard family (`family_invalidated`), a warm-up task is queued to run
the family's common reads again, debounced: the first clear in a window takes a Redis key
(SET NX with the window as TTL) and queues the task with that window as countdown; clears during
the window find the key taken and queue nothing. So a burst of writes costs one rebuild per
family per window, and that rebuild runs after the burst (its countdown is never shorter than
the key's life), seeing every write of the window.

Without a broker (eager mode) nothing is warmed: a rebuild inside the request would only slow
the write down; the next read fills the cache as it always does.
"""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from dashboard import selectors
from dashboard.cache_families import (
    DASHBOARD_ACTIVITIES,
    DASHBOARD_REVENUE_CHART,
    DASHBOARD_STATS,
    DASHBOARD_TOP_PRODUCTS,
)
from shop.cache import acquire_debounce, clear
from shop.queueing import eager, enqueue

# Family → the reads worth having warm: the API's defaults and what /dashboard/ shows.
WARM_READS: dict[str, list[Callable[[], object]]] = {
    DASHBOARD_STATS.name: [selectors.dashboard_stats],
    DASHBOARD_TOP_PRODUCTS.name: [lambda: selectors.dashboard_top_products(limit=5)],
    DASHBOARD_REVENUE_CHART.name: [
        lambda: selectors.dashboard_revenue_chart(days=7),
        lambda: selectors.dashboard_revenue_chart(days=30),
    ],
    DASHBOARD_ACTIVITIES.name: [
        lambda: selectors.dashboard_activities(limit=20),
        lambda: selectors.dashboard_activities(limit=10),
    ],
}


def dashboard_family_warm(*, family: str) -> int:
    """Read the family's common keys through the cache (filling what is missing). Returns reads made."""
    reads = WARM_READS.get(family, [])
    for read in reads:
        read()
    return len(reads)


def dashboard_stats_refresh(*, cause: str = "scheduled refresh") -> None:
    """Rebuild dashboard:stats:today before its TTL runs out: clear, then read through (never stale)."""
    clear(DASHBOARD_STATS.name, cause=cause)
    dashboard_family_warm(family=DASHBOARD_STATS.name)


def dashboard_stats_rollover(*, now: datetime | None = None) -> bool:
    """Beat runs this every quarter hour; in the quarter hour after the business's local midnight it
    clears "today" so the new day starts from zero, and builds it again. Returns whether it did.

    Every timezone's offset is a multiple of 15 minutes, so a quarter-hour tick in TIME_ZONE is
    one in the business's timezone (Business.timezone, which staff may change at any time) too.
    """
    local = (now or timezone.now()).astimezone(selectors.business_timezone())
    if (local.hour, local.minute) >= (0, 15):
        return False
    dashboard_stats_refresh(cause="midnight rollover")
    return True


def warmup_schedule(sender, *, family: str, cause: str = "", **kwargs) -> None:
    """`family_invalidated` receiver (runs after commit): queue a debounced warm-up of the family."""
    if family not in WARM_READS or eager():
        return
    from dashboard.tasks import dashboard_family_warm as dashboard_family_warm_task

    window = settings.DASHBOARD_WARMUP_DEBOUNCE
    if acquire_debounce(f"warmup:{family}", window):
        enqueue(dashboard_family_warm_task, family, countdown=window)
