from django import forms

from .selectors import DAYS_RANGE

CHART_PERIODS = (7, 30, 90)


class ChartPeriodForm(forms.Form):
    """`?days=` on /dashboard/: the same 1–90 bound as the API; anything else falls back to 7."""

    days = forms.IntegerField(min_value=DAYS_RANGE[0], max_value=DAYS_RANGE[1], required=False)

    def days_or_default(self, default: int = CHART_PERIODS[0]) -> int:
        if self.is_valid() and self.cleaned_data["days"] is not None:
            return self.cleaned_data["days"]
        return default
