"""The OpenAPI schema at /api/schema/ says what the server does.

Views declare their success envelope, examples and the errors particular to them:

    @extend_schema(operation_id="products_list", summary=..., description=...,
                   responses={200: envelope("ProductList", {...}, cached=True), **error_responses(409)},
                   examples=[...])

`ShopAutoSchema` adds what holds for every route, read from the view itself:
- the query parameters of the handler's `QuerySpec` (`shop.api.query`), with their bounds;
- the error responses the edge and the view's classes can give: 400 (query string, body), 401/403
  (authentication, permissions, CSRF), 404 (path parameters), 413/415 (bodies), 429 (throttles),
  500, 503; each status with its own `code` enum;
- `security` that includes "no login" (`{}`) wherever an anonymous caller is let in;
- a tag per resource (auth, business, products, ...) from the path;
- request bodies exactly as strict as `shop.api.inputs`: unknown keys refused
  (`additionalProperties: false`), amounts as decimal strings with their pattern.
"""

import re
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication

from shop.api.inputs import URL_PATTERN, RejectUnknownFieldsMixin, decimal_pattern
from shop.api.query import query_spec_of
from shop.api.responses import ERROR_OF_STATUS

ERROR_DESCRIPTIONS = {
    400: "Invalid input: a body or query parameter the route does not accept (see `errors`)",
    401: "Not authenticated: no credentials, or a bad or expired token",
    403: "Not allowed: an admin-only route, or a session request without its CSRF token",
    404: "Not found (also: another customer's object)",
    405: "Method not allowed",
    409: "Conflict with the store's state",
    413: "Request body over the size limit (1 MiB by default)",
    415: "Request body that is not JSON",
    429: "Throttled; `Retry-After` says when to try again",
    500: "Internal server error (never with a trace)",
    503: "Database unreachable",
}

_ERRORS_FIELD = serializers.DictField(
    allow_null=True,
    child=serializers.JSONField(),
    help_text="Per field or parameter, what is wrong (or null).",
)


def _error_envelope(status: int):
    code, message = ERROR_OF_STATUS[status]
    return inline_serializer(
        name=f"Error{status}",
        fields={
            "success": serializers.BooleanField(help_text="Always false."),
            "code": serializers.ChoiceField(choices=[(code, code)], help_text="Machine-readable and stable."),
            "message": serializers.CharField(help_text=f'For people, e.g. "{message}".'),
            "errors": _ERRORS_FIELD,
        },
    )


ERROR_ENVELOPES = {status: _error_envelope(status) for status in ERROR_OF_STATUS}


def error_response(status: int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(ERROR_ENVELOPES[status], description=description or ERROR_DESCRIPTIONS[status])


def error_responses(*codes: int, **descriptions: str) -> dict:
    """Errors particular to an operation; `descriptions` (`d409="Out of stock"`) override the text."""
    return {code: error_response(code, descriptions.get(f"d{code}")) for code in codes}


def envelope(name: str, data_fields: dict | None = None, *, cached: bool = False, paginated: bool = False):
    """The success envelope around `data` with the given fields (serializer fields or serializers)."""
    fields = dict(data_fields or {})
    if paginated:
        fields.update(
            count=serializers.IntegerField(min_value=0, help_text="Items in all pages."),
            page=serializers.IntegerField(min_value=1),
            pages=serializers.IntegerField(min_value=1),
        )
    if cached:
        fields["fromCache"] = serializers.BooleanField(help_text="true: served from the cache (X-Cache: HIT).")
    data = inline_serializer(name=f"{name}Data", fields=fields) if fields else serializers.JSONField(allow_null=True)
    return inline_serializer(
        name=f"{name}Envelope",
        fields={"success": serializers.BooleanField(), "message": serializers.CharField(), "data": data},
    )


# The first path segment after /api/v1/ → the operation's tag.
TAG_OF_SEGMENT = {
    "auth": "auth",
    "business": "business",
    "products": "products",
    "coupons": "coupons",
    "orders": "orders",
    "payments": "payments",
    "notifications": "notifications",
    "dashboard": "dashboard",
    "health": "operations",
    "cache": "operations",
    "bench": "operations",
}
BODY_METHODS = {"POST", "PUT", "PATCH"}
_ANONYMOUS = AnonymousUser()
_CUSTOMER = SimpleNamespace(is_authenticated=True, is_active=True, is_staff=False, is_superuser=False, pk=0)


class ShopAutoSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        segment = re.sub(r"^/api/v1/", "", self.path).split("/")[0]
        return [TAG_OF_SEGMENT.get(segment, segment)]

    def get_override_parameters(self):
        spec = query_spec_of(type(self.view), self.method)
        parameters = spec.openapi_parameters() if spec is not None else []
        return [*parameters, *super().get_override_parameters()]

    # --- who may call --------------------------------------------------------------------------
    def _allows(self, user) -> bool:
        request = SimpleNamespace(method=self.method, user=user, auth=None)
        return all(permission.has_permission(request, self.view) for permission in self.view.get_permissions())

    def get_auth(self):
        auths = super().get_auth()
        if auths and {} not in auths and self._allows(_ANONYMOUS):
            auths.append({})  # no login needed; a token, when sent, is checked
        return auths

    # --- what can come back ----------------------------------------------------------------------
    def _implied_error_statuses(self) -> list[int]:
        statuses = [400]
        authenticators = self.view.get_authenticators()
        if authenticators:
            statuses.append(401)  # a bad token is refused even where no login is needed
            session_csrf = self.method in BODY_METHODS | {"DELETE"} and any(
                isinstance(a, SessionAuthentication) for a in authenticators
            )
            if session_csrf or not self._allows(_CUSTOMER):
                statuses.append(403)
        elif not self._allows(_ANONYMOUS):
            statuses.append(401)
        if "{" in self.path:
            statuses.append(404)
        if self.method in BODY_METHODS:
            statuses += [413, 415]
        if self.view.get_throttles():
            statuses.append(429)
        return [*statuses, 500, 503]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self._implied_error_statuses():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    error_response(status), str(status), None, direction
                )
        return dict(sorted(responses.items(), key=lambda item: int(item[0])))

    # --- request bodies as strict as shop.api.inputs ----------------------------------------------
    def _get_request_for_media_type(self, serializer, direction="request"):
        if self.method == "PATCH" and getattr(serializer, "whole_patch", False):
            self.method = "PUT"  # spectacular makes every PATCH body partial; this one is not
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(force_instance(serializer), RejectUnknownFieldsMixin):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.DecimalField) and schema is not None:
            for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
                schema.pop(bound, None)
            schema.update(type="string", format="decimal", pattern=decimal_pattern(field))
        elif direction == "request" and isinstance(field, serializers.URLField) and schema is not None:
            schema["pattern"] = URL_PATTERN  # blank, where allowed, is the alternative spectacular adds
        elif direction == "request" and isinstance(field, serializers.ListSerializer) and schema is not None:
            if not field.allow_empty or field.min_length:
                schema["minItems"] = max(1 if not field.allow_empty else 0, field.min_length or 0)
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema


def postprocess(result, generator, request, public):
    """Schema-wide touches: the security schemes described."""
    schemes = result.get("components", {}).get("securitySchemes", {})
    if "jwtAuth" in schemes:
        schemes["jwtAuth"]["description"] = (
            "`Authorization: Bearer <access token>` from POST /api/v1/auth/login or /auth/register."
        )
    if "cookieAuth" in schemes:
        schemes["cookieAuth"]["description"] = (
            "A Django session (logged in at /accounts/login/); unsafe methods also need the CSRF token."
        )
    return result
