from django.urls import path

import shop.api.converters  # noqa: F401 - registers <id:...>
from shop.api import auth, business, notifications, operations

urlpatterns = [
    path("auth/register", auth.RegisterApi.as_view(), name="auth-register"),
    path("auth/login", auth.LoginApi.as_view(), name="auth-login"),
    path("auth/refresh", auth.RefreshApi.as_view(), name="auth-refresh"),
    path("auth/logout", auth.LogoutApi.as_view(), name="auth-logout"),
    path("auth/me", auth.MeApi.as_view(), name="auth-me"),
    path("business", business.BusinessApi.as_view(), name="business"),
    path("notifications", notifications.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read-all", notifications.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path(
        "notifications/<id:notification_id>/read",
        notifications.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path("health", operations.HealthApi.as_view(), name="health"),
    path("cache/stats", operations.CacheStatsApi.as_view(), name="cache-stats"),
    path("cache/<str:family>", operations.CacheClearApi.as_view(), name="cache-clear"),
]
