"""Admin actions that change many rows with one UPDATE."""

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet


def queryset_update_action(model_admin: admin.ModelAdmin, request, queryset: QuerySet, *, done: str, **values) -> None:
    """Set `values` on the selected rows and tell the admin "<n> <done>."."""
    with transaction.atomic():
        updated = queryset.update(**values)
    model_admin.message_user(request, f"{updated} {done}.")
