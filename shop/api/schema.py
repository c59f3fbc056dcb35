"""OpenAPI descriptions of the envelope, so /api/schema/ tells clients what they really get.

@extend_schema(responses={200: envelope("ProductList", {"products": ProductSerializer(many=True),
                                                        "count": serializers.IntegerField()}, cached=True),
                          **error_responses(400)})
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="From 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 100, default 20."),
]

ERROR_CODES = [
    "validation_error",
    "not_authenticated",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "conflict",
    "payload_too_large",
    "unsupported_media_type",
    "throttled",
    "server_error",
    "unavailable",
]

_ERROR = inline_serializer(
    name="ErrorEnvelope",
    fields={
        "success": serializers.BooleanField(default=False),
        "code": serializers.ChoiceField(choices=ERROR_CODES),
        "message": serializers.CharField(),
        "errors": serializers.DictField(allow_null=True, required=False),
    },
)

ERROR_DESCRIPTIONS = {
    400: "Invalid input",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    429: "Throttled",
    503: "Database unreachable",
}


def envelope(name: str, data_fields: dict | None = None, *, cached: bool = False, paginated: bool = False):
    """The success envelope around `data` with the given fields (serializer fields or serializers)."""
    fields = dict(data_fields or {})
    if paginated:
        fields.update(
            count=serializers.IntegerField(), page=serializers.IntegerField(), pages=serializers.IntegerField()
        )
    if cached:
        fields["fromCache"] = serializers.BooleanField()
    data = inline_serializer(name=f"{name}Data", fields=fields) if fields else serializers.JSONField(allow_null=True)
    return inline_serializer(
        name=f"{name}Envelope",
        fields={"success": serializers.BooleanField(default=True), "message": serializers.CharField(), "data": data},
    )


def error_responses(*codes: int) -> dict:
    return {code: OpenApiResponse(_ERROR, description=ERROR_DESCRIPTIONS.get(code, "Error")) for code in codes}
