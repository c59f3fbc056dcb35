"""Celery tasks of the dashboard: cache warm-up and the scheduled refreshes of "today"."""

from celery import shared_task

from dashboard import warmup


@shared_task
def dashboard_family_warm(family: str) -> int:
    """Rebuild a dashboard family's common keys after a write cleared it (queued debounced)."""
    return warmup.dashboard_family_warm(family=family)


@shared_task
def dashboard_stats_refresh() -> None:
    """Beat, more often than the TTL: rebuild dashboard:stats:today so staff almost never miss."""
    warmup.dashboard_stats_refresh()


@shared_task
def dashboard_stats_rollover() -> bool:
    """Beat, every quarter hour: at the business's local midnight, start "today" afresh."""
    return warmup.dashboard_stats_rollover()
