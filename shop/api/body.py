"""JSON request bodies, read once and checked once: UTF-8 JSON, no NaN/Infinity (written or by
overflow), at most `MAX_JSON_DEPTH` levels of nesting, no NUL character (nor a lone surrogate) in any
key or string.

`ApiEdgeMiddleware` parses every body under /api/ with `parse_json_body` before a view runs and keeps
the result on the request; `EdgeJSONParser` (DRF's parser for the API) hands that result to the view,
so a body is parsed once however it is read.
"""

import json

from django.conf import settings
from rest_framework.exceptions import NotAcceptable, ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser

from shop.json_values import json_value_problem

JSON_MEDIA_TYPE = "application/json"


class BodyError(ValueError):
    """The body is not acceptable JSON; the message says why."""


def max_json_depth() -> int:
    return settings.MAX_JSON_DEPTH


def _refuse_constant(name: str):
    raise BodyError(f"{name} is not a JSON number.")


def parse_json_body(raw: bytes):
    """The parsed body, or BodyError."""
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise BodyError(f"JSON nested deeper than {max_json_depth()} levels.") from None
    except UnicodeDecodeError:
        raise BodyError("The body is not UTF-8.") from None
    except ValueError as error:  # JSONDecodeError, a too-long integer, BodyError from a constant
        raise BodyError(f"JSON parse error: {error}") from None
    check_json_value(value)
    return value


def check_json_value(value, *, max_depth: int | None = None) -> None:
    """BodyError when `value` can't be stored (shop.json_values): NUL characters or lone surrogates,
    numbers JSON can't hold, nesting deeper than `max_depth` (MAX_JSON_DEPTH)."""
    problem = json_value_problem(value, max_depth=max_json_depth() if max_depth is None else max_depth)
    if problem:
        raise BodyError(problem)


class EdgeJSONParser(JSONParser):
    """DRF's JSON parser for the API: the body the edge middleware already parsed and checked, or
    (a request that did not come through the middleware) the same checks here."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        django_request = getattr(request, "_request", None)
        if django_request is not None and hasattr(django_request, "json_body"):
            return django_request.json_body
        try:
            return parse_json_body(stream.read() if stream is not None else b"")
        except BodyError as error:
            raise ParseError(str(error)) from None


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """An `Accept` the view cannot satisfy gets its first renderer (JSON for the API), not a 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type
