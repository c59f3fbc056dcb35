"""The dashboard API (admin only): parse the query string, call a cached selector, render its bytes."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from shop.api.permissions import IsAdmin
from shop.api.responses import cached_read_response
from shop.api.schema import envelope, error_responses

from . import cached, selectors

ERRORS = error_responses(400, 401, 403)


def query_ints(request, spec: dict[str, tuple[int, tuple[int, int]]]) -> dict[str, int]:
    """`spec`: name → (default, (low, high)). Unknown, repeated, blank, non-integer or out-of-range
    parameters are a 400, so the key space stays bounded. Plain code: this runs on every cache hit."""
    query, values, errors = request.query_params, {}, {}
    for name in sorted(set(query) - set(spec)):
        errors[name] = ["Unknown parameter."]
    for name, (default, (low, high)) in spec.items():
        given = query.getlist(name)
        if not given:
            values[name] = default
            continue
        text = given[0].strip()
        if len(given) > 1:
            errors[name] = ["Give this parameter once."]
        elif not text:
            errors[name] = ["A value is required."]
        elif not text.lstrip("-").isdigit() or text.count("-") > 1:
            errors[name] = ["A valid integer is required."]
        elif not low <= int(text) <= high:
            errors[name] = [f"Must be between {low} and {high}."]
        else:
            values[name] = int(text)
    if errors:
        raise serializers.ValidationError(errors)
    return values


def _int_param(name: str, default: int, bounds: tuple[int, int], description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, int, required=False, default=default, description=f"{description} ({bounds[0]}–{bounds[1]})"
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
        summary="Today's figures (cached 120 s)",
        responses={200: envelope("DashboardStats", _stats_fields(), cached=True), **ERRORS},
    )
    def get(self, request):
        query_ints(request, {})
        return cached_read_response(request, cached.dashboard_stats, "Dashboard stats retrieved")


class DashboardTopProductsApi(DashboardApi):
    class ProductOutput(serializers.Serializer):
        product_id = serializers.IntegerField()
        name = serializers.CharField()
        category = serializers.CharField()
        totalQuantity = serializers.IntegerField()
        totalRevenue = serializers.DecimalField(max_digits=14, decimal_places=2)

    @extend_schema(
        operation_id="dashboard_top_products",
        summary="Best-selling products, cancelled orders excluded (cached 300 s per limit)",
        parameters=[_int_param("limit", 5, selectors.LIMIT_RANGE, "How many products")],
        responses={
            200: envelope("DashboardTopProducts", {"products": ProductOutput(many=True)}, cached=True),
            **ERRORS,
        },
    )
    def get(self, request):
        params = query_ints(request, {"limit": (5, selectors.LIMIT_RANGE)})
        return cached_read_response(request, cached.dashboard_top_products, "Top products retrieved", **params)


class DashboardRevenueChartApi(DashboardApi):
    class DayOutput(serializers.Serializer):
        date = serializers.DateField()
        revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
        count = serializers.IntegerField(help_text="Completed payments that day")

    @extend_schema(
        operation_id="dashboard_revenue_chart",
        summary="Completed-payment revenue per local day, zero days included (cached 300 s per days)",
        parameters=[_int_param("days", 7, selectors.DAYS_RANGE, "How many days, ending today")],
        responses={200: envelope("DashboardRevenueChart", {"chart": DayOutput(many=True)}, cached=True), **ERRORS},
    )
    def get(self, request):
        params = query_ints(request, {"days": (7, selectors.DAYS_RANGE)})
        return cached_read_response(request, cached.dashboard_revenue_chart, "Revenue chart retrieved", **params)


class DashboardActivitiesApi(DashboardApi):
    class ActivityOutput(serializers.Serializer):
        id = serializers.IntegerField()
        action = serializers.CharField()
        description = serializers.CharField()
        user = serializers.EmailField(allow_null=True, help_text="Email of the user who acted, or null")
        created_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="dashboard_activities",
        summary="Most recent activity log entries (cached 60 s per limit)",
        parameters=[_int_param("limit", 20, selectors.LIMIT_RANGE, "How many entries")],
        responses={
            200: envelope("DashboardActivities", {"activities": ActivityOutput(many=True)}, cached=True),
            **ERRORS,
        },
    )
    def get(self, request):
        params = query_ints(request, {"limit": (20, selectors.LIMIT_RANGE)})
        return cached_read_response(request, cached.dashboard_activities, "Activities retrieved", **params)
