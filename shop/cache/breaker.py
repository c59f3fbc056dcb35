"""A circuit breaker: after a Redis failure, skip Redis for a cool-down instead of paying a timeout per call."""

import logging
import threading
import time

logger = logging.getLogger("shop.cache")


class CircuitBreaker:
    def __init__(self, *, cooldown: float, threshold: int = 1, clock=time.monotonic):
        self.cooldown = cooldown
        self.threshold = threshold
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0
        self._probing_until = 0.0
        self._outage = False

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._failures >= self.threshold

    def allow(self) -> bool:
        """May this call talk to Redis? While open, one caller per cool-down is let through as a probe."""
        with self._lock:
            if self._failures < self.threshold:
                return True
            now = self._clock()
            # A probe that never reported back (its thread died) stops blocking after one cool-down.
            if now < self._open_until or now < self._probing_until:
                return False
            self._probing_until = now + self.cooldown
            return True

    def record_success(self) -> bool:
        """Returns True when this success ends an outage."""
        with self._lock:
            recovered = self._outage
            self._failures = 0
            self._probing_until = 0.0
            self._outage = False
        if recovered:
            logger.info("Redis connection restored; caching resumes")
        return recovered

    def record_failure(self, error: Exception) -> None:
        with self._lock:
            self._failures += 1
            self._probing_until = 0.0
            opened = self._failures >= self.threshold
            if opened:
                self._open_until = self._clock() + self.cooldown
            first_of_outage = opened and not self._outage
            if opened:
                self._outage = True
        if first_of_outage:
            logger.warning(
                "Redis unavailable (%s: %s); serving from the database, retrying every %.1fs",
                type(error).__name__,
                error,
                self.cooldown,
            )
