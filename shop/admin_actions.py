"""Admin actions and saves go through the services (the only writers), so every change is
validated the same way, clears the cache, and lands in the activity log; the admin adds its own
history entry (LogEntry) for each row it changed."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpResponseRedirect

from shop.errors import ApplicationError


def apply_each(
    model_admin: admin.ModelAdmin,
    request,
    queryset: QuerySet,
    change: Callable[[Model], object],
    *,
    done: str,
    history: str | Callable[[Model], str],
) -> int:
    """Run a service per selected row (each in its own transaction); report what changed and what
    the service refused, and why. Returns how many rows changed."""
    changed, refused = 0, []
    for obj in queryset.order_by("pk"):
        before = history(obj) if callable(history) else history
        try:
            change(obj)
        except ApplicationError as error:
            refused.append(f"{obj}: {error.message}")
            continue
        changed += 1
        model_admin.log_change(request, obj, before)
    if changed:
        model_admin.message_user(request, f"{changed} {done}.", messages.SUCCESS)
    if refused:
        model_admin.message_user(request, "Not changed: " + "; ".join(refused), messages.ERROR)
    return changed


class ServiceSavesMixin:
    """A ModelAdmin whose saves call services. A service may still refuse after the form was
    valid (a concurrent write, a rule only the service knows): the admin then says why and
    shows the page again instead of a server error; nothing was written (each service runs in
    its own transaction, inside the admin's)."""

    def _refused(self, request, error: ApplicationError):
        details = "; ".join(
            f"{name}: {' '.join(map(str, problems))}" for name, problems in (error.errors or {}).items()
        )
        self.message_user(request, f"Not saved: {error.message}" + (f" ({details})" if details else ""), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ApplicationError as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as error:
            return self._refused(request, error)
