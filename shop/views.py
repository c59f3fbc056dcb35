"""Error pages: JSON envelopes under /api/, Django's pages elsewhere.

Errors inside the API's views get the envelope from the DRF exception handler
(shop.api.exceptions); these cover what never reaches a view, such as an unknown URL.
"""

from django.http import JsonResponse
from django.views import defaults

from shop.api.responses import error_body


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def not_found(request, exception=None):
    if is_api_path(request.path):
        return JsonResponse(error_body("Not found", code="not_found"), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_path(request.path):
        return JsonResponse(error_body("Internal server error", code="server_error"), status=500)
    return defaults.server_error(request)
