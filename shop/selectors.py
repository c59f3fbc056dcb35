"""Reads of the store's core."""

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import QuerySet

from shop.errors import NotFound
from shop.models import Business, Notification, User


def business_get() -> Business | None:
    """The business row itself (for writes and forms); reads go through `store_settings`."""
    return Business.objects.first()


@dataclass(frozen=True)
class StoreSettings:
    """What the rest of the store needs from the business row, read through `business:info`."""

    timezone: ZoneInfo
    currency: str
    is_open: bool
    delivery_fee: Decimal
    min_order_amount: Decimal
    tax_rate: Decimal
    configured: bool
    name: str = ""  # the store's name (the back office's top bar)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def store_settings() -> StoreSettings:
    """The business row's settings (defaults before the row exists): one Redis round trip on a hit."""
    from shop.cached import business_info

    try:
        business = business_info().data["business"]
    except NotFound:
        zero = Decimal("0")
        return StoreSettings(_zone(None), "", True, zero, zero, zero, configured=False)
    return StoreSettings(
        timezone=_zone(business["timezone"]),
        currency=business["currency"],
        is_open=business["is_open"],
        delivery_fee=Decimal(business["delivery_fee"]),
        min_order_amount=Decimal(business["min_order_amount"]),
        tax_rate=Decimal(business["tax_rate"]),
        configured=True,
        name=business["name"],
    )


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first. Never cached: it is per user."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, is_read=False).count()
