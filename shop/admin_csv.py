"""CSV export of an admin list as it is filtered and searched on screen, streamed row by row."""

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value, tz) -> str:
    """One CSV cell. Times in the store's timezone with their offset; text that a spreadsheet would
    run as a formula (=, +, -, @ first) is prefixed with an apostrophe (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value, tz).isoformat(timespec="seconds")
    if isinstance(value, bool | int | Decimal):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def csv_rows(header: list[str], rows: Iterable[list], tz) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(value, tz) for value in row])


class CsvExportMixin:
    """Adds `<changelist>/export.csv`: the changelist's rows with its filters, search and ordering
    (every page, not just the one on screen), as `csv_columns` = [(header, row → value)]."""

    csv_columns: list[tuple[str, Callable]] = []
    csv_chunk_size = 2000

    def get_urls(self):
        opts = self.model._meta
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv_view),
            name=f"{opts.app_label}_{opts.model_name}_export",
        )
        return [export, *super().get_urls()]

    def export_csv_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("These filters are not valid for this list.", content_type="text/plain")
        # The response is streamed after this view (and the store-timezone middleware) returned:
        # the timezone is taken now and handed to the generator.
        tz = timezone.get_current_timezone()
        rows = ([get(obj) for _, get in self.csv_columns] for obj in changelist.queryset.iterator(self.csv_chunk_size))
        response = StreamingHttpResponse(
            csv_rows([header for header, _ in self.csv_columns], rows, tz), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime(timezone.now(), tz).strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="{self.model._meta.model_name}s-{stamp}.csv"'
        return response

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"export_url": self.csv_export_url(request), **(extra_context or {})})

    def csv_export_url(self, request) -> str:
        opts = self.model._meta
        query = request.GET.urlencode()
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_export") + (f"?{query}" if query else "")
