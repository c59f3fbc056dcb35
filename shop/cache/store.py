"""The one place that talks to Redis.

Every operation goes through `_run`, which applies the circuit breaker, replays invalidations
owed from an outage before anything else is done, and turns every failure into
`CacheUnavailable`, which callers in this package swallow: no cache error reaches a caller.
"""

import json
import logging
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


class LocalCounts:
    """Counters this process could not write to Redis (outage, cache disabled); thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, Counter] = defaultdict(Counter)

    def add(self, family: str, what: str, n: int = 1) -> None:
        with self._lock:
            self._counts[family][what] += n

    def get(self, family: str) -> Counter:
        with self._lock:
            return Counter(self._counts.get(family, Counter()))

    def drain(self) -> dict[str, Counter]:
        with self._lock:
            counts, self._counts = self._counts, defaultdict(Counter)
        return counts

    def restore(self, counts: dict[str, Counter]) -> None:
        with self._lock:
            for family, counter in counts.items():
                self._counts[family].update(counter)

    def clear(self) -> None:
        with self._lock:
            self._counts = defaultdict(Counter)


class OwedInvalidations:
    """Families whose invalidation could not reach Redis. Each entry carries a sequence number so
    that applying an older request never discards one made while it was being applied."""

    def __init__(self):
        self._lock = threading.Lock()
        self._owed: dict[str, int] = {}
        self._seq = 0

    def add(self, family: str) -> None:
        with self._lock:
            self._seq += 1
            self._owed[family] = self._seq

    def snapshot(self) -> list[tuple[str, int]]:
        with self._lock:
            return sorted(self._owed.items())

    def settle(self, family: str, seq: int) -> None:
        with self._lock:
            if self._owed.get(family) == seq:
                del self._owed[family]

    def names(self) -> set[str]:
        with self._lock:
            return set(self._owed)

    def __bool__(self) -> bool:
        return bool(self._owed)


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
        # No retries (redis-py's default retries would multiply every timeout), no health-check PING,
        # no CLIENT SETINFO handshake: a call costs at most one timeout, a hit one round trip.
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_error=[],
            retry_on_timeout=False,
            health_check_interval=0,
            driver_info=None,
        )
        self._scripts = {
            name: self.client.register_script(getattr(scripts, name))
            for name in ("READ", "PREPARE_LOAD", "STORE", "RELEASE_LOCK", "INVALIDATE")
        }
        self._owed = OwedInvalidations()
        self._local_counts = LocalCounts()

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
            # Owed invalidations first: if they can't be applied, the operation does not run either.
            self._apply_owed_invalidations()
            result = operation(self.client)
        except Exception as error:
            if not isinstance(error, REDIS_ERRORS):
                logger.exception("Unexpected cache error (family %s); serving from the database", family)
            self.breaker.record_failure(error)
            self._local_counts.add(family or "_redis", "errors")
            raise CacheUnavailable(f"{type(error).__name__}: {error}") from error
        if self.breaker.record_success():
            self._flush_local_counts()
        return result

    def _apply_owed_invalidations(self) -> None:
        if not self._owed:
            return
        owed = self._owed.snapshot()
        removed = self._invalidate_now([name for name, _ in owed])
        for (name, seq), count in zip(owed, removed):
            self._owed.settle(name, seq)
            logger.info("Applied invalidation of %s owed from a Redis outage: %d keys", name, count)

    def _flush_local_counts(self) -> None:
        counts = self._local_counts.drain()
        if not counts:
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            for family, counter in counts.items():
                for what, n in counter.items():
                    pipe.hincrby(self._stats_key, f"{family}:{what}", n)
            pipe.execute()
        except REDIS_ERRORS:
            self._local_counts.restore(counts)

    # --- read-through ----------------------------------------------------------------------------
    def read_through(
        self,
        family: Family,
        params: dict,
        loader: Callable[[], Any],
        ttl: "int | Callable[[], int | None] | None" = None,
    ) -> Cached:
        """`ttl` (seconds, or a callable asked after the loader ran) can only shorten the family's TTL;
        0 or less means the result is served but not stored."""
        key = self.full_key(family.key(**params))
        try:
            raw = self._run(
                lambda r: self._scripts["READ"](keys=[key, self._stats_key], args=[family.name], client=r),
                family.name,
            )
        except CacheUnavailable:
            self._local_counts.add(family.name, "misses")
            return Cached(to_json_bytes(loader()), hit=False)
        if raw is not None:
            return Cached(raw, hit=True)
        return self._load(family, key, loader, ttl)

    def _load(self, family: Family, key: str, loader: Callable[[], Any], ttl_override=None) -> Cached:
        token = uuid.uuid4().hex
        gen_key, lock_key = self._meta("gen", family.name), self._meta("lock", key)
        try:
            # The generation is read before the loader starts: an invalidation after this point
            # changes it, and STORE then refuses the (possibly older) result.
            generation, locked = self._run(
                lambda r: self._scripts["PREPARE_LOAD"](
                    keys=[gen_key, lock_key], args=[token, self.lock_ttl_ms], client=r
                ),
                family.name,
            )
        except CacheUnavailable:
            return Cached(to_json_bytes(loader()), hit=False)
        if not locked:
            filled = self._wait_for_fill(key, lock_key, family.name)
            if filled is not None:
                return Cached(filled, hit=True)
        try:
            value = to_json_bytes(loader())
        except BaseException:
            if locked:
                self._release_lock(lock_key, token, family.name)
            raise
        ttl = self._store_ttl(family, ttl_override)
        if ttl is not None and ttl <= 0:
            if locked:
                self._release_lock(lock_key, token, family.name)
            return Cached(value, hit=False)
        try:
            self._run(
                lambda r: self._scripts["STORE"](
                    keys=[key, gen_key, self._meta("index", family.name), lock_key],
                    args=[value, ttl or 0, generation, token],
                    client=r,
                ),
                family.name,
            )
        except CacheUnavailable:
            pass
        return Cached(value, hit=False)

    @staticmethod
    def _store_ttl(family: Family, override) -> int | None:
        """Seconds to keep the entry (None: no expiry); an override only ever shortens it."""
        ttl = family.effective_ttl
        if callable(override):
            override = override()
        if override is None:
            return ttl
        override = int(override)
        return override if ttl is None else min(ttl, override)

    def _wait_for_fill(self, key: str, lock_key: str, family: str) -> bytes | None:
        """Another caller is loading this key: wait a bounded time for its result. Gives up early
        when the loader's lock is gone without a value (it failed, or its result was refused)."""

        def poll(r):
            pipe = r.pipeline(transaction=False)
            pipe.get(key)
            pipe.exists(lock_key)
            return pipe.execute()

        deadline = time.monotonic() + self.stampede_wait
        delay = 0.005
        while True:
            time.sleep(max(0.0, min(delay, deadline - time.monotonic())))
            delay = min(delay * 2, 0.05)
            try:
                raw, still_loading = self._run(poll, family)
            except CacheUnavailable:
                return None
            if raw is not None:
                return raw
            if not still_loading or time.monotonic() >= deadline:
                return None

    def _release_lock(self, lock_key: str, token: str, family: str) -> None:
        try:
            self._run(lambda r: self._scripts["RELEASE_LOCK"](keys=[lock_key], args=[token], client=r), family)
        except CacheUnavailable:
            pass

    # --- invalidation ----------------------------------------------------------------------------
    def invalidate(self, family_name: str, cause: str = "") -> None:
        """Clear a family now; if Redis can't be reached, owe it until Redis answers again."""
        self.invalidate_many([family_name], cause)

    def invalidate_many(self, family_names: list[str], cause: str = "") -> None:
        """Clear several families in one round trip; owe them all if Redis can't be reached."""
        if not family_names:
            return
        try:
            removed = self._run(lambda r: self._invalidate_now(family_names), family_names[0])
        except CacheUnavailable:
            for name in family_names:
                self._owed.add(name)
            # INFO, not WARNING: the outage itself is logged once by the breaker.
            logger.info(
                "Invalidation of %s (%s) deferred until Redis answers", ", ".join(family_names), cause or "manual"
            )
            return
        for name, count in zip(family_names, removed):
            logger.info("Invalidated %s (%s): %d keys", name, cause or "manual", count)

    def _invalidate_now(self, family_names: list[str]) -> list[int]:
        keys = [key for name in family_names for key in (self._meta("gen", name), self._meta("index", name))]
        args = [arg for name in family_names for arg in (name, uuid.uuid4().hex)]
        return self._scripts["INVALIDATE"](keys=[*keys, self._stats_key], args=args, client=self.client)

    @property
    def owed_invalidations(self) -> set[str]:
        return self._owed.names()

    # --- debounce (background warm-up) -----------------------------------------------------------
    def acquire_debounce(self, name: str, seconds: float) -> bool:
        """True for the first caller in each `seconds` window per name (SET NX PX); False while
        the window is held, or when Redis can't be reached (nothing to warm then)."""
        key = self._meta("debounce", name)
        try:
            return bool(self._run(lambda r: r.set(key, 1, nx=True, px=max(1, int(seconds * 1000)))))
        except CacheUnavailable:
            return False

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
        try:
            return self._run(lambda r: self._live_keys(r, [family])[family.name], family.name)
        except CacheUnavailable:
            return []

    def _live_keys(self, r: redis.Redis, families: list[Family]) -> dict[str, list[dict]]:
        """Live keys per family in two round trips, whatever the number of families. Index members
        whose entry has expired are pruned on the way."""
        index_keys = [self._meta("index", f.name) for f in families]
        pipe = r.pipeline(transaction=False)
        for index_key in index_keys:
            pipe.smembers(index_key)
        members = [sorted(m.decode() for m in found) for found in pipe.execute()]
        pipe = r.pipeline(transaction=False)
        for member in (m for family_members in members for m in family_members):
            pipe.ttl(member)
        ttls = iter(pipe.execute())
        plen = len(self.prefix) + 1
        live, prune = {}, r.pipeline(transaction=False)
        for family, index_key, family_members in zip(families, index_keys, members):
            pairs = [(m, next(ttls)) for m in family_members]
            expired = [m for m, ttl in pairs if ttl == -2]
            if expired:
                prune.srem(index_key, *expired)
            live[family.name] = [{"key": m[plen:], "ttl": ttl} for m, ttl in pairs if ttl != -2]
        if len(prune):
            prune.execute()
        return live

    def stats(self, *, include_keys: bool = False) -> dict:
        """Per family: live keys, hits, misses, hit rate, invalidations, errors; plus Redis status.
        With `include_keys`, each family also lists its live keys with their TTL left (`entries`)."""
        families_declared = all_families()

        def read(r):
            pipe = r.pipeline(transaction=False)
            pipe.hgetall(self._stats_key)
            pipe.info("memory")
            pipe.info("server")
            pipe.info("stats")
            return [*pipe.execute(), self._live_keys(r, families_declared)]

        reason = ""
        try:
            counters, memory, server, redis_stats, live = self._run(read)
            status = "up"
        except CacheUnavailable as error:
            counters, memory, server, redis_stats, live = {}, {}, {}, {}, {}
            status = "down" if self.enabled else "disabled"
            reason = str(error)
        counters = {k.decode(): int(v) for k, v in counters.items()}
        families = {}
        for family in families_declared:
            local = self._local_counts.get(family.name)
            hits = counters.get(f"{family.name}:hits", 0) + local["hits"]
            misses = counters.get(f"{family.name}:misses", 0) + local["misses"]
            entries = live.get(family.name, [])
            families[family.name] = {
                "pattern": family.pattern,
                "ttl": family.effective_ttl,
                "keys": len(entries),
                "hits": hits,
                "misses": misses,
                "hitRate": round(hits / (hits + misses), 4) if hits + misses else None,
                "invalidations": counters.get(f"{family.name}:invalidations", 0) + local["invalidations"],
                "errors": counters.get(f"{family.name}:errors", 0) + local["errors"],
            }
            if include_keys:
                families[family.name]["entries"] = entries
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
        self._local_counts.clear()
        try:
            self._run(lambda r: r.delete(self._stats_key))
        except CacheUnavailable:
            pass
