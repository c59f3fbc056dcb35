"""Background warm-up of the cache families, so staff rarely wait for a miss.

After an invalidation reaches a family (`family_invalidated`), a warm-up task is queued to run the
family's declared warm reads again (`@cached(..., warm=[...])`), debounced: the first clear in a
window takes a key (Django's cache `add`, SET NX with the window as TTL) and queues the task with
that window as countdown; clears during the window find the key taken and queue nothing. So a
burst of writes costs one rebuild per family per window, and that rebuild runs after the burst.

Without a broker (eager mode) nothing is warmed: a rebuild inside the request would only slow the
write down; the next read fills the cache as it always does.
"""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache as django_cache
from django.utils import timezone

from dashboard import selectors
from dashboard.cache_families import DASHBOARD_STATS
from shop.cache import cached_reads, clear
from shop.queueing import eager, enqueue


def warm_reads(family: str) -> list:
    return [(read, args) for read in cached_reads() if read.family.name == family for args in read.warm_args()]


def dashboard_family_warm(*, family: str) -> int:
    """Read the family's warm keys through the cache (filling what is missing). Returns reads made."""
    reads = warm_reads(family)
    for read, args in reads:
        read(**args)
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
    if eager() or not any(read.family.name == family and read.warm for read in cached_reads()):
        return
    from dashboard.tasks import dashboard_family_warm as dashboard_family_warm_task

    window = settings.DASHBOARD_WARMUP_DEBOUNCE
    if django_cache.add(f"warmup:{family}", 1, timeout=window):
        enqueue(dashboard_family_warm_task, family, countdown=window)
