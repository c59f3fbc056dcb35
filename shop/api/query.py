"""One strict query-string spec per route: what it accepts, declared once.

A `QuerySpec` names every parameter a route takes, with its type and bounds. The same declaration
- cleans the query string (`spec.clean(request.GET)` → a canonical dict, defaults filled in; an
  unknown, repeated or malformed parameter raises the envelope's 400), which keeps the key space of
  cached reads bounded;
- documents it (`spec.openapi_parameters()`, read by the schema generator);
- gives HTML forms their fields (`param.form_field()`).

Routes declare theirs on the handler with `@accepts_query(SPEC)`; `ApiEdgeMiddleware` applies it to
every request under /api/v1/ before the view runs and leaves the result in `request.query`. A
handler that declares nothing accepts no parameter at all.

    PAGE = QuerySpec(page=Int(1, 10**6, default=1), page_size=Int(1, 100, default=20))

    class OrderListApi(APIView):
        @accepts_query(PAGE.extend(status=Choice(Order.Status.values)))
        def get(self, request):
            request.query  # {"page": 1, "page_size": 20} or with "status"

Cleaning depends on the query string alone, so each spec remembers its recent answers (a bounded
per-process memo): on a cache hit, validating the query string costs a dict lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal as _Decimal
from functools import lru_cache
from typing import Any

from django import forms
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from shop.json_values import FORBIDDEN_CHARACTERS

MEMO_SIZE = 2048


class Invalid(ValueError):
    """A parameter's value is refused; the message is what the client sees."""


class Param:
    """One parameter: `clean(text)` → value or Invalid; `schema()` for OpenAPI; `form_field()` for HTML forms."""

    # Given empty (`?name=`): text treats it as absent, other types refuse it.
    blank_is_absent = False

    def __init__(self, *, default=None, description: str = ""):
        self.default = default
        self.description = description

    def clean(self, text: str) -> Any:
        raise NotImplementedError

    def schema(self) -> dict:
        raise NotImplementedError

    def form_field(self, **kwargs) -> forms.Field:
        raise NotImplementedError

    def openapi(self, name: str) -> OpenApiParameter:
        schema = self.schema()
        if self.default is not None:
            schema["default"] = self.default
        return OpenApiParameter(name, schema, OpenApiParameter.QUERY, required=False, description=self.description)


class Int(Param):
    """A whole number from `low` to `high` (ASCII digits, an optional minus sign)."""

    def __init__(self, low: int, high: int, *, default: int | None = None, description: str = ""):
        super().__init__(default=default, description=description)
        self.low, self.high = low, high

    @property
    def bounds(self) -> tuple[int, int]:
        return self.low, self.high

    def clean(self, text: str) -> int:
        if not re.fullmatch(r"-?[0-9]{1,19}", text):
            raise Invalid("A whole number is required.")
        value = int(text)
        if not self.low <= value <= self.high:
            raise Invalid(f"Must be between {self.low} and {self.high}.")
        return value

    def schema(self) -> dict:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}

    def form_field(self, **kwargs) -> forms.IntegerField:
        return forms.IntegerField(min_value=self.low, max_value=self.high, **kwargs)


class Money(Param):
    """An amount ≥ 0 with up to `whole_digits` digits before the point and two after; canonical form
    has two decimal places ("1" and "1.0" both become "1.00")."""

    def __init__(self, *, whole_digits: int = 8, description: str = ""):
        super().__init__(description=description)
        self.whole_digits = whole_digits
        self.pattern = rf"^[0-9]{{1,{whole_digits}}}(\.[0-9]{{1,2}})?$"
        self._regex = re.compile(self.pattern)

    def clean(self, text: str) -> str:
        if not self._regex.fullmatch(text):
            raise Invalid(
                f"An amount such as 12.50 is required (0 or more, at most {self.whole_digits} digits before the point)."
            )
        return str(_Decimal(text).quantize(_Decimal("0.01")))

    def schema(self) -> dict:
        return {"type": "string", "format": "decimal", "pattern": self.pattern}

    def form_field(self, **kwargs) -> forms.DecimalField:
        return forms.DecimalField(min_value=0, max_digits=self.whole_digits + 2, decimal_places=2, **kwargs)


class Choice(Param):
    def __init__(self, choices, *, default: str | None = None, description: str = ""):
        super().__init__(default=default, description=description)
        self.choices = tuple(choices)

    def clean(self, text: str) -> str:
        if text not in self.choices:
            raise Invalid(f"Must be one of: {', '.join(self.choices)}.")
        return text

    def schema(self) -> dict:
        return {"type": "string", "enum": list(self.choices)}

    def form_field(self, **kwargs) -> forms.ChoiceField:
        return forms.ChoiceField(choices=[(c, c) for c in self.choices], **kwargs)


class Text(Param):
    """Free text up to `max_length` characters, surrounding whitespace stripped; empty counts as absent."""

    blank_is_absent = True

    def __init__(self, max_length: int, *, description: str = ""):
        super().__init__(description=description)
        self.max_length = max_length

    def clean(self, text: str) -> str:
        text = text.strip()
        if len(text) > self.max_length:
            raise Invalid(f"At most {self.max_length} characters.")
        return text

    def schema(self) -> dict:
        return {"type": "string", "maxLength": self.max_length}

    def form_field(self, **kwargs) -> forms.CharField:
        return forms.CharField(max_length=self.max_length, **kwargs)


class QuerySpec:
    """The parameters a route accepts. `checks` look at the cleaned dict as a whole (min ≤ max, say)
    and return errors per parameter (or nothing)."""

    def __init__(self, checks: tuple[Callable[[dict], dict | None], ...] = (), **params: Param):
        self.params = params
        self.checks = tuple(checks)
        self._memo = lru_cache(maxsize=MEMO_SIZE)(self._clean_raw)

    def extend(self, checks: tuple = (), **params: Param) -> QuerySpec:
        return QuerySpec(checks=(*self.checks, *checks), **self.params, **params)

    @property
    def defaults(self) -> dict:
        return {name: param.default for name, param in self.params.items() if param.default is not None}

    def clean(self, query: Mapping) -> dict:
        """The canonical dict: known parameters only, canonical values, defaults filled in.

        Raises ValidationError (the envelope's 400) for unknown, repeated or malformed parameters."""
        if not query:
            return self.defaults
        getlist = getattr(query, "getlist", None)
        raw = tuple(sorted((str(key), tuple(getlist(key)) if getlist else (str(query[key]),)) for key in query))
        return dict(self._memo(raw))

    def _clean_raw(self, raw: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple:
        errors: dict[str, list[str]] = {}
        values = self.defaults
        for key, given in raw:
            param = self.params.get(key)
            if param is None:
                errors[_printable(key)] = ["Unknown query parameter."]
            elif len(given) > 1:
                errors[key] = ["Give this parameter once."]
            elif FORBIDDEN_CHARACTERS.search(given[0]):
                errors[key] = ["Null characters are not allowed."]
            elif not given[0] and not param.blank_is_absent:
                errors[key] = ["A value is required."]
            else:
                try:
                    value = param.clean(given[0])
                except Invalid as error:
                    errors[key] = [str(error)]
                else:
                    if value != "":
                        values[key] = value
        if not errors:
            for check in self.checks:
                errors.update(check(values) or {})
        if errors:
            raise ValidationError(errors)
        return tuple((name, values[name]) for name in self.params if name in values)

    def openapi_parameters(self) -> list[OpenApiParameter]:
        return [param.openapi(name) for name, param in self.params.items()]


def _printable(key: str) -> str:
    return FORBIDDEN_CHARACTERS.sub("\ufffd", key)[:100]


NO_QUERY = QuerySpec()
PAGE_QUERY = QuerySpec(
    page=Int(1, 10**6, default=1, description="Page number, from 1."),
    page_size=Int(1, 100, default=20, description="Items per page, 1 to 100 (default 20)."),
)


def accepts_query(spec: QuerySpec):
    """Declare the query string a handler accepts (see the module docstring)."""

    def mark(handler):
        handler.query_spec = spec
        return handler

    return mark


def query_spec_of(view_class, method: str) -> QuerySpec | None:
    """The spec a view's handler declared for `method` (HEAD follows GET); None when it has no handler."""
    name = "get" if method.lower() == "head" else method.lower()
    handler = getattr(view_class, name, None)
    if handler is None or name not in getattr(view_class, "http_method_names", ()):
        return None
    return getattr(handler, "query_spec", NO_QUERY)
