"""The save/delete signals of every tracked model: they make the writing process apply its outbox rows
right after the commit (tracking.write_observed). Writes that send no signals are seen by tracking.py."""

from django.apps import apps
from django.db import connections
from django.db.models.signals import post_delete, post_save

from .families import tracked_models
from .tracking import write_observed


def _apply_after_commit(sender, using, **kwargs):
    connection = connections[using]
    if connection.in_atomic_block:  # in autocommit the statement's own wrapper has applied it already
        write_observed(connection)


def connect_tracked_models() -> None:
    for label in tracked_models():
        model = apps.get_model(label)
        post_save.connect(_apply_after_commit, sender=model, dispatch_uid=f"shop.cache:{label}:save")
        post_delete.connect(_apply_after_commit, sender=model, dispatch_uid=f"shop.cache:{label}:delete")
