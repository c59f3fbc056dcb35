"""The dashboard's period form: the bounds come from dashboard.periods (declared once)."""

from datetime import date, timedelta

from django import forms

from .periods import DAYS_RANGE, DEFAULT_DAYS, HISTORY_DAYS, Period, PeriodError


class DashboardPeriodForm(forms.Form):
    """`?days=N` (N days ending today, 1–90; the page's buttons are 1, 7, 30 and 90) or a custom
    range `?start=YYYY-MM-DD&end=YYYY-MM-DD` (both included, 1–90 days, within the last year).
    Anything else is refused with a message, and the page shows the default period."""

    days = forms.IntegerField(min_value=DAYS_RANGE[0], max_value=DAYS_RANGE[1], required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        earliest = (today - timedelta(days=HISTORY_DAYS)).isoformat()
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(min=earliest, max=today.isoformat())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start or end:
            if not (start and end):
                raise forms.ValidationError("Give both dates of the range.")
            period = Period(first=start, last=end)
        else:
            period = Period.ending(days=data.get("days") or DEFAULT_DAYS, today=self.today)
        try:
            period.check(self.today)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None
        data["period"] = period
        return data

    def period(self) -> Period:
        """The period asked for, or the default one when nothing (or something invalid) was asked."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return Period.ending(days=DEFAULT_DAYS, today=self.today)

    def problems(self) -> list[str]:
        """What was wrong with the query string, in words (empty when unbound or valid)."""
        if not self.is_bound or self.is_valid():
            return []
        messages = []
        for name, errors in self.errors.items():
            label = "" if name == "__all__" else f"{self.fields[name].label or name.capitalize()}: "
            messages += [f"{label}{error}" for error in errors]
        return messages
