"""The one connection to Redis, guarded: short timeouts, no retries, a circuit breaker.

Every operation goes through `Store.run`, which skips Redis while the breaker is open and turns
every failure into `CacheUnavailable`; the rest of the layer swallows that and serves from the
database, so no cache error reaches a caller. Key names are made here too.
"""

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from .breaker import CircuitBreaker
from .families import Family
from .lua import SCRIPTS

logger = logging.getLogger("shop.cache")

REDIS_ERRORS = (redis.exceptions.RedisError, OSError)


class CacheUnavailable(Exception):
    """Redis was skipped or failed; the caller falls back to the database."""


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


def redis_client(url: str, *, socket_timeout: float, connect_timeout: float) -> redis.Redis:
    """No retries (redis-py's would multiply every timeout), no health-check PING, no CLIENT SETINFO
    handshake: a call costs at most one timeout, a hit one round trip."""
    return redis.Redis.from_url(
        url,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        retry=Retry(NoBackoff(), 0),
        retry_on_error=[],
        retry_on_timeout=False,
        health_check_interval=0,
        driver_info=None,
    )


class Store:
    """The layer's settings, its Redis client and breaker, and its key names."""

    def __init__(
        self,
        *,
        url: str,
        prefix: str,
        socket_timeout: float = 0.25,
        connect_timeout: float = 0.25,
        cooldown: float = 5.0,
        stampede_wait: float = 2.0,
        lease_ttl: float = 10.0,
        max_keys: int = 10_000,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
        client: redis.Redis | None = None,
    ):
        self.url = url
        self.prefix = prefix
        self.enabled = enabled
        self.stampede_wait = stampede_wait
        self.lease_ms = max(1, int(lease_ttl * 1000))
        self.max_keys = max_keys
        self.breaker = CircuitBreaker(cooldown=cooldown, clock=clock)
        self.client = client or redis_client(url, socket_timeout=socket_timeout, connect_timeout=connect_timeout)
        self.scripts = {name: self.client.register_script(source) for name, source in SCRIPTS.items()}
        self.local_counts = LocalCounts()
        self.caught_up = True  # False from Redis answering again after an outage until recovery.catch_up ran
        self.catching_up = threading.Lock()

    @classmethod
    def from_settings(cls) -> "Store":
        return cls(
            url=settings.REDIS_URL,
            prefix=settings.CACHE_KEY_PREFIX,
            socket_timeout=settings.CACHE_SOCKET_TIMEOUT,
            connect_timeout=settings.CACHE_CONNECT_TIMEOUT,
            cooldown=settings.CACHE_BREAKER_COOLDOWN,
            stampede_wait=settings.CACHE_STAMPEDE_WAIT,
            lease_ttl=settings.CACHE_LOCK_TTL,
            max_keys=settings.CACHE_MAX_KEYS,
            enabled=settings.CACHE_ENABLED,
        )

    # --- key names: "<prefix>:{<group>}:<rest>", the group being the hash tag -------------------
    def group_key(self, group: str, rest: str) -> str:
        return f"{self.prefix}:{{{group}}}:{rest}"

    def key(self, family: Family, params: dict) -> str:
        group, _, rest = family.key(**params).partition(":")
        return self.group_key(group, rest)

    def logical(self, physical: str) -> str:
        """The name of API.md's table for a physical key: "shop:{products}:5" → "products:5"."""
        group, _, rest = physical[len(self.prefix) + 2 :].partition("}:")
        return f"{group}:{rest}"

    def index(self, family: Family) -> str:
        return self.group_key(family.group, f"_index:{family.name}")

    def tag_set(self, family: Family, tag: str) -> str:
        return self.group_key(family.group, f"_tag:{family.name}:{tag}")

    def stats_hash(self, group: str) -> str:
        return self.group_key(group, "_stats")

    def epochs_hash(self, group: str) -> str:
        """Per family of the group, a counter every invalidation of it moves (fragment stores check it)."""
        return self.group_key(group, "_epochs")

    def meta(self, name: str) -> str:
        return f"{self.prefix}:_cache:{name}"

    # --- the guarded call ------------------------------------------------------------------------
    def run(self, operation: Callable[[redis.Redis], Any], family: str | None = None) -> Any:
        if not self.enabled:
            raise CacheUnavailable("cache disabled")
        if not self.breaker.allow():
            raise CacheUnavailable("circuit open")
        try:
            result = operation(self.client)
        except Exception as error:  # the one boundary whose job is to swallow: logged, counted, re-raised as ours
            if not isinstance(error, REDIS_ERRORS):
                logger.exception("Unexpected cache error (family %s); serving from the database", family)
            self.breaker.record_failure(error)
            self.local_counts.add(family or "_redis", "errors")
            raise CacheUnavailable(f"{type(error).__name__}: {error}") from error
        if self.breaker.record_success():
            self.caught_up = False
            self._flush_local_counts()
        return result

    def script(self, name: str, keys: list[str], args: list, family: str | None = None) -> Any:
        return self.run(lambda r: self.scripts[name](keys=keys, args=args, client=r), family)

    def scripts_at_once(self, r: redis.Redis, calls: list[tuple[str, list[str], list]]) -> list:
        """Several script calls in one round trip (a pipeline of EVALSHA). redis-py's own pipelined
        Script objects would first send SCRIPT EXISTS: a second round trip every time. Scripts a
        restarted Redis no longer knows are loaded and their calls sent again."""

        def send(batch):
            pipe = r.pipeline(transaction=False)
            for name, keys, args in batch:
                pipe.evalsha(self.scripts[name].sha, len(keys), *keys, *args)
            return pipe.execute(raise_on_error=False)

        results = send(calls)
        missing = [i for i, result in enumerate(results) if isinstance(result, redis.exceptions.NoScriptError)]
        if missing:
            for script in self.scripts.values():
                script.sha = r.script_load(script.script)
            for i, result in zip(missing, send([calls[i] for i in missing])):
                results[i] = result
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results

    def ping(self) -> bool:
        try:
            return bool(self.run(lambda r: r.ping()))
        except CacheUnavailable:
            return False

    def _flush_local_counts(self) -> None:
        from .families import get_family

        counts = self.local_counts.drain()
        if not counts:
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            for family, counter in counts.items():
                group = get_family(family).group if family != "_redis" else "_redis"
                for what, n in counter.items():
                    pipe.hincrby(self.stats_hash(group), f"{family}:{what}", n)
            pipe.execute()
        except REDIS_ERRORS:
            self.local_counts.restore(counts)


_store: Store | None = None
_store_lock = threading.Lock()


def get_store() -> Store:
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                _store = Store.from_settings()
    return _store


def reset_store() -> None:
    """Forget the store so the next call builds one from the current settings."""
    global _store
    _store = None


@contextmanager
def use_store(store: Store):
    """Route the layer through another store (a test's own redis-server, say)."""
    global _store
    previous, _store = _store, store
    try:
        yield store
    finally:
        _store = previous
