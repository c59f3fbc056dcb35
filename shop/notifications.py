"""Notifications: the row is written in the caller's transaction, delivery happens in the background.

Delivery is at least once: the task is queued after commit, retried with backoff while the channel
fails, and re-queued by beat if it was never queued (broker down) or lost. Each attempt is counted on
the row; when the retries run out the row says `failed` and why, so nothing is lost silently.
"""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from shop.channels import ChannelError, channel_get
from shop.models import Notification
from shop.queueing import enqueue, enqueue_on_commit

Delivery = Notification.Delivery


def notification_create(*, user, title: str, message: str = "", order=None, kind: str = "order_status") -> Notification:
    """Write the notification row now (never lost); delivery is queued after commit."""
    from shop.tasks import notification_deliver as notification_deliver_task

    notification = Notification.objects.create(user=user, order=order, kind=kind, title=title, message=message)
    enqueue_on_commit(notification_deliver_task, notification.pk)
    return notification


def _error_text(error: Exception) -> str:
    return (str(error) or type(error).__name__)[:1000]


def notification_deliver(*, notification_id: int) -> Notification | None:
    """One delivery attempt through the configured channel; raises ChannelError when it fails.

    A notification that is gone, or no longer pending (a re-queued duplicate), is left alone.
    """
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.delivery_status != Delivery.PENDING:
        return notification
    pending = Notification.objects.filter(pk=notification_id, delivery_status=Delivery.PENDING)
    try:
        channel_get().send(notification)
    except ChannelError as error:
        pending.update(delivery_attempts=F("delivery_attempts") + 1, delivery_error=_error_text(error))
        raise
    pending.update(
        delivery_status=Delivery.DELIVERED,
        delivered_at=timezone.now(),
        delivery_attempts=F("delivery_attempts") + 1,
        delivery_error="",
    )
    notification.refresh_from_db()
    return notification


def notification_delivery_fail(*, notification_id: int, error: Exception) -> None:
    """The retries ran out: record the failure on the row (it stays visible in the admin)."""
    Notification.objects.filter(pk=notification_id, delivery_status=Delivery.PENDING).update(
        delivery_status=Delivery.FAILED, delivery_error=_error_text(error)
    )


def notifications_requeue_pending(*, older_than: timedelta, limit: int) -> int:
    """Queue again deliveries still pending after `older_than` (never queued, or lost). Returns how many."""
    from shop.tasks import notification_deliver as notification_deliver_task

    cutoff = timezone.now() - older_than
    stuck = (
        Notification.objects.filter(delivery_status=Delivery.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for notification_id in stuck:
        if not enqueue(notification_deliver_task, notification_id):
            break  # the broker is still down: the next run tries again
        queued += 1
    return queued
