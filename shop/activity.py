"""The activity log: one function writes it, so every entry has the same shape."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from shop.models import Activity


def activity_log(*, action: str, description: str, user=None, target: models.Model | None = None) -> Activity:
    """Record what happened (e.g. action="order.placed"). Saved in the caller's transaction.

    `target`: the row the entry is about, if any; the back office links the entry to it.
    """
    return Activity.objects.create(
        action=action,
        description=description[:500],
        user=user,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
    )
