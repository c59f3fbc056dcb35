"""Notification channels: how a notification reaches its user.

`settings.NOTIFICATION_CHANNEL` names the channel class by dotted path. A channel's `send` returns
when the notification was handed over and raises `ChannelError` when it was not; the delivery task
retries with backoff and, when the retries run out, records the failure on the notification.
The default channel writes the notification to the log: real, observable, and never down.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shop.models import Notification

logger = logging.getLogger("shop.notifications")


class ChannelError(Exception):
    """The channel could not deliver the notification this time (worth retrying)."""


class NotificationChannel(Protocol):
    def send(self, notification: Notification) -> None: ...


class LogChannel:
    """Delivers by logging: one INFO line per notification on the `shop.notifications` logger."""

    def send(self, notification: Notification) -> None:
        logger.info(
            "Notification %s to %s: %s%s",
            notification.pk,
            notification.user.email,
            notification.title,
            f" ({notification.message})" if notification.message else "",
        )


def channel_get() -> NotificationChannel:
    return import_string(settings.NOTIFICATION_CHANNEL)()
