"""The dashboard API (admin only): parse the query string, call a cached selector, render its bytes."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from shop.api.permissions import IsAdmin
from shop.api.responses import cached_ok
from shop.api.schema import envelope, error_responses

from . import selectors

ERRORS = error_responses(400, 401, 403)


def parse_query(request, serializer_class) -> dict:
    """Validate the query string; unknown parameters are an error too (the key space stays bounded)."""
    serializer = serializer_class(data=request.query_params)
    unknown = sorted(set(request.query_params) - set(serializer.fields))
    if unknown:
        raise serializers.ValidationError({name: ["Unknown parameter."] for name in unknown})
    blank = sorted(name for name, value in request.query_params.items() if value.strip() == "")
    if blank:  # DRF would quietly use the default for `?limit=`
        raise serializers.ValidationError({name: ["A value is required."] for name in blank})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _int_param(name: str, default: int, bounds: tuple[int, int], description: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, required=False, default=default, description=f"{description} ({bounds[0]}–{bounds[1]})")


def _int_field(default: int, bounds: tuple[int, int]) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=bounds[0], max_value=bounds[1], default=default)


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
    class FilterSerializer(serializers.Serializer):
        pass

    @extend_schema(
        operation_id="dashboard_stats",
        summary="Today's figures (cached 120 s)",
        responses={200: envelope("DashboardStats", _stats_fields(), cached=True), **ERRORS},
    )
    def get(self, request):
        parse_query(request, self.FilterSerializer)
        return cached_ok(selectors.dashboard_stats(), "Dashboard stats retrieved")


class DashboardTopProductsApi(DashboardApi):
    class FilterSerializer(serializers.Serializer):
        limit = _int_field(5, selectors.LIMIT_RANGE)

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
        params = parse_query(request, self.FilterSerializer)
        return cached_ok(selectors.dashboard_top_products(limit=params["limit"]), "Top products retrieved")


class DashboardRevenueChartApi(DashboardApi):
    class FilterSerializer(serializers.Serializer):
        days = _int_field(7, selectors.DAYS_RANGE)

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
        params = parse_query(request, self.FilterSerializer)
        return cached_ok(selectors.dashboard_revenue_chart(days=params["days"]), "Revenue chart retrieved")


class DashboardActivitiesApi(DashboardApi):
    class FilterSerializer(serializers.Serializer):
        limit = _int_field(20, selectors.LIMIT_RANGE)

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
        params = parse_query(request, self.FilterSerializer)
        return cached_ok(selectors.dashboard_activities(limit=params["limit"]), "Activities retrieved")
