"""The logged-in user's notifications: list (newest first), read one, read all."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from shop.api import examples as ex
from shop.api.pagination import paginate
from shop.api.query import PAGE_QUERY, accepts_query
from shop.api.responses import ok
from shop.api.schema import envelope, error_responses
from shop.selectors import notification_list, notification_unread_count
from shop.serializers import NotificationOutputSerializer
from shop.services import notification_mark_all_read, notification_mark_read


class NotificationListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_list",
        summary="Your notifications, newest first",
        description="Paginated; `unread_count` counts all your unread ones, not only this page's.",
        responses={
            200: envelope(
                "NotificationList",
                {"notifications": NotificationOutputSerializer(many=True), "unread_count": serializers.IntegerField()},
                paginated=True,
            ),
            **error_responses(400, 401),
        },
        examples=[ex.answer("Notifications retrieved", ex.page("notifications", [ex.NOTIFICATION], unread_count=1))],
    )
    @accepts_query(PAGE_QUERY)
    def get(self, request):
        data = paginate(
            notification_list(user=request.user),
            request.query,
            lambda rows: NotificationOutputSerializer(rows, many=True).data,
            key="notifications",
        )
        data["unread_count"] = notification_unread_count(user=request.user)
        return ok(data, "Notifications retrieved")


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_read",
        summary="Mark one of your notifications read",
        description="Another user's notification is 404. Marking a read one again changes nothing.",
        request=None,
        responses={
            200: envelope("NotificationRead", {"notification": NotificationOutputSerializer()}),
            **error_responses(401, 404),
        },
        examples=[ex.answer("Notification marked read", {"notification": {**ex.NOTIFICATION, "is_read": True}})],
    )
    def post(self, request, notification_id: int):
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
        return ok({"notification": NotificationOutputSerializer(notification).data}, "Notification marked read")


class NotificationReadAllApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_read_all",
        summary="Mark all your notifications read",
        description="`updated` is how many were unread.",
        request=None,
        responses={
            200: envelope(
                "NotificationsReadAll",
                {"updated": serializers.IntegerField(), "unread_count": serializers.IntegerField()},
            ),
            **error_responses(401),
        },
        examples=[ex.answer("Notifications marked read", {"updated": 3, "unread_count": 0})],
    )
    def post(self, request):
        updated = notification_mark_all_read(user=request.user)
        return ok({"updated": updated, "unread_count": 0}, "Notifications marked read")
