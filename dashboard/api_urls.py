from django.urls import path

from . import api

app_name = "dashboard-api"

urlpatterns = [
    path("stats", api.DashboardStatsApi.as_view(), name="stats"),
    path("top-products", api.DashboardTopProductsApi.as_view(), name="top-products"),
    path("revenue-chart", api.DashboardRevenueChartApi.as_view(), name="revenue-chart"),
    path("activities", api.DashboardActivitiesApi.as_view(), name="activities"),
]
