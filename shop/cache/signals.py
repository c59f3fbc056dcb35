"""Receivers that clear cache families after a write commits, connected from the declarations."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from . import invalidate_families_on_commit
from .families import all_families, families_cleared_by


def _receiver_for(label: str):
    def clear_families(sender, instance, **kwargs):
        signal_name = "delete" if "created" not in kwargs else ("create" if kwargs["created"] else "update")
        invalidate_families_on_commit(families_cleared_by(label), cause=f"{label} {signal_name} pk={instance.pk}")

    clear_families.__name__ = f"clear_cache_on_{label.replace('.', '_')}_write"
    return clear_families


_receivers = {}


def connect_declared_families() -> None:
    labels = sorted({label for family in all_families() for label in family.clears_on})
    for label in labels:
        model = apps.get_model(label)
        receiver = _receivers.setdefault(label, _receiver_for(label))
        post_save.connect(receiver, sender=model, dispatch_uid=f"shop.cache:{label}:save", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"shop.cache:{label}:delete", weak=False)
