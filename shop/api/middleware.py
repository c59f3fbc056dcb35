"""The API's edge: what every request passes before a view runs, and every API response after.

Placed first in MIDDLEWARE, so that it sees every request before anything reads its body and
every response after Django and the other middleware are done with it:

1. a body over `MAX_REQUEST_BODY_BYTES` is 413 at once, unread (the envelope under /api/, plain text
   elsewhere);
2. under /api/, a body must be JSON (415 otherwise), well-formed, no deeper than `MAX_JSON_DEPTH`,
   and free of NUL characters (400 otherwise); it is parsed here, once (see `shop.api.body`);
3. under /api/v1/, the query string must match the handler's declared `QuerySpec` (400 otherwise);
   the cleaned dict is `request.query`;
4. every error response under /api/ that is not already the envelope (Django's own 400 for a bad
   `Host`, its 404 page in DEBUG, a DEBUG traceback page) is replaced by the envelope for its
   status, without a trace.
"""

import json

from django.conf import settings
from django.http import HttpResponse
from rest_framework.exceptions import ValidationError

from shop.api.body import JSON_MEDIA_TYPE, BodyError, parse_json_body
from shop.api.query import NO_QUERY, query_spec_of
from shop.api.responses import error_response

API_PREFIX = "/api/"
API_V1_PREFIX = "/api/v1/"
# Headers an error response keeps when it is rewritten into the envelope.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def _content_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads no body either


class ApiEdgeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path_info.startswith(API_PREFIX)
        refused = self._check_body(request, is_api=is_api)
        if refused is not None:
            return refused
        response = self.get_response(request)
        return as_envelope(response) if is_api else response

    def _check_body(self, request, *, is_api: bool):
        length = _content_length(request)
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            message = f"The request body is {length} bytes; the limit is {limit}."
            if is_api:
                return error_response(413, "Request body too large", {"body": [message]})
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        if not is_api or length == 0:
            return None
        charset = (request.content_params or {}).get("charset", "utf-8").lower()
        if request.content_type != JSON_MEDIA_TYPE or charset not in ("utf-8", "utf8"):
            given = request.META.get("CONTENT_TYPE") or "none"
            return error_response(
                415, "Unsupported media type", {"body": [f"Send JSON ({JSON_MEDIA_TYPE}), not {given[:100]}."]}
            )
        try:
            request.json_body = parse_json_body(request.body)
        except BodyError as error:
            return error_response(400, "Malformed request body", {"body": [str(error)]})
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(API_V1_PREFIX):
            return None
        view_class = getattr(view_func, "view_class", None)
        spec = query_spec_of(view_class, request.method) if view_class is not None else NO_QUERY
        if spec is None:  # no handler for this method: the view answers 405
            return None
        try:
            request.query = spec.clean(request.GET)
        except ValidationError as error:
            return error_response(400, "Validation failed", error.detail)
        return None


def _is_envelope(response) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("success") is False and isinstance(body.get("code"), str)


def as_envelope(response):
    """An error response that is not the envelope becomes the envelope for its status."""
    if response.status_code < 400 or response.streaming or _is_envelope(response):
        return response
    envelope = error_response(response.status_code)
    for header in KEPT_HEADERS:
        if header in response:
            envelope[header] = response[header]
    return envelope
