"""Celery tasks of the store's core: thin, they load by id and call a service."""

import logging
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from shop import notifications
from shop.channels import ChannelError

logger = logging.getLogger("shop.notifications")


@shared_task(bind=True, max_retries=None)  # retries are counted against the setting below
def notification_deliver(self, notification_id: int) -> None:
    """Deliver one notification; retry with exponential backoff, record the failure when retries run out."""
    try:
        notifications.notification_deliver(notification_id=notification_id)
    except ChannelError as error:
        retries = self.request.retries
        if retries >= settings.NOTIFICATION_DELIVERY_MAX_RETRIES:
            logger.warning("Notification %s not delivered after %d attempts: %s", notification_id, retries + 1, error)
            notifications.notification_delivery_fail(notification_id=notification_id, error=error)
            return
        countdown = get_exponential_backoff_interval(
            factor=settings.NOTIFICATION_DELIVERY_BACKOFF,
            retries=retries,
            maximum=settings.NOTIFICATION_DELIVERY_BACKOFF_MAX,
            full_jitter=True,
        )
        raise self.retry(exc=error, countdown=countdown) from None


@shared_task
def notifications_retry_pending() -> int:
    """Beat: queue again the deliveries that are still pending after a while (broker was down, say)."""
    return notifications.notifications_requeue_pending(
        older_than=timedelta(minutes=settings.NOTIFICATION_RETRY_PENDING_AFTER_MINUTES),
        limit=settings.NOTIFICATION_RETRY_PENDING_BATCH,
    )
