"""Admin list filters on the store's clock.

`StoreDayRangeFilter` filters a datetime field by local calendar days in the active timezone,
which on staff pages is the store's (dashboard.middleware.StoreTimezoneMiddleware). Its periods
are the dashboard's: "Last 7 days" is today and the six days before it, and a dashboard figure's
link names its days explicitly with `<field>__from` / `<field>__to` (ISO dates, both included).
"""

from datetime import date, timedelta

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils import timezone
from django.utils.dateformat import format as date_format

from shop.clock import local_days_bounds

# (label, days ending today); None: yesterday alone.
PRESETS = (("Today", 1), ("Yesterday", None), ("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90))


def day_range_params(field_path: str, first: date, last: date) -> dict[str, str]:
    """The query-string parameters that select the local days `first`..`last` on `field_path`."""
    return {f"{field_path}__from": first.isoformat(), f"{field_path}__to": last.isoformat()}


def day_range_label(first: date, last: date) -> str:
    if first == last:
        return date_format(first, "D j M Y")
    same_year = first.year == last.year
    return f"{date_format(first, 'j M' if same_year else 'j M Y')} – {date_format(last, 'j M Y')}"


class StoreDayRangeFilter(admin.FieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        self.param_from, self.param_to = f"{field_path}__from", f"{field_path}__to"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = f"{getattr(field, 'verbose_name', field_path)} (store days)"
        self.first = self.last = None
        given_from, given_to = self.used_parameters.get(self.param_from), self.used_parameters.get(self.param_to)
        if given_from is None and given_to is None:
            return
        try:
            self.first = date.fromisoformat(self._one(given_from or given_to))
            self.last = date.fromisoformat(self._one(given_to or given_from))
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error
        if self.last < self.first:
            raise IncorrectLookupParameters(f"{self.param_to} is before {self.param_from}")

    @staticmethod
    def _one(value) -> str:
        return value[-1] if isinstance(value, list) else value

    def expected_parameters(self):
        return [self.param_from, self.param_to]

    def queryset(self, request, queryset):
        if self.first is None:
            return queryset
        start, end = local_days_bounds(self.first, self.last, timezone.get_current_timezone())
        return queryset.filter(**{f"{self.field_path}__gte": start, f"{self.field_path}__lt": end})

    def _presets(self):
        today = timezone.localdate()
        for label, days in PRESETS:
            if days is None:
                yesterday = today - timedelta(days=1)
                yield label, yesterday, yesterday
            else:
                yield label, today - timedelta(days=days - 1), today

    def choices(self, changelist):
        yield {
            "selected": self.first is None,
            "query_string": changelist.get_query_string(remove=[self.param_from, self.param_to]),
            "display": "Any date",
        }
        matched = False
        for label, first, last in self._presets():
            selected = (first, last) == (self.first, self.last)
            matched = matched or selected
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string(day_range_params(self.field_path, first, last)),
                "display": label,
            }
        if self.first is not None and not matched:
            yield {
                "selected": True,
                "query_string": changelist.get_query_string(day_range_params(self.field_path, self.first, self.last)),
                "display": day_range_label(self.first, self.last),
            }
