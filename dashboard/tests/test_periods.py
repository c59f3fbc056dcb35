"""The dashboard's period: its arithmetic, its bounds (declared once), the page's form."""

from datetime import date

import pytest

from dashboard.forms import DashboardPeriodForm
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


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, Period.ending(days=7, today=TODAY)),
        ({"days": "30"}, Period.ending(days=30, today=TODAY)),
        ({"days": "1"}, Period(first=TODAY, last=TODAY)),
        ({"start": "2026-02-01", "end": "2026-02-14"}, Period(first=date(2026, 2, 1), last=date(2026, 2, 14))),
    ],
)
def test_the_form_reads_a_preset_or_a_range(query, expected):
    form = DashboardPeriodForm(query or None, today=TODAY)
    assert form.period() == expected
    assert form.problems() == []


@pytest.mark.parametrize(
    "query, problem",
    [
        ({"days": "91"}, "Ensure this value is less than or equal to 90."),
        ({"days": "abc"}, "Enter a whole number."),
        ({"start": "2026-02-01"}, "Give both dates of the range."),
        ({"start": "2026-03-01", "end": "2026-03-09"}, "A period can't end after today."),
        ({"start": "2025-11-01", "end": "2026-03-01"}, "A period is 1 to 90 days long; this one is 121."),
        ({"start": "2024-01-01", "end": "2024-01-31"}, "A period starts at most 365 days before today."),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "Enter a valid date."),
    ],
)
def test_the_form_refuses_what_is_out_of_bounds_and_falls_back_to_seven_days(query, problem):
    form = DashboardPeriodForm(query, today=TODAY)
    assert form.period() == Period.ending(days=7, today=TODAY)
    assert any(problem in message for message in form.problems()), form.problems()


def test_the_date_inputs_carry_the_bounds():
    html = str(DashboardPeriodForm(None, today=TODAY)["start"])
    assert 'type="date"' in html and 'min="2025-03-05"' in html and 'max="2026-03-05"' in html
