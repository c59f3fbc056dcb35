"""Throttles. Rates are read from settings at request time, so an overridden setting takes effect.

DRF's `SimpleRateThrottle.THROTTLE_RATES` is bound once, at import; reading it per request keeps
`override_settings(REST_FRAMEWORK=...)` (and a changed AUTH_THROTTLE_RATE) honest.

The request history lives in Redis (the `throttle` cache, shared by every process). A throttle must not
switch itself off while Redis is unreachable, so then each process counts in its own memory (a
LocMemCache private to this module, never configured as a cache anything else could use) until Redis
answers again: the limits still hold, per process.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

logger = logging.getLogger("shop.api.throttling")

REDIS_ERRORS = (ConnectionInterrupted, RedisError, OSError)


class ThrottleHistory:
    """The get/set of Django's cache API that DRF's throttles use: Redis while it answers; this process's
    memory while it doesn't. After a Redis error, Redis is skipped for CACHE_BREAKER_COOLDOWN seconds, so
    a hung Redis costs one timeout per cool-down, not one per request."""

    PRIMARY = "throttle"

    def __init__(self):
        self._memory = LocMemCache("shop-throttle-history", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
        self._lock = threading.Lock()
        self._skip_redis_until = 0.0
        self._down = False

    def get(self, key, default=None):
        if self._redis_usable():
            try:
                return caches[self.PRIMARY].get(key, default)
            except REDIS_ERRORS as error:
                self._redis_failed(error)
        return self._memory.get(key, default)

    def set(self, key, value, timeout=None):
        if self._redis_usable():
            try:
                caches[self.PRIMARY].set(key, value, timeout)
                self._redis_answered()
                return
            except REDIS_ERRORS as error:
                self._redis_failed(error)
        self._memory.set(key, value, timeout)

    def reset(self) -> None:
        """Forget the outage state and the in-memory history (tests)."""
        with self._lock:
            self._skip_redis_until, self._down = 0.0, False
        self._memory.clear()

    def _redis_usable(self) -> bool:
        return time.monotonic() >= self._skip_redis_until

    def _redis_failed(self, error) -> None:
        with self._lock:
            self._skip_redis_until = time.monotonic() + settings.CACHE_BREAKER_COOLDOWN
            first = not self._down
            self._down = True
        if first:
            logger.warning(
                "Throttles: Redis unreachable (%s); counting in this process's memory until it answers", error
            )

    def _redis_answered(self) -> None:
        if self._down:
            with self._lock:
                self._down = False
            logger.info("Throttles: Redis answers again; counting there")


throttle_history = ThrottleHistory()


class ScopedSettingsRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle (per user, or per client IP when anonymous) keyed by the view's `throttle_scope`."""

    cache = throttle_history

    @property
    def THROTTLE_RATES(self):
        return api_settings.DEFAULT_THROTTLE_RATES
