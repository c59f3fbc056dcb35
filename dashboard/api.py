"""The dashboard API (admin only): parse the query string, call a cached selector, render its bytes."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from shop.api import examples as ex
from shop.api.permissions import IsAdmin
from shop.api.query import Int, QuerySpec, accepts_query
from shop.api.responses import cached_read_response
from shop.api.schema import envelope, error_responses

from . import cached, selectors

ERRORS = error_responses(400, 401, 403)


# One spec per route, with the bounds declared once in the selectors (the HTML page's form uses them too).
TOP_PRODUCTS_QUERY = QuerySpec(
    limit=Int(*selectors.LIMIT_RANGE, default=5, description="How many products (1–50, default 5).")
)
REVENUE_CHART_QUERY = QuerySpec(
    days=Int(*selectors.DAYS_RANGE, default=7, description="How many days, ending today (1–90, default 7).")
)
ACTIVITIES_QUERY = QuerySpec(
    limit=Int(*selectors.LIMIT_RANGE, default=20, description="How many entries (1–50, default 20).")
)


def _stats_fields() -> dict:
    return {
        "todayRevenue": serializers.DecimalField(max_digits=14, decimal_places=2),
        "todayOrders": serializers.IntegerField(help_text="Orders created today (business timezone)"),
        "totalUsers": serializers.IntegerField(help_text="Active users"),
        "activeOrders": serializers.IntegerField(help_text="Pending + preparing + out-for-delivery, all time"),
        "completedOrders": serializers.IntegerField(help_text="Orders created today that are delivered"),
        "cancelledOrders": serializers.IntegerField(help_text="Orders created today that are cancelled"),
        "lastUpdated": serializers.DateTimeField(),
    }


class DashboardApi(APIView):
    permission_classes = [IsAdmin]


class DashboardStatsApi(DashboardApi):
    @extend_schema(
        operation_id="dashboard_stats",
        summary="Today's figures",
        description=(
            "Today in the store's timezone; cached 120 s under `dashboard:stats:today` and refreshed in the "
            "background. `activeOrders` counts pending, preparing and out-for-delivery orders of any day."
        ),
        responses={200: envelope("DashboardStats", _stats_fields(), cached=True), **ERRORS},
        examples=[
            ex.answer(
                "Dashboard stats retrieved",
                {
                    "todayRevenue": "1284.37",
                    "todayOrders": 41,
                    "totalUsers": 196,
                    "activeOrders": 12,
                    "completedOrders": 27,
                    "cancelledOrders": 2,
                    "lastUpdated": ex.NOW,
                    "fromCache": True,
                },
            )
        ],
    )
    def get(self, request):
        return cached_read_response(request, cached.dashboard_stats, "Dashboard stats retrieved")


class DashboardTopProductsApi(DashboardApi):
    @extend_schema_serializer(component_name="TopProduct")
    class ProductOutput(serializers.Serializer):
        product_id = serializers.IntegerField()
        name = serializers.CharField()
        category = serializers.CharField()
        totalQuantity = serializers.IntegerField()
        totalRevenue = serializers.DecimalField(max_digits=14, decimal_places=2)

    @extend_schema(
        operation_id="dashboard_top_products",
        summary="Best-selling products",
        description="By units sold, cancelled orders excluded; cached 300 s per `limit`.",
        examples=[
            ex.answer(
                "Top products retrieved",
                {
                    "products": [
                        {
                            "product_id": 9,
                            "name": "Butter Croissant",
                            "category": "Bakery",
                            "totalQuantity": 412,
                            "totalRevenue": "1339.00",
                        }
                    ],
                    "fromCache": True,
                },
            )
        ],
        responses={
            200: envelope("DashboardTopProducts", {"products": ProductOutput(many=True)}, cached=True),
            **ERRORS,
        },
    )
    @accepts_query(TOP_PRODUCTS_QUERY)
    def get(self, request):
        return cached_read_response(request, cached.dashboard_top_products, "Top products retrieved", **request.query)


class DashboardRevenueChartApi(DashboardApi):
    @extend_schema_serializer(component_name="RevenueDay")
    class DayOutput(serializers.Serializer):
        date = serializers.DateField()
        revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
        count = serializers.IntegerField(help_text="Completed payments that day")

    @extend_schema(
        operation_id="dashboard_revenue_chart",
        summary="Revenue per day",
        description=(
            "Completed payments per day in the store's timezone, by the day they completed, days without "
            "any included; cached 300 s per `days`."
        ),
        examples=[
            ex.answer(
                "Revenue chart retrieved",
                {
                    "chart": [
                        {"date": "2026-01-30", "revenue": "1512.80", "count": 48},
                        {"date": "2026-01-31", "revenue": "1284.37", "count": 41},
                    ],
                    "fromCache": False,
                },
                name="?days=2",
            )
        ],
        responses={200: envelope("DashboardRevenueChart", {"chart": DayOutput(many=True)}, cached=True), **ERRORS},
    )
    @accepts_query(REVENUE_CHART_QUERY)
    def get(self, request):
        return cached_read_response(request, cached.dashboard_revenue_chart, "Revenue chart retrieved", **request.query)


class DashboardActivitiesApi(DashboardApi):
    @extend_schema_serializer(component_name="Activity")
    class ActivityOutput(serializers.Serializer):
        id = serializers.IntegerField()
        action = serializers.CharField()
        description = serializers.CharField()
        user = serializers.EmailField(allow_null=True, help_text="Email of the user who acted, or null")
        created_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="dashboard_activities",
        summary="Recent activity",
        description="The newest activity log entries; cached 60 s per `limit`.",
        examples=[
            ex.answer(
                "Activities retrieved",
                {
                    "activities": [
                        {
                            "id": 1737,
                            "action": "order.placed",
                            "description": "customer@example.com placed order ORD-20260131-00041 (18.14)",
                            "user": "customer@example.com",
                            "created_at": ex.NOW,
                        }
                    ],
                    "fromCache": True,
                },
            )
        ],
        responses={
            200: envelope("DashboardActivities", {"activities": ActivityOutput(many=True)}, cached=True),
            **ERRORS,
        },
    )
    @accepts_query(ACTIVITIES_QUERY)
    def get(self, request):
        return cached_read_response(request, cached.dashboard_activities, "Activities retrieved", **request.query)
