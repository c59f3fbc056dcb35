"""The envelope of API.md: {"success": true, "message": ..., "data": {...}}, and cached reads rendered from
their stored bytes with `fromCache`, `X-Cache`, a strong ETag (304 on a match) and gzip when it pays."""

import gzip
import json

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from rest_framework.response import Response

from shop.cache import Cached, CachedRead

_TRUE, _FALSE = b',"fromCache":true}}', b',"fromCache":false}}'
GZIP_MIN_BYTES = 1024


def ok(data: dict | None, message: str, status: int = 200) -> Response:
    return Response({"success": True, "message": message, "data": data}, status=status)


def error_body(message: str, errors=None, *, code: str) -> dict:
    """API.md's error envelope; `code` is the stable machine-readable kind (validation_error, not_found, ...)."""
    return {"success": False, "code": code, "message": message, "errors": errors}


# What an error status means when nothing more specific is known (an error raised before any view ran,
# or a page Django rendered itself): its `code` and message.
ERROR_OF_STATUS = {
    400: ("validation_error", "Bad request"),
    401: ("not_authenticated", "Authentication required"),
    403: ("permission_denied", "You do not have permission to do this"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    429: ("throttled", "Too many requests"),
    500: ("server_error", "Internal server error"),
    503: ("unavailable", "Service temporarily unavailable"),
}


def error_response(status: int, message: str | None = None, errors=None) -> JsonResponse:
    """The error envelope for `status` as a plain Django response (for code that runs outside DRF)."""
    code, default_message = ERROR_OF_STATUS.get(status) or (
        ("server_error", "Internal server error") if status >= 500 else ("validation_error", "Bad request")
    )
    return JsonResponse(error_body(message or default_message, errors, code=code), status=status)


def _accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def representation_etag(etag: str, *, hit: bool, gzipped: bool) -> str:
    """A strong ETag per representation: the payload's digest, and whether the body says fromCache
    true or false and is gzip-encoded (each makes different bytes)."""
    return '"' + etag + ("" if hit else "-m") + ("-gz" if gzipped else "") + '"'


def _if_none_match(request: HttpRequest) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _hit_digest_asked(request: HttpRequest) -> tuple[str, str]:
    """The payload digest of a HIT representation the client already holds (for Redis to compare),
    and that representation's ETag."""
    for tag in _if_none_match(request):
        digest = tag.strip('"').removesuffix("-gz")
        if len(digest) == 16 and "-" not in digest:
            return digest, tag
    return "", ""


def cached_read_response(request: HttpRequest, read: CachedRead, message: str, **args) -> HttpResponse:
    """Serve a cached read: 304 when the client's ETag still matches (no body, no SQL), else the body."""
    digest, tag = _hit_digest_asked(request)
    cached = read(if_none_match=digest, **args)
    if cached.not_modified:
        return _not_modified(tag, hit=True)
    return cached_ok(request, cached, message)


def cached_ok(request: HttpRequest, cached: Cached, message: str) -> HttpResponse:
    """A cached read, rendered from the stored JSON bytes without re-serializing them.

    The stored payload is a JSON object; `fromCache` is spliced in as its last member."""
    held = _if_none_match(request)
    for gzipped in (False, True):
        etag = representation_etag(cached.etag, hit=cached.hit, gzipped=gzipped)
        if etag in held:
            return _not_modified(etag, hit=cached.hit)
    gzipped = _accepts_gzip(request)
    head = b'{"success":true,"message":' + json.dumps(message).encode() + b',"data":'
    payload = cached.raw
    if payload == b"{}":
        body = head + (b'{"fromCache":true}}' if cached.hit else b'{"fromCache":false}}')
    else:
        body = head + payload[:-1] + (_TRUE if cached.hit else _FALSE)
    gzipped = gzipped and len(body) > GZIP_MIN_BYTES
    content = gzip.compress(body, compresslevel=5, mtime=0) if gzipped else body
    response = HttpResponse(content, content_type="application/json")
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["ETag"] = representation_etag(cached.etag, hit=cached.hit, gzipped=gzipped)
    response["X-Cache"] = "HIT" if cached.hit else "MISS"
    return response


def _not_modified(etag: str, *, hit: bool) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    response["X-Cache"] = "HIT" if hit else "MISS"
    return response
