"""One exception handler: every error under /api/v1/ becomes the envelope, never a stack trace."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from .errors import ApplicationError
from .responses import error_body

logger = logging.getLogger("shop.api")

MESSAGES = {
    exceptions.ValidationError: "Validation failed",
    exceptions.ParseError: "Malformed request body",
    exceptions.NotAuthenticated: "Authentication required",
    exceptions.AuthenticationFailed: "Invalid credentials",
    exceptions.PermissionDenied: "You do not have permission to do this",
    exceptions.NotFound: "Not found",
    exceptions.MethodNotAllowed: "Method not allowed",
    exceptions.NotAcceptable: "Not acceptable",
    exceptions.UnsupportedMediaType: "Unsupported media type",
    exceptions.Throttled: "Too many requests",
}


def _errors_of(exc: exceptions.APIException):
    detail = exc.detail
    if isinstance(detail, dict):
        return detail
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return None


def envelope_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.message, exc.errors), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("Database unavailable: %s", exc)
        return Response(error_body("Service temporarily unavailable: the database is unreachable"), status=503)

    if isinstance(exc, exceptions.APIException):
        message = next((m for cls, m in MESSAGES.items() if isinstance(exc, cls)), None)
        if message is None or isinstance(exc, (exceptions.NotFound, exceptions.PermissionDenied)):
            message = str(exc.detail) if not isinstance(exc.detail, (dict, list)) else (message or "Request failed")
        errors = _errors_of(exc) if isinstance(exc, exceptions.ValidationError) else None
        if isinstance(exc, exceptions.ParseError):
            errors = {"body": [str(exc.detail)]}
        response = Response(error_body(message, errors), status=exc.status_code)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response["Retry-After"] = str(int(exc.wait))
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            response["WWW-Authenticate"] = auth_header
        return response

    if isinstance(exc, DatabaseError):
        logger.exception("Database error")
    else:
        logger.exception("Unhandled error in API view")
    return Response(error_body("Internal server error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
