"""The dashboard's period: its arithmetic and its bounds (declared once)."""

from datetime import date

import pytest

from dashboard.periods import DAYS_RANGE, HISTORY_DAYS, Period, PeriodError

TODAY = date(2026, 3, 5)


def test_a_period_ending_today_and_the_one_before_it():
    period = Period.ending(days=7, today=TODAY)
    assert (period.first, period.last, period.days) == (date(2026, 2, 27), TODAY, 7)
    assert period.previous == Period(first=date(2026, 2, 20), last=date(2026, 2, 26))
    assert period.dates()[0] == period.first and period.dates()[-1] == period.last and len(period.dates()) == 7


@pytest.mark.parametrize(
    "period, label",
    [
        (Period.ending(days=1, today=TODAY), "today"),
        (Period.ending(days=30, today=TODAY), "last 30 days"),
        (Period(first=date(2026, 3, 2), last=date(2026, 3, 2)), "Mon 2 Mar 2026"),
        (Period(first=date(2026, 2, 2), last=date(2026, 3, 1)), "2 Feb – 1 Mar 2026"),
        (Period(first=date(2025, 12, 20), last=date(2026, 1, 3)), "20 Dec 2025 – 3 Jan 2026"),
    ],
)
def test_a_period_names_itself(period, label):
    assert period.label(TODAY) == label


@pytest.mark.parametrize(
    "first, last",
    [
        (date(2026, 3, 5), date(2026, 3, 4)),  # ends before it starts
        (date(2025, 12, 4), date(2026, 3, 4)),  # 91 days
        (date(2026, 3, 1), date(2026, 3, 6)),  # ends tomorrow
        (date(2025, 3, 4), date(2025, 3, 10)),  # starts 366 days back
    ],
)
def test_periods_outside_the_bounds_are_refused(first, last):
    with pytest.raises(PeriodError):
        Period(first=first, last=last).check(TODAY)


def test_the_widest_periods_inside_the_bounds_are_accepted():
    Period.ending(days=DAYS_RANGE[1], today=TODAY).check(TODAY)
    Period(first=date(2025, 3, 5), last=date(2025, 3, 5)).check(TODAY)  # exactly HISTORY_DAYS back
    assert (TODAY - date(2025, 3, 5)).days == HISTORY_DAYS
