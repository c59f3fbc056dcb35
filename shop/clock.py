"""The store's clock: local calendar days in the business's timezone.

"Today", a dashboard period and the admin's date filters all mean local days from midnight to
midnight in Business.timezone (23 or 25 hours long across DST), computed by these helpers.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings


def zone(name: str | None) -> ZoneInfo:
    """The named timezone; settings.TIME_ZONE when the name is empty or unknown."""
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def local_day_start(day: date, tz: ZoneInfo) -> datetime:
    """The aware instant a local calendar day begins."""
    return datetime.combine(day, time.min, tzinfo=tz)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as aware datetimes."""
    return local_day_start(day, tz), local_day_start(day + timedelta(days=1), tz)


def local_days_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the local days `first` to `last`, both included."""
    return local_day_start(first, tz), local_day_start(last + timedelta(days=1), tz)
