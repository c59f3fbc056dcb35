"""Reads of the store's core. The business row is cached under `business:info`."""

from django.db.models import QuerySet

from shop.api.pagination import paginate
from shop.cache import Cached, read_through
from shop.cache_families import BUSINESS_INFO
from shop.errors import NotFound
from shop.models import Business, Notification, User
from shop.serializers import BusinessOutputSerializer, NotificationOutputSerializer


def business_get() -> Business | None:
    return Business.objects.first()


def business_info_cached() -> Cached:
    """`{business}`; 404 (and nothing cached) while the store has no business row."""

    def load() -> dict:
        business = business_get()
        if business is None:
            raise NotFound("Business not configured")
        return {"business": BusinessOutputSerializer(business).data}

    return read_through(BUSINESS_INFO, {}, load)


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_page(*, user: User, query_params) -> dict:
    """`{notifications, unread_count, count, page, pages}`, newest first. Never cached: it is per user."""
    data = paginate(
        notification_list(user=user),
        query_params,
        lambda rows: NotificationOutputSerializer(rows, many=True).data,
        key="notifications",
    )
    data["unread_count"] = Notification.objects.filter(user=user, is_read=False).count()
    return data
