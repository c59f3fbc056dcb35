"""Operations: health, cache statistics, clearing cache families."""

import logging

from django.db import DatabaseError, connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop import cache
from shop.api.permissions import IsAdmin
from shop.api.responses import error_body, ok
from shop.api.schema import envelope, error_responses
from shop.services import cache_clear

logger = logging.getLogger("shop.api")

HEALTH_FIELDS = {
    "status": serializers.ChoiceField(choices=["ok", "degraded", "down"]),
    "database": serializers.CharField(help_text='"ok" or "down"'),
    "cache": serializers.CharField(help_text='"ok" or "down"'),
}
HEALTH_DOWN = inline_serializer(
    name="HealthDownEnvelope",
    fields={
        "success": serializers.BooleanField(default=False),
        "message": serializers.CharField(),
        "errors": serializers.DictField(allow_null=True),
        "data": inline_serializer(name="HealthDownData", fields=HEALTH_FIELDS),
    },
)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError as error:
        logger.warning("Health check: database unreachable: %s", error)
        return False


class HealthApi(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(
        operation_id="health",
        summary="Is the database answering? Is the cache? 503 when the database is not",
        responses={
            200: envelope("Health", HEALTH_FIELDS),
            503: OpenApiResponse(HEALTH_DOWN, description="Database unreachable"),
        },
        auth=[],
    )
    def get(self, request):
        database = "ok" if database_ok() else "down"
        cache_state = "ok" if cache.get_store().ping() else "down"
        if database == "down":
            data = {"status": "down", "database": database, "cache": cache_state}
            return Response({**error_body("Database unreachable", code="unavailable"), "data": data}, status=503)
        status = "ok" if cache_state == "ok" else "degraded"
        return ok(
            {"status": status, "database": database, "cache": cache_state},
            "Healthy" if status == "ok" else "Degraded: cache down",
        )


class CacheStatsApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="cache_stats",
        summary="Per family: keys, hits, misses, hit rate; Redis status and memory (admin)",
        responses={
            200: envelope("CacheStats", {"redis": serializers.DictField(), "families": serializers.DictField()}),
            **error_responses(401, 403),
        },
    )
    def get(self, request):
        return ok({**cache.stats(), "outbox": cache.pending()}, "Cache statistics")


class CacheClearApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="cache_clear",
        summary='Clear a family ("products:all"), a group ("products", "dashboard") or "all" (admin)',
        responses={
            200: envelope("CacheCleared", {"cleared": serializers.ListField(child=serializers.CharField())}),
            **error_responses(401, 403, 404),
        },
    )
    def delete(self, request, family: str):
        return ok({"cleared": cache_clear(selector=family, user=request.user, source="API")}, "Cache cleared")
