"""The dashboard page's period form: a preset or a range, inside the period's bounds."""

from datetime import date

import pytest

from dashboard.forms import DashboardPeriodForm
from dashboard.periods import Period

TODAY = date(2026, 3, 5)


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
