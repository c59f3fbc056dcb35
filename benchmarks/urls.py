"""The product's URLs plus the bench's framework floor (/api/v1/bench/floor). Benchmark settings only."""

from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [*product_urlpatterns, path("api/v1/", include("benchmarks.floor"))]
