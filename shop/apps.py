from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Store"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .cache import checks  # noqa: F401 - registers the system checks
        from .cache.outbox import sync_after_migrate
        from .cache.signals import connect_tracked_models
        from .cache.tracking import install

        autodiscover_modules("cache_families", "cached")  # the families, and the registry of cached reads
        connect_tracked_models()
        connection_created.connect(install, dispatch_uid="shop.cache.tracking")
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="shop.cache.outbox")
