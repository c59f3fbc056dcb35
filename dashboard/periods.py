"""The dashboard's period: a run of local days in the store's timezone, with its bounds declared once.

The same bounds serve the API (`days`), the page's form and the cached reads' key-space guard:
a period is 1 to 90 days long and starts at most a year before today, so the period families
hold a finite number of keys however the query string is tampered with.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.dateformat import format as date_format

from shop.clock import local_days_bounds

DAYS_RANGE = (1, 90)  # a period's length in days (the API's `days` too)
HISTORY_DAYS = 365  # a custom period starts at most this many days before today
PRESET_DAYS = (1, 7, 30, 90)  # the page's buttons: today, and periods ending today
DEFAULT_DAYS = 7


class PeriodError(ValueError):
    """A period outside the declared bounds."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @classmethod
    def ending(cls, *, days: int, today: date) -> "Period":
        return cls(first=today - timedelta(days=days - 1), last=today)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return Period(first=self.first - timedelta(days=self.days), last=self.first - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range(self.days)]

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        return local_days_bounds(self.first, self.last, tz)

    def preset(self, today: date) -> int | None:
        """The preset this period is (its length, when it ends today and is one of the buttons)."""
        return self.days if self.last == today and self.days in PRESET_DAYS else None

    def check(self, today: date) -> None:
        """Raise PeriodError unless the period is within the bounds (the key-space guard)."""
        low, high = DAYS_RANGE
        if self.last < self.first:
            raise PeriodError("The period ends before it starts.")
        if not low <= self.days <= high:
            raise PeriodError(f"A period is {low} to {high} days long; this one is {self.days}.")
        if self.last > today:
            raise PeriodError("A period can't end after today.")
        if self.first < today - timedelta(days=HISTORY_DAYS):
            raise PeriodError(f"A period starts at most {HISTORY_DAYS} days before today.")

    def label(self, today: date) -> str:
        """ "today", "last 7 days", "Mon 2 Mar 2026" or "2 Mar – 15 Mar 2026"."""
        if self.last == today:
            return "today" if self.days == 1 else f"last {self.days} days"
        if self.days == 1:
            return date_format(self.first, "D j M Y")
        first_format = "j M" if self.first.year == self.last.year else "j M Y"
        return f"{date_format(self.first, first_format)} – {date_format(self.last, 'j M Y')}"

    def key(self) -> dict[str, str]:
        """The cache key parameters."""
        return {"first": self.first.isoformat(), "last": self.last.isoformat()}
