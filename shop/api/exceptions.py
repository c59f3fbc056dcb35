"""One exception handler: every error under /api/v1/ becomes the envelope with its `code`, never a stack trace."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from shop.errors import ApplicationError

from .responses import error_body

logger = logging.getLogger("shop.api")

# A domain error's code → its HTTP status.
STATUS_OF_CODE = {
    "validation_error": 400,
    "not_authenticated": 401,
    "permission_denied": 403,
    "not_found": 404,
    "conflict": 409,
}

# DRF's exceptions → (code, message).
DRF_ERRORS = {
    exceptions.ValidationError: ("validation_error", "Validation failed"),
    exceptions.ParseError: ("validation_error", "Malformed request body"),
    exceptions.NotAuthenticated: ("not_authenticated", "Authentication required"),
    exceptions.AuthenticationFailed: ("not_authenticated", "Invalid credentials"),
    exceptions.PermissionDenied: ("permission_denied", "You do not have permission to do this"),
    exceptions.NotFound: ("not_found", "Not found"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "Method not allowed"),
    exceptions.NotAcceptable: ("not_acceptable", "Not acceptable"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "Unsupported media type"),
    exceptions.Throttled: ("throttled", "Too many requests"),
}


def _errors_of(exc: exceptions.APIException):
    detail = exc.detail
    if isinstance(detail, dict):
        return detail
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return None


def _code_and_message(exc: exceptions.APIException) -> tuple[str, str]:
    code, message = next(((c, m) for cls, (c, m) in DRF_ERRORS.items() if isinstance(exc, cls)), (None, None))
    if message is None or isinstance(exc, (exceptions.NotFound, exceptions.PermissionDenied)):
        message = str(exc.detail) if not isinstance(exc.detail, (dict, list)) else (message or "Request failed")
    return code or ("server_error" if exc.status_code >= 500 else "validation_error"), message


def envelope_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.message, exc.errors, code=exc.code), status=STATUS_OF_CODE[exc.code])
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("Database unavailable: %s", exc)
        body = error_body("Service temporarily unavailable: the database is unreachable", code="unavailable")
        return Response(body, status=503)

    if isinstance(exc, exceptions.APIException):
        code, message = _code_and_message(exc)
        errors = _errors_of(exc) if isinstance(exc, exceptions.ValidationError) else None
        if isinstance(exc, exceptions.ParseError):
            errors = {"body": [str(exc.detail)]}
        response = Response(error_body(message, errors, code=code), status=exc.status_code)
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
    return Response(
        error_body("Internal server error", code="server_error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )
