"""Read-through: a hit is one round trip and no SQL; a miss runs the loader once and stores its JSON.

    cached = read(PRODUCT_DETAIL, {"id": 5}, loader)   # -> Cached(raw=b'{...}', hit=True, etag=..., ...)

A miss takes the key's lease in the same round trip as the read, loads, and stores over its own
lease only (see lua.py), so an invalidation during the load wins. Concurrent misses of one key
wait a bounded time for the lease holder's result, then load for themselves. Inside a transaction
that has written, the cache is neither read nor filled (the transaction may still roll back).
"""

import contextvars
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.serializers.json import DjangoJSONEncoder

from . import tracking
from .families import Family
from .lua import HEADER_LENGTH
from .redis import CacheUnavailable, Store, get_store

logger = logging.getLogger("shop.cache")


@dataclass(frozen=True)
class Cached:
    """A read-through result: the JSON payload as stored, whether it came from Redis, its ETag and age.

    `not_modified` is set (and `raw` is None) when the caller's If-None-Match matched a hit."""

    raw: bytes | None
    hit: bool
    etag: str
    stored_at_ms: int | None = None
    not_modified: bool = False

    @property
    def data(self) -> Any:
        return json.loads(self.raw)

    @property
    def age_seconds(self) -> int:
        """Seconds since the entry was built (0 for what was just loaded)."""
        if self.stored_at_ms is None:
            return 0
        return max(0, int(time.time() - self.stored_at_ms / 1000))


class Expiring(NamedTuple):
    """A loader's result that must not be kept longer than `seconds` (it changes by itself then)."""

    data: Any
    seconds: int | None


_loading: contextvars.ContextVar[bool] = contextvars.ContextVar("shop_cache_loading", default=False)


def in_loader() -> bool:
    """Is a loader of this layer running (in this thread or task)? A database router sends its reads to
    the primary: a lagging replica would hand it what an invalidation just cleared (shop/db_routing.py)."""
    return _loading.get()


def load(loader: Callable[..., Any], *args) -> Any:
    """Run a loader, marked as one (see in_loader)."""
    token = _loading.set(True)
    try:
        return loader(*args)
    finally:
        _loading.reset(token)


def to_json_bytes(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode()


def etag_of(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=8).hexdigest()


def entry_for(payload: bytes) -> tuple[bytes, str, int]:
    etag, stored_at = etag_of(payload), int(time.time() * 1000)
    return b"D" + etag.encode() + b"%013d" % stored_at + payload, etag, stored_at


def _from_entry(entry: bytes) -> Cached:
    return Cached(
        raw=entry[HEADER_LENGTH:],
        hit=True,
        etag=entry[1:17].decode(),
        stored_at_ms=int(entry[17:HEADER_LENGTH]),
    )


def fresh(payload: bytes, stored: tuple | None = None) -> Cached:
    if stored is None:
        return Cached(raw=payload, hit=False, etag=etag_of(payload))
    _, etag, stored_at = stored
    return Cached(raw=payload, hit=False, etag=etag, stored_at_ms=stored_at)


def _payload(loaded: Any) -> tuple[bytes, int | None]:
    if isinstance(loaded, Expiring):
        return to_json_bytes(loaded.data), loaded.seconds
    return to_json_bytes(loaded), None


@dataclass
class Lookup:
    """One key's read: its name, its tag sets and tag member, and the lease token a miss takes."""

    store: Store
    family: Family
    key: str
    tags: list[str]
    member: str
    token: str

    @classmethod
    def of(cls, family: Family, params: dict, tag_params: dict | None) -> "Lookup":
        store = get_store()
        key = store.key(family, params)
        described = params if tag_params is None else tag_params
        tags = sorted(family.tags_of(described)) if family.tags_of else []
        member = f"{key}|{to_json_bytes(described).decode()}" if tags else ""
        return cls(store, family, key, tags, member, uuid.uuid4().hex)

    @property
    def tag_keys(self) -> list[str]:
        return [self.store.tag_set(self.family, t) for t in self.tags]

    def ask(self, script: str, if_none_match: str, extra_keys=(), extra_args=()):
        """The one round trip of a read: the reply, None when Redis can't be used (load from the
        database), or RETRY when this very call found Redis back after an outage and caught up."""
        store, family = self.store, self.family
        keys = [self.key, store.stats_hash(family.group), store.index(family), *self.tag_keys, *extra_keys]
        args = [family.name, if_none_match, self.token, store.lease_ms, store.max_keys, self.member, *extra_args]
        try:
            reply = store.script(script, keys, args, family.name)
        except CacheUnavailable:
            store.local_counts.add(family.name, "misses")
            return None
        if not store.trusted and (reply[0] not in MISSES or not store.caught_up):
            # This very call found Redis back after an outage, or came on a new connection (perhaps to
            # another server: a restart, a failover) with something to serve: catch up before trusting
            # what Redis holds. (A miss on a new connection serves nothing from Redis.)
            if reply[0] == b"L":
                release(store, family, self.key, self.token)
            return RETRY if _caught_up(store) else None
        return reply


RETRY = object()
MISSES = (b"L", b"M", b"C", b"W")  # replies that serve nothing from Redis (W waits, and checks, below)


def usable(store: Store, family: Family) -> bool:
    if tracking.in_dirty_transaction() or not _caught_up(store):
        store.local_counts.add(family.name, "misses")
        return False
    return True


def read(
    family: Family, params: dict, loader: Callable[[], Any], *, if_none_match: str = "", tag_params: dict | None = None
) -> Cached:
    """The entry for `family` and `params`, loaded by `loader` on a miss. A loader may return
    `Expiring(data, seconds)` to keep its result less long than the family's TTL (0 or less: not stored).
    A tagged family files the key under `family.tags_of(tag_params)` (default: `params`), with those
    params, for invalidation to decide on (filtered lists are keyed by a digest of their filters)."""
    if not usable(get_store(), family):
        return fresh(_payload(load(loader))[0])
    lookup = Lookup.of(family, params, tag_params)
    reply = lookup.ask("READ", if_none_match)
    if reply is RETRY:
        return read(family, params, loader, if_none_match=if_none_match, tag_params=tag_params)
    if reply is None:
        return fresh(_payload(load(loader))[0])
    kind = reply[0]
    if kind == b"H":
        return _from_entry(reply[1])
    if kind == b"N":
        header = _from_entry(reply[1])
        return Cached(raw=None, hit=True, etag=header.etag, stored_at_ms=header.stored_at_ms, not_modified=True)
    if kind == b"W":
        filled = _wait_for_fill(lookup.store, lookup.key, family.name)
        if filled is not None:
            return _from_entry(filled)
    if kind != b"L":
        return fresh(_payload(load(loader))[0])
    return _load_and_store(lookup, loader)


def _caught_up(store: Store) -> bool:
    """After an outage, nothing is served from Redis before what it missed has been applied; from a new
    connection, nothing before the server it reached has been checked (recovery.py)."""
    if store.trusted:
        return True
    # Only a server check pending (one round trip): wait for the thread at it. A whole catch-up: don't.
    acquired = store.catching_up.acquire(timeout=store.stampede_wait) if store.caught_up else None
    if not acquired and not store.catching_up.acquire(blocking=False):
        return False  # another thread is at it: this read goes to the database
    try:
        from .recovery import catch_up, redis_identity_check

        if store.trusted:
            return True
        ok = True
        if store.caught_up:  # only a new connection: is it the server the cache was trusted on? (no SQL)
            ok = redis_identity_check(store) is not None
        if ok and not store.caught_up:  # (that check itself may be what found Redis back after an outage)
            store.caught_up = catch_up(store) is not None
            ok = store.caught_up
        if ok:
            store.verified_connections = store.connections
    finally:
        store.catching_up.release()
    return store.trusted


def _load_and_store(lookup: Lookup, loader) -> Cached:
    store, family = lookup.store, lookup.family
    try:
        payload, shorter = _payload(load(loader))
    except BaseException:
        release(store, family, lookup.key, lookup.token)
        raise
    seconds = _store_ttl(family, shorter)
    if seconds is not None and seconds <= 0:
        release(store, family, lookup.key, lookup.token)
        return fresh(payload)
    stored = entry_for(payload)
    keys = [lookup.key, store.index(family), *lookup.tag_keys]
    try:
        store.script("STORE", keys, [lookup.token, stored[0], seconds or 0, lookup.member], family.name)
    except CacheUnavailable:
        pass
    return fresh(payload, stored)


def _store_ttl(family: Family, override: int | None) -> int | None:
    """Seconds to keep the entry (None: no expiry); an override only ever shortens it."""
    ttl = family.effective_ttl
    if override is None:
        return ttl
    override = int(override)
    return override if ttl is None else min(ttl, override)


def release(store: Store, family: Family, key: str, token: str) -> None:
    try:
        store.script("RELEASE", [key, store.index(family)], [token], family.name)
    except CacheUnavailable:
        pass


def _wait_for_fill(store: Store, key: str, family: str) -> bytes | None:
    """Another caller holds the lease: wait a bounded time for its entry. Gives up early when the
    lease is gone without an entry (the loader failed, or an invalidation removed it)."""
    deadline = time.monotonic() + store.stampede_wait
    delay = 0.005
    while time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
        try:
            value = store.run(lambda r: r.get(key), family)
        except CacheUnavailable:
            return None
        if value is None:
            return None
        if not _caught_up(store):  # the GET opened a connection to a server not checked yet, and can't be
            return None
        if value[:1] == b"D":
            return value
    return None
