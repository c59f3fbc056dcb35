"""Errors raised outside DRF views (middleware, URL resolution) under /api/ still get the envelope."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from .responses import error_body

logger = logging.getLogger("shop.api")


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("Database unavailable: %s", exception)
            if is_api_path(request.path):
                return JsonResponse(
                    error_body("Service temporarily unavailable: the database is unreachable"), status=503
                )
        return None


def api_not_found(request, exception=None):
    return JsonResponse(error_body("Not found"), status=404)


def api_server_error(request):
    return JsonResponse(error_body("Internal server error"), status=500)
