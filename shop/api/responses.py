"""The envelope of API.md: {"success": true, "message": ..., "data": {...}}."""

import json

from django.http import HttpResponse
from rest_framework.response import Response

from shop.cache import Cached

_TRUE, _FALSE = b',"fromCache":true}}', b',"fromCache":false}}'


def ok(data: dict | None, message: str, status: int = 200) -> Response:
    return Response({"success": True, "message": message, "data": data}, status=status)


def error_body(message: str, errors=None, *, code: str) -> dict:
    """API.md's error envelope; `code` is the stable machine-readable kind (validation_error, not_found, ...)."""
    return {"success": False, "code": code, "message": message, "errors": errors}


def cached_ok(cached: Cached, message: str) -> HttpResponse:
    """A cached read, rendered from the stored JSON bytes without re-serializing them.

    The stored payload is a JSON object; `fromCache` is spliced in as its last member.
    """
    head = b'{"success":true,"message":' + json.dumps(message).encode() + b',"data":'
    payload = cached.raw
    if payload == b"{}":
        body = head + (b'{"fromCache":true}}' if cached.hit else b'{"fromCache":false}}')
    else:
        body = head + payload[:-1] + (_TRUE if cached.hit else _FALSE)
    response = HttpResponse(body, content_type="application/json")
    response["X-Cache"] = "HIT" if cached.hit else "MISS"
    return response
