from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Store"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .cache.signals import connect_declared_families

        autodiscover_modules("cache_families")
        connect_declared_families()
