"""Operations: health, cache statistics, clearing cache families."""

import logging

from django.db import DatabaseError, connection
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop import cache
from shop.api import examples as ex
from shop.api.permissions import IsAdmin
from shop.api.responses import error_body, ok
from shop.api.schema import envelope, error_responses
from shop.services import cache_clear

logger = logging.getLogger("shop.api")

HEALTH_FIELDS = {
    "status": serializers.ChoiceField(choices=["ok", "degraded", "down"]),
    "database": serializers.ChoiceField(choices=["ok", "down"]),
    "cache": serializers.ChoiceField(choices=["ok", "down"]),
}
HEALTH_DOWN = inline_serializer(
    name="HealthDownEnvelope",
    fields={
        "success": serializers.BooleanField(),
        "code": serializers.ChoiceField(choices=["unavailable"]),
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
        operation_id="operations_health",
        summary="Is the database answering? Is the cache?",
        description=(
            "Public, no login needed, never cached. 200 while the database answers (`degraded` when the cache "
            "is down: reads then come from the database); 503 when it does not."
        ),
        responses={
            200: envelope("Health", HEALTH_FIELDS),
            503: OpenApiResponse(HEALTH_DOWN, description="Database unreachable"),
        },
        examples=[
            ex.answer("Healthy", {"status": "ok", "database": "ok", "cache": "ok"}),
            OpenApiExample(
                "Database down",
                value={
                    "success": False,
                    "code": "unavailable",
                    "message": "Database unreachable",
                    "errors": None,
                    "data": {"status": "down", "database": "down", "cache": "ok"},
                },
                response_only=True,
                status_codes=["503"],
            ),
        ],
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
        operation_id="operations_cache_stats",
        summary="Cache statistics per family; Redis status and memory (admin)",
        description=(
            "Per key family: pattern, TTL, live keys, hits, misses, hit rate, invalidations, errors. "
            "Counters are since the last reset; `redis.status` is up, down or disabled."
        ),
        examples=[
            ex.answer(
                "Cache statistics",
                {
                    "redis": {"status": "up", "version": "7.0.15", "usedMemoryHuman": "1.62M", "breakerOpen": False},
                    "families": {
                        "products:all": {
                            "pattern": "products:all",
                            "ttl": 3600,
                            "keys": 1,
                            "hits": 1840,
                            "misses": 3,
                            "hitRate": 0.9984,
                            "invalidations": 2,
                            "errors": 0,
                        }
                    },
                },
            )
        ],
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
        operation_id="operations_cache_clear",
        summary="Clear cache families (admin)",
        description=(
            'A family ("products:all", "dashboard:stats"), a group ("products", "dashboard") or "all". '
            "Unknown names are 404. Logged in the activity log."
        ),
        examples=[ex.answer("Cache cleared", {"cleared": ["products:all", "products:detail", "products:filter"]})],
        responses={
            200: envelope("CacheCleared", {"cleared": serializers.ListField(child=serializers.CharField())}),
            **error_responses(401, 403, 404),
        },
    )
    def delete(self, request, family: str):
        return ok({"cleared": cache_clear(selector=family, user=request.user, source="API")}, "Cache cleared")
