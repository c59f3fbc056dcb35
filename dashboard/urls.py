from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("cache/", views.cache_monitor, name="cache"),
    path("cache/clear", views.cache_clear, name="cache-clear"),
]
