"""Read-through: a hit is one round trip and no SQL; a miss runs the loader once and stores its JSON.

    cached = read(PRODUCT_DETAIL, {"id": 5}, loader)   # -> Cached(raw=b'{...}', hit=True, etag=..., ...)

A miss takes the key's lease in the same round trip as the read, loads, and stores over its own
lease only (see lua.py), so an invalidation during the load wins. Concurrent misses of one key
wait a bounded time for the lease holder's result, then load for themselves. Inside a transaction
that has written, the cache is neither read nor filled (the transaction may still roll back).
"""

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


def to_json_bytes(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode()


def etag_of(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=8).hexdigest()


def _entry(payload: bytes) -> tuple[bytes, str, int]:
    etag, stored_at = etag_of(payload), int(time.time() * 1000)
    return b"D" + etag.encode() + b"%013d" % stored_at + payload, etag, stored_at


def _from_entry(entry: bytes) -> Cached:
    return Cached(
        raw=entry[HEADER_LENGTH:],
        hit=True,
        etag=entry[1:17].decode(),
        stored_at_ms=int(entry[17:HEADER_LENGTH]),
    )


def _fresh(payload: bytes, stored: tuple | None = None) -> Cached:
    if stored is None:
        return Cached(raw=payload, hit=False, etag=etag_of(payload))
    _, etag, stored_at = stored
    return Cached(raw=payload, hit=False, etag=etag, stored_at_ms=stored_at)


def _payload(loaded: Any) -> tuple[bytes, int | None]:
    if isinstance(loaded, Expiring):
        return to_json_bytes(loaded.data), loaded.seconds
    return to_json_bytes(loaded), None


def read(
    family: Family, params: dict, loader: Callable[[], Any], *, if_none_match: str = "", tag_params: dict | None = None
) -> Cached:
    """The entry for `family` and `params`, loaded by `loader` on a miss. A loader may return
    `Expiring(data, seconds)` to keep its result less long than the family's TTL (0 or less: not stored).
    A tagged family files the key under `family.tags_of(tag_params)` (default: `params`), with those
    params, for invalidation to decide on (filtered lists are keyed by a digest of their filters)."""
    store = get_store()
    if tracking.in_dirty_transaction() or not _caught_up(store):
        store.local_counts.add(family.name, "misses")
        return _fresh(_payload(loader())[0])

    key = store.key(family, params)
    described = params if tag_params is None else tag_params
    tags = sorted(family.tags_of(described)) if family.tags_of else []
    member = f"{key}|{to_json_bytes(described).decode()}" if tags else ""
    token = uuid.uuid4().hex
    keys = [key, store.stats_hash(family.group), store.index(family), *(store.tag_set(family, t) for t in tags)]
    try:
        reply = store.script(
            "READ", keys, [family.name, if_none_match, token, store.lease_ms, store.max_keys, member], family.name
        )
    except CacheUnavailable:
        store.local_counts.add(family.name, "misses")
        return _fresh(_payload(loader())[0])
    if not store.caught_up:
        # This very call found Redis back after an outage: catch up before trusting what it holds.
        if reply[0] == b"L":
            _release(store, family, key, token)
        if _caught_up(store):
            return read(family, params, loader, if_none_match=if_none_match, tag_params=tag_params)
        return _fresh(_payload(loader())[0])

    kind = reply[0]
    if kind == b"H":
        return _from_entry(reply[1])
    if kind == b"N":
        header = _from_entry(reply[1])
        return Cached(raw=None, hit=True, etag=header.etag, stored_at_ms=header.stored_at_ms, not_modified=True)
    if kind == b"W":
        filled = _wait_for_fill(store, key, family.name)
        if filled is not None:
            return _from_entry(filled)
    if kind != b"L":
        return _fresh(_payload(loader())[0])
    return _load_and_store(store, family, key, token, loader, tags, member)


def _caught_up(store: Store) -> bool:
    """After an outage, nothing is served from Redis before what it missed has been applied."""
    if store.caught_up:
        return True
    if not store.catching_up.acquire(blocking=False):
        return False  # another thread is at it: this read goes to the database
    try:
        from .recovery import catch_up

        store.caught_up = catch_up(store) is not None
    finally:
        store.catching_up.release()
    return store.caught_up


def _load_and_store(store: Store, family: Family, key: str, token: str, loader, tags, member) -> Cached:
    try:
        payload, shorter = _payload(loader())
    except BaseException:
        _release(store, family, key, token)
        raise
    seconds = _store_ttl(family, shorter)
    if seconds is not None and seconds <= 0:
        _release(store, family, key, token)
        return _fresh(payload)
    stored = _entry(payload)
    keys = [key, store.index(family), *(store.tag_set(family, t) for t in tags)]
    try:
        store.script("STORE", keys, [token, stored[0], seconds or 0, member], family.name)
    except CacheUnavailable:
        pass
    return _fresh(payload, stored)


def _store_ttl(family: Family, override: int | None) -> int | None:
    """Seconds to keep the entry (None: no expiry); an override only ever shortens it."""
    ttl = family.effective_ttl
    if override is None:
        return ttl
    override = int(override)
    return override if ttl is None else min(ttl, override)


def _release(store: Store, family: Family, key: str, token: str) -> None:
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
        if value[:1] == b"D":
            return value
    return None


# --- assembled lists -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Assembly:
    """An assembled list's payload: `head` and `tail` around its rows, each row (id, its fragment
    family's payload, e.g. {"product": {...}}), in order."""

    head: bytes
    rows: list[tuple[int, dict]]
    tail: bytes


def _unwrap(fragment_payload: bytes) -> bytes:
    """A fragment entry's payload is a one-member object ({"product": {...}}): its value."""
    return fragment_payload[fragment_payload.index(b":") + 1 : -1]


def _assembled_etag(skeleton_etag: str, fragment_etags: list[str]) -> str:
    return hashlib.sha1("".join([skeleton_etag, *fragment_etags]).encode()).hexdigest()[:16]  # Lua's sha1hex


def _skeleton_parts(skeleton_payload: bytes) -> tuple[list[int], bytes, bytes]:
    ids, head, tail = skeleton_payload.split(b"\n", 2)
    return [int(i) for i in ids.split(b",") if i], head, tail


def _assembled(head: bytes, fragments: list[bytes], tail: bytes) -> bytes:
    return head + b",".join(_unwrap(f) for f in fragments) + tail


def read_assembled(
    family: Family,
    params: dict,
    loader: Callable[[], Assembly],
    fragments_loader: Callable[[list[int]], dict[int, dict]],
    *,
    if_none_match: str = "",
    tag_params: dict | None = None,
) -> Cached:
    """Like `read`, for a list whose rows are entries of `family.fragments` (a product's detail): a
    hit is one round trip that gathers them; a row whose entry is gone (that product changed) is
    loaded alone (`fragments_loader(ids)`), not the whole list."""
    store = get_store()
    if tracking.in_dirty_transaction() or not _caught_up(store):
        store.local_counts.add(family.name, "misses")
        return _fresh(_assembly_bytes(loader()))
    fragment_family = family.fragments
    key = store.key(family, params)
    described = params if tag_params is None else tag_params
    tags = sorted(family.tags_of(described)) if family.tags_of else []
    member = f"{key}|{to_json_bytes(described).decode()}" if tags else ""
    token = uuid.uuid4().hex
    fragment_prefix = store.key(fragment_family, {"id": ""})
    keys = [key, store.stats_hash(family.group), store.index(family), *(store.tag_set(family, t) for t in tags)]
    keys.append(store.epochs_hash(family.group))
    args = [family.name, if_none_match, token, store.lease_ms, store.max_keys, member]
    args += [fragment_prefix, fragment_family.name]
    try:
        reply = store.script("READ_ASSEMBLED", keys, args, family.name)
    except CacheUnavailable:
        store.local_counts.add(family.name, "misses")
        return _fresh(_assembly_bytes(loader()))
    if not store.caught_up:
        if reply[0] == b"L":
            _release(store, family, key, token)
        if _caught_up(store):
            return read_assembled(
                family, params, loader, fragments_loader, if_none_match=if_none_match, tag_params=tag_params
            )
        return _fresh(_assembly_bytes(loader()))

    kind = reply[0]
    if kind == b"A":
        skeleton, etag, fragments = reply[1], reply[2].decode(), reply[3:]
        _, head, tail = _skeleton_parts(skeleton[HEADER_LENGTH:])
        stored_at = int(skeleton[17:HEADER_LENGTH])
        return Cached(raw=_assembled(head, fragments, tail), hit=True, etag=etag, stored_at_ms=stored_at)
    if kind == b"N":
        return Cached(raw=None, hit=True, etag=reply[1].decode(), stored_at_ms=int(reply[2]), not_modified=True)
    if kind == b"P":
        return _fill_fragments(store, family, reply[1], reply[2], list(reply[3:]), loader, fragments_loader)
    if kind != b"L":
        return _fresh(_assembly_bytes(loader()))
    return _load_assembled(store, family, key, token, reply[1], loader, tags, member)


def _assembly_bytes(assembly: Assembly) -> bytes:
    return _assembled(assembly.head, [to_json_bytes(row) for _, row in assembly.rows], assembly.tail)


def _fragment_entries(rows: dict[int, dict]) -> dict[int, tuple[bytes, str]]:
    """Per id: the entry to store for its fragment, and that entry's etag."""
    entries = {}
    for row_id, row in rows.items():
        entry, etag, _ = _entry(to_json_bytes(row))
        entries[row_id] = (entry, etag)
    return entries


def _fragments_call(store: Store, family: Family, epoch: bytes, entries: dict[int, tuple[bytes, str]]) -> tuple:
    """The STORE_FRAGMENTS call that keeps `entries` unless their family was invalidated since `epoch`."""
    fragment_family = family.fragments
    ids = list(entries)
    keys = [store.epochs_hash(family.group), store.index(fragment_family)]
    keys += [store.key(fragment_family, {"id": i}) for i in ids]
    args = [fragment_family.name, epoch, fragment_family.effective_ttl or 0, *(entries[i][0] for i in ids)]
    return ("STORE_FRAGMENTS", keys, args)


def _store_all(store: Store, family: Family, calls: list[tuple]) -> None:
    try:
        store.run(lambda r: store.scripts_at_once(r, calls), family.name)
    except CacheUnavailable:
        pass


def _fill_fragments(
    store: Store, family: Family, skeleton: bytes, epoch: bytes, fragments: list, loader, many
) -> Cached:
    """The list's rows are known but some fragments are gone: load those rows alone (one query)."""
    ids, head, tail = _skeleton_parts(skeleton[HEADER_LENGTH:])
    missing = [row_id for row_id, f in zip(ids, fragments) if not f or f[:1] != b"D"]
    loaded = many(missing)
    if set(loaded) != set(missing):  # a row vanished under the skeleton: build the list afresh
        return _fresh(_assembly_bytes(loader()))
    entries = _fragment_entries(loaded)
    if entries:
        _store_all(store, family, [_fragments_call(store, family, epoch, entries)])
    complete = [f if f and f[:1] == b"D" else entries[row_id][0] for row_id, f in zip(ids, fragments)]
    etag = _assembled_etag(skeleton[1:17].decode(), [f[1:17].decode() for f in complete])
    raw = _assembled(head, [f[HEADER_LENGTH:] for f in complete], tail)
    return Cached(raw=raw, hit=False, etag=etag, stored_at_ms=int(skeleton[17:HEADER_LENGTH]))


def _load_assembled(store: Store, family: Family, key: str, token: str, epoch: bytes, loader, tags, member) -> Cached:
    try:
        assembly = loader()
    except BaseException:
        _release(store, family, key, token)
        raise
    entries = _fragment_entries(dict(assembly.rows))
    ids = [row_id for row_id, _ in assembly.rows]
    skeleton_payload = b",".join(b"%d" % i for i in ids) + b"\n" + assembly.head + b"\n" + assembly.tail
    skeleton, skeleton_etag, stored_at = _entry(skeleton_payload)
    store_skeleton = (
        "STORE",
        [key, store.index(family), *(store.tag_set(family, t) for t in tags)],
        [token, skeleton, family.effective_ttl or 0, member],
    )
    _store_all(
        store, family, [_fragments_call(store, family, epoch, entries), store_skeleton] if entries else [store_skeleton]
    )
    etag = _assembled_etag(skeleton_etag, [entries[i][1] for i in ids])
    raw = _assembled(assembly.head, [entries[i][0][HEADER_LENGTH:] for i in ids], assembly.tail)
    return Cached(raw=raw, hit=False, etag=etag, stored_at_ms=stored_at)
