"""Admin actions that change many rows with one UPDATE."""

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet

from shop.cache import invalidate_models_on_commit


def queryset_update_action(model_admin: admin.ModelAdmin, request, queryset: QuerySet, *, done: str, **values) -> None:
    """Set `values` on the selected rows and tell the admin "<n> <done>.".

    QuerySet.update() sends no signals, so the model's cache families are cleared here, after commit.
    """
    with transaction.atomic():
        updated = queryset.update(**values)
        invalidate_models_on_commit(queryset.model, cause=f"admin: {done} by {request.user}")
    model_admin.message_user(request, f"{updated} {done}.")
