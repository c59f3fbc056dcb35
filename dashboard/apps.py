from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"

    def ready(self):
        from shop.cache import family_invalidated

        from .warmup import warmup_schedule

        family_invalidated.connect(warmup_schedule, dispatch_uid="dashboard.warmup_schedule")
