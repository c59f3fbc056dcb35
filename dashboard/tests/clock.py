"""Wall-clock times in the fixture stores' timezone, New York: every figure a test expects is computable by hand."""

from datetime import datetime
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")


def ny(year, month, day, hour=12, minute=0, second=0) -> datetime:
    """A wall-clock time in New York (the fixture store's timezone)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=NEW_YORK)


# "Now" for the sample store: Thursday 2026-03-05, 15:00 in New York (EST, UTC-5).
SAMPLE_NOW = ny(2026, 3, 5, 15, 0)
