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
from urllib.parse import unquote, urlparse

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


def redis_client(
    url: str,
    *,
    socket_timeout: float,
    connect_timeout: float,
    sentinels: list[tuple[str, int]] | None = None,
    sentinel_master: str = "",
    cluster_nodes: list[tuple[str, int]] | None = None,
    on_connect: Callable[[], None] | None = None,
):
    """No retries (redis-py's would multiply every timeout), no health-check PING, no CLIENT SETINFO
    handshake: a call costs at most one timeout, a hit one round trip.

    One Redis (`url`), a Sentinel-managed primary (`sentinels` + `sentinel_master`: every new
    connection asks the sentinels where the primary is, so a failover is followed by itself), or a
    Redis Cluster (`cluster_nodes`: keys are routed by slot; the layer's hash tags keep each script
    in one). With Sentinel, `url` still gives the database number and password. `on_connect` is
    called each time a connection to a server is (re)established."""
    options = dict(
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        retry=Retry(NoBackoff(), 0),
        retry_on_error=[],
        retry_on_timeout=False,
        health_check_interval=0,
        driver_info=None,
    )
    if cluster_nodes:
        from redis.cluster import ClusterNode, RedisCluster

        parsed = urlparse(url)
        del options["retry_on_error"], options["retry_on_timeout"]  # (the cluster client's retry says it all)
        return RedisCluster(
            startup_nodes=[ClusterNode(host, port) for host, port in cluster_nodes],
            password=unquote(parsed.password) if parsed.password else None,
            require_full_coverage=False,
            redis_connect_func=(lambda connection: on_connect()) if on_connect else None,
            **options,
        )

    def connected(connection):
        connection.on_connect()
        on_connect()

    if on_connect:
        options["redis_connect_func"] = connected
    if sentinels:
        from redis.sentinel import Sentinel

        parsed = urlparse(url)
        password = unquote(parsed.password) if parsed.password else None
        sentinel = Sentinel(
            sentinels,
            sentinel_kwargs=dict(
                socket_timeout=socket_timeout,
                socket_connect_timeout=connect_timeout,
                retry=Retry(NoBackoff(), 0),
                health_check_interval=0,
            ),
        )
        return sentinel.master_for(sentinel_master, db=int(parsed.path.strip("/") or 0), password=password, **options)
    return redis.Redis.from_url(url, **options)


def parse_nodes(value) -> list[tuple[str, int]]:
    """ "host:port,host:port" (or a list of such strings) → [(host, port), ...]."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    nodes = []
    for item in (i.strip() for i in items):
        if item:
            host, _, port = item.rpartition(":")
            nodes.append((host.strip("[]") or "127.0.0.1", int(port)))
    return nodes


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
        sentinels: list[tuple[str, int]] | None = None,
        sentinel_master: str = "",
        cluster_nodes: list[tuple[str, int]] | None = None,
    ):
        self.url = url
        self.prefix = prefix
        self.enabled = enabled
        self.stampede_wait = stampede_wait
        self.lease_ms = max(1, int(lease_ttl * 1000))
        self.max_keys = max_keys
        self.breaker = CircuitBreaker(cooldown=cooldown, clock=clock)
        # False from Redis answering again after an outage until recovery.catch_up ran.
        self.caught_up = True
        # Connections (re)established so far, and how many of them recovery has checked the server of.
        self.connections = 0
        self.verified_connections = -1  # a store that never connected checks the server before its first read
        self.catching_up = threading.Lock()
        self.is_cluster = bool(cluster_nodes) and client is None
        self._client = client
        self._client_lock = threading.Lock()
        self._make_client = lambda: redis_client(
            url,
            socket_timeout=socket_timeout,
            connect_timeout=connect_timeout,
            sentinels=sentinels,
            sentinel_master=sentinel_master,
            cluster_nodes=cluster_nodes,
            on_connect=self._connected,
        )
        # Scripts are called with the client at hand; the one they are registered with only hashes them.
        self.scripts = {name: redis.Redis().register_script(source) for name, source in SCRIPTS.items()}
        self.local_counts = LocalCounts()

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
            sentinels=parse_nodes(settings.REDIS_SENTINELS),
            sentinel_master=settings.REDIS_SENTINEL_MASTER,
            cluster_nodes=parse_nodes(settings.REDIS_CLUSTER_NODES),
        )

    @property
    def client(self):
        """The Redis client, made on first use (a cluster client connects to learn the slots, so it can't
        be made before Redis answers)."""
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    self._client = self._make_client()
        return self._client

    @client.setter
    def client(self, client) -> None:
        self._client = client

    def _connected(self) -> None:
        """A connection to a server was (re)established: it may be another server than the one the cache
        was last trusted on (a restart, a restore from a dump, a failover the pool followed by itself,
        all of which redis-py reconnects to without an error). Nothing is served from it before
        recovery has checked which server it is (see getset._caught_up)."""
        self.connections += 1

    @property
    def trusted(self) -> bool:
        """May entries read from Redis be served? Not between an outage and its catch-up, nor from a
        connection made since the server was last checked."""
        return self.caught_up and self.verified_connections == self.connections

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
        restarted Redis no longer knows are loaded and their calls sent again. On a cluster (whose
        client refuses EVALSHA in a pipeline): one pipeline per primary touched, on that primary's own
        connection; a call whose slot has moved meanwhile is sent again through the cluster client."""
        if not self.is_cluster:
            results = self._pipelined(r, calls)
        else:
            by_node: dict[str, list[int]] = defaultdict(list)
            for index, (_, keys, _) in enumerate(calls):
                by_node[r.get_node_from_key(keys[0]).name].append(index)
            results = [None] * len(calls)
            for name, indexes in by_node.items():
                node = r.get_redis_connection(r.get_node(node_name=name))
                for index, result in zip(indexes, self._pipelined(node, [calls[i] for i in indexes])):
                    results[index] = result
            for index, result in enumerate(results):
                if isinstance(result, redis.exceptions.AskError):  # (MOVED too: a resharding)
                    name, keys, args = calls[index]
                    results[index] = self.scripts[name](keys=keys, args=args, client=r)
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results

    def _pipelined(self, r: redis.Redis, calls: list) -> list:
        """EVALSHA each call in one pipeline; the replies, errors included."""

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
        return results

    def identity(self, r, marker: str) -> tuple[str, bytes | None]:
        """Which server(s) hold the cache now, and the value stored under `marker`, in one round trip
        (one per primary on a cluster). The identity is each primary's run_id (new after a restart) and
        replication id (new whenever a replica is promoted, even back and forth)."""
        if self.is_cluster:
            from redis.cluster import RedisCluster

            servers = r.info("server", target_nodes=RedisCluster.PRIMARIES)
            replication = r.info("replication", target_nodes=RedisCluster.PRIMARIES)
            if "run_id" in servers:  # a cluster of one primary answers for itself
                servers, replication = {"": servers}, {"": replication}
            parts = sorted(f"{servers[n]['run_id']}:{replication[n]['master_replid']}" for n in servers)
            return ",".join(parts), r.get(marker)
        pipe = r.pipeline(transaction=False)
        pipe.info("server")
        pipe.info("replication")
        pipe.get(marker)
        server, replication, seen = pipe.execute()
        return f"{server['run_id']}:{replication['master_replid']}", seen

    def info(self, r, section: str) -> dict:
        """INFO `section`; on a cluster, the first primary's (memory and counters are per node)."""
        if self.is_cluster:
            from redis.cluster import RedisCluster

            found = r.info(section, target_nodes=RedisCluster.PRIMARIES)
            return (
                found if not found or not isinstance(next(iter(found.values())), dict) else next(iter(found.values()))
            )
        return r.info(section)

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
