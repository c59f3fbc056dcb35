"""Notifications: the row is written in the caller's transaction, delivery happens in the background."""

from shop.models import Notification


def notification_create(*, user, title: str, message: str = "", order=None, kind: str = "order_status") -> Notification:
    """Write the notification row now (never lost); delivery is queued after commit."""
    return Notification.objects.create(user=user, order=order, kind=kind, title=title, message=message)
