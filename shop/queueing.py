"""Queueing Celery tasks without ever failing the caller.

A write that queues work (a notification's delivery, a cache warm-up) must succeed even when the
broker is down: its rows are already committed, and whatever was not queued is picked up later
(`notifications_retry_pending` on beat; a cold cache simply fills on the next read). So `enqueue`
catches the broker's errors, logs the outage once rather than per request, and skips the broker for
a short cool-down after a failure so that a hung broker costs one timeout, not one per request.
"""

import logging
import threading
import time

from celery import Task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger("shop.queueing")


class BrokerOutage:
    """Remembers that the broker failed: skip it for a cool-down, log the outage once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0

    def allow(self) -> bool:
        """May this caller try the broker? During an outage, one caller per cool-down probes it."""
        with self._lock:
            if not self._down:
                return True
            if time.monotonic() < self._retry_at:
                return False
            self._retry_at = time.monotonic() + settings.CELERY_PUBLISH_COOLDOWN
            return True

    def failed(self, task_name: str, error: Exception) -> None:
        with self._lock:
            first = not self._down
            self._down = True
            self._retry_at = time.monotonic() + settings.CELERY_PUBLISH_COOLDOWN
        if first:
            logger.error(
                "Celery broker unreachable (%s: %s) while queueing %s; tasks are not being queued, "
                "retrying every %.0fs. Pending notifications are re-queued by beat once it is back.",
                type(error).__name__,
                error,
                task_name,
                settings.CELERY_PUBLISH_COOLDOWN,
            )

    def succeeded(self) -> None:
        with self._lock:
            recovered, self._down = self._down, False
        if recovered:
            logger.warning("Celery broker reachable again; queueing resumes")


broker_outage = BrokerOutage()


def enqueue(task: Task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Queue `task(*args, **kwargs)`. Returns whether it was queued; never raises a broker error."""
    if not broker_outage.allow():
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    except OperationalError as error:
        broker_outage.failed(task.name, error)
        return False
    broker_outage.succeeded()
    return True


def enqueue_on_commit(task: Task, *args, countdown: float | None = None, **kwargs) -> None:
    """Queue the task once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown, **kwargs))


def eager() -> bool:
    """True when there is no broker: tasks run in the caller's process as they are queued."""
    from config.celery_app import app

    return bool(app.conf.task_always_eager)
