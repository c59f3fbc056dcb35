"""The fix django-cacheops needs to stay correct in this project (benchmarks only, see
benchmarks/settings/cacheops.py): `QuerySet.update()` on a model cacheops caches invalidates like
cacheops' own `invalidated_update()`, so stock taken by an order clears the cached product rows."""

import threading

from django.apps import AppConfig

_inside = threading.local()


def _cached_by_cacheops(model) -> bool:
    from cacheops.conf import model_profile

    return bool(model_profile(model))


def install() -> None:
    from django.db.models import QuerySet

    original = QuerySet.update
    if getattr(original, "_bench_fix", False):
        return

    def update(self, **kwargs):
        if getattr(_inside, "active", False) or not _cached_by_cacheops(self.model):
            return original(self, **kwargs)
        _inside.active = True
        try:
            return self.invalidated_update(**kwargs)  # cacheops' remedy, which calls update() once inside
        finally:
            _inside.active = False

    update._bench_fix = True
    QuerySet.update = update


class CacheopsUpdateFix(AppConfig):
    name = "benchmarks"
    label = "bench_cacheops_update"
    verbose_name = "Benchmark: cacheops invalidates on QuerySet.update()"

    def ready(self):
        install()
