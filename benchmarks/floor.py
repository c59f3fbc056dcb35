"""The framework floor: a DRF view that returns a constant through the API's middleware and auth.

Mounted at /api/v1/bench/floor by benchmarks/urls.py, under the benchmark settings only (benchmarks/settings/).
`make bench` compares each cached read's hit path with it: the difference is what the cache
layer and the view cost on top of Django + DRF themselves.
"""

from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

# The same envelope shape as a cached read, already encoded, as a hit's body is.
BODY = b'{"success":true,"message":"Floor","data":{"floor":true,"fromCache":true}}'


class FloorView(APIView):
    """Default authentication classes (JWT, session) run as for any API view; anyone may call it."""

    permission_classes = [AllowAny]

    def get(self, request):
        return HttpResponse(BODY, content_type="application/json")


urlpatterns = [path("bench/floor", FloorView.as_view(), name="bench-floor")]
