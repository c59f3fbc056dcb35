"""The one place that talks to Redis.

Every operation goes through `_run`, which applies the circuit breaker, replays invalidations
owed from an outage before anything else is done, and turns every Redis error into
`CacheUnavailable`, which callers in this package swallow: no cache error reaches a caller.
"""

import json
import logging
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import scripts
from .breaker import CircuitBreaker
from .families import Family, all_families

logger = logging.getLogger("shop.cache")

REDIS_ERRORS = (redis.exceptions.RedisError, OSError)


class CacheUnavailable(Exception):
    """Redis was skipped or failed; the caller falls back to the database."""


@dataclass(frozen=True)
class Cached:
    """A read-through result: the JSON bytes as stored, and whether they came from Redis."""

    raw: bytes
    hit: bool

    @property
    def data(self) -> Any:
        return json.loads(self.raw)


def to_json_bytes(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode()


class RedisCacheStore:
    def __init__(
        self,
        *,
        url: str,
        prefix: str,
        socket_timeout: float,
        connect_timeout: float,
        cooldown: float,
        stampede_wait: float,
        lock_ttl: float,
        enabled: bool = True,
    ):
        self.url = url
        self.prefix = prefix
        self.enabled = enabled
        self.stampede_wait = stampede_wait
        self.lock_ttl_ms = int(lock_ttl * 1000)
        self.breaker = CircuitBreaker(cooldown=cooldown)
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_error=[],
            health_check_interval=0,
        )
        self._scripts = {
            name: self.client.register_script(getattr(scripts, name))
            for name in ("READ", "PREPARE_LOAD", "STORE", "RELEASE_LOCK", "INVALIDATE")
        }
        self._owed_lock = threading.Lock()
        self._owed_invalidations: set[str] = set()
        self._local_counts: dict[str, Counter] = defaultdict(Counter)

    @classmethod
    def from_settings(cls) -> "RedisCacheStore":
        return cls(
            url=settings.REDIS_URL,
            prefix=settings.CACHE_KEY_PREFIX,
            socket_timeout=settings.CACHE_SOCKET_TIMEOUT,
            connect_timeout=settings.CACHE_CONNECT_TIMEOUT,
            cooldown=settings.CACHE_BREAKER_COOLDOWN,
            stampede_wait=settings.CACHE_STAMPEDE_WAIT,
            lock_ttl=settings.CACHE_LOCK_TTL,
            enabled=settings.CACHE_ENABLED,
        )

    # --- key names -----------------------------------------------------------------------------
    def full_key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def _meta(self, kind: str, name: str) -> str:
        return f"{self.prefix}:_cache:{kind}:{name}"

    @property
    def _stats_key(self) -> str:
        return f"{self.prefix}:_cache:stats"

    # --- the guarded call ------------------------------------------------------------------------
    def _run(self, operation: Callable[[redis.Redis], Any], family: str | None = None) -> Any:
        if not self.enabled:
            raise CacheUnavailable("cache disabled")
        if not self.breaker.allow():
            raise CacheUnavailable("circuit open")
        try:
            self._apply_owed_invalidations()
            result = operation(self.client)
        except REDIS_ERRORS as error:
            self.breaker.record_failure(error)
            self._count(family or "_redis", "errors")
            raise CacheUnavailable(str(error)) from error
        if self.breaker.record_success():
            self._flush_local_counts()
        return result

    def _apply_owed_invalidations(self) -> None:
        with self._owed_lock:
            owed = sorted(self._owed_invalidations)
        for name in owed:
            self._invalidate_now(name)
            with self._owed_lock:
                self._owed_invalidations.discard(name)
            logger.info("Applied invalidation of %s owed from a Redis outage", name)

    def _count(self, family: str, what: str, n: int = 1) -> None:
        self._local_counts[family][what] += n

    def _flush_local_counts(self) -> None:
        counts, self._local_counts = self._local_counts, defaultdict(Counter)
        try:
            pipe = self.client.pipeline(transaction=False)
            for family, counter in counts.items():
                for what, n in counter.items():
                    pipe.hincrby(self._stats_key, f"{family}:{what}", n)
            pipe.execute()
        except REDIS_ERRORS:
            pass

    # --- read-through ----------------------------------------------------------------------------
    def read_through(self, family: Family, params: dict, loader: Callable[[], Any]) -> Cached:
        key = self.full_key(family.key(**params))
        try:
            raw = self._run(
                lambda r: self._scripts["READ"](keys=[key, self._stats_key], args=[family.name], client=r),
                family.name,
            )
        except CacheUnavailable:
            self._count(family.name, "misses")
            return Cached(to_json_bytes(loader()), hit=False)
        if raw is not None:
            return Cached(raw, hit=True)
        return self._load(family, key, loader)

    def _load(self, family: Family, key: str, loader: Callable[[], Any]) -> Cached:
        token = uuid.uuid4().hex
        gen_key, lock_key = self._meta("gen", family.name), self._meta("lock", key)
        try:
            generation, locked = self._run(
                lambda r: self._scripts["PREPARE_LOAD"](
                    keys=[gen_key, lock_key], args=[token, self.lock_ttl_ms], client=r
                ),
                family.name,
            )
        except CacheUnavailable:
            return Cached(to_json_bytes(loader()), hit=False)
        if not locked:
            filled = self._wait_for_fill(key, family.name)
            if filled is not None:
                return Cached(filled, hit=True)
        try:
            value = to_json_bytes(loader())
        except BaseException:
            if locked:
                self._release_lock(lock_key, token, family.name)
            raise
        ttl = family.effective_ttl or 0
        try:
            self._run(
                lambda r: self._scripts["STORE"](
                    keys=[key, gen_key, self._meta("index", family.name), lock_key],
                    args=[value, ttl, generation, token],
                    client=r,
                ),
                family.name,
            )
        except CacheUnavailable:
            pass
        return Cached(value, hit=False)

    def _wait_for_fill(self, key: str, family: str) -> bytes | None:
        """Another caller is loading this key: wait a bounded time for its result."""
        deadline = time.monotonic() + self.stampede_wait
        delay = 0.01
        while time.monotonic() < deadline:
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
            try:
                raw = self._run(lambda r: r.get(key), family)
            except CacheUnavailable:
                return None
            if raw is not None:
                return raw
        return None

    def _release_lock(self, lock_key: str, token: str, family: str) -> None:
        try:
            self._run(lambda r: self._scripts["RELEASE_LOCK"](keys=[lock_key], args=[token], client=r), family)
        except CacheUnavailable:
            pass

    # --- invalidation ----------------------------------------------------------------------------
    def invalidate(self, family_name: str, cause: str = "") -> None:
        """Clear a family now; if Redis can't be reached, owe it until Redis answers again."""
        try:
            removed = self._run(lambda r: self._invalidate_now(family_name), family_name)
        except CacheUnavailable:
            with self._owed_lock:
                self._owed_invalidations.add(family_name)
            logger.warning("Invalidation of %s (%s) deferred until Redis answers", family_name, cause or "manual")
            return
        logger.info("Invalidated %s (%s): %d keys", family_name, cause or "manual", removed)

    def _invalidate_now(self, family_name: str) -> int:
        return self._scripts["INVALIDATE"](
            keys=[self._meta("gen", family_name), self._meta("index", family_name), self._stats_key],
            args=[family_name],
            client=self.client,
        )

    @property
    def owed_invalidations(self) -> set[str]:
        with self._owed_lock:
            return set(self._owed_invalidations)

    # --- inspection (monitor, stats API, management commands) ------------------------------------
    def ttl_left(self, family: Family, params: dict) -> int | None:
        """Seconds the entry has left; None when absent, unknown, or without expiry."""
        try:
            ttl = self._run(lambda r: r.ttl(self.full_key(family.key(**params))), family.name)
        except CacheUnavailable:
            return None
        return ttl if ttl is not None and ttl >= 0 else None

    def family_keys(self, family: Family) -> list[dict]:
        """The family's live keys with their TTL left (-1: no expiry), from its index set."""

        def read(r):
            members = sorted(m.decode() for m in r.smembers(self._meta("index", family.name)))
            pipe = r.pipeline(transaction=False)
            for member in members:
                pipe.ttl(member)
            ttls = pipe.execute() if members else []
            plen = len(self.prefix) + 1
            return [
                {"key": member[plen:], "ttl": ttl} for member, ttl in zip(members, ttls) if ttl is not None and ttl != -2
            ]

        try:
            return self._run(read, family.name)
        except CacheUnavailable:
            return []

    def stats(self) -> dict:
        """Per family: live keys, hits, misses, hit rate, invalidations, errors; plus Redis status."""

        def read(r):
            pipe = r.pipeline(transaction=False)
            pipe.hgetall(self._stats_key)
            pipe.info("memory")
            pipe.info("server")
            pipe.info("stats")
            return pipe.execute()

        try:
            counters, memory, server, redis_stats = self._run(read)
            status = "up"
        except CacheUnavailable as error:
            counters, memory, server, redis_stats = {}, {}, {}, {}
            status = "down" if self.enabled else "disabled"
            reason = str(error)
        else:
            reason = ""
        counters = {k.decode(): int(v) for k, v in counters.items()}
        families = {}
        for family in all_families():
            local = self._local_counts.get(family.name, Counter())
            hits = counters.get(f"{family.name}:hits", 0) + local["hits"]
            misses = counters.get(f"{family.name}:misses", 0) + local["misses"]
            families[family.name] = {
                "pattern": family.pattern,
                "ttl": family.effective_ttl,
                "keys": len(self.family_keys(family)) if status == "up" else 0,
                "hits": hits,
                "misses": misses,
                "hitRate": round(hits / (hits + misses), 4) if hits + misses else None,
                "invalidations": counters.get(f"{family.name}:invalidations", 0),
                "errors": counters.get(f"{family.name}:errors", 0) + local["errors"],
            }
        return {
            "redis": {
                "status": status,
                "reason": reason,
                "version": server.get("redis_version"),
                "usedMemory": memory.get("used_memory"),
                "usedMemoryHuman": memory.get("used_memory_human"),
                "maxMemory": memory.get("maxmemory"),
                "uptimeSeconds": server.get("uptime_in_seconds"),
                "keyspaceHits": redis_stats.get("keyspace_hits"),
                "keyspaceMisses": redis_stats.get("keyspace_misses"),
                "breakerOpen": self.breaker.is_open,
                "owedInvalidations": sorted(self.owed_invalidations),
            },
            "families": families,
        }

    def ping(self) -> bool:
        try:
            return bool(self._run(lambda r: r.ping()))
        except CacheUnavailable:
            return False

    def reset_stats(self) -> None:
        self._local_counts = defaultdict(Counter)
        try:
            self._run(lambda r: r.delete(self._stats_key))
        except CacheUnavailable:
            pass
