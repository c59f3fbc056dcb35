"""Assembled lists: a list whose rows are entries of another family (a product's detail), read in one
round trip that gathers them. A row whose entry is gone (that product changed) is loaded alone.

The list's own entry (its skeleton) holds only the ids of its rows, in order, and the JSON around
them. Fragments a list loads are stored only if their family saw no invalidation since the load began
(its epoch, see lua.py), the skeleton only over its own lease: neither can bring back what a
write cleared meanwhile.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from . import getset
from .families import Family
from .getset import RETRY, Cached, Lookup, entry_for, fresh, load, release, to_json_bytes, usable
from .lua import HEADER_LENGTH
from .redis import CacheUnavailable, Store, get_store


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
    if not usable(store, family):
        return fresh(_assembly_bytes(load(loader)))
    lookup = Lookup.of(family, params, tag_params)
    fragments = family.fragments
    reply = lookup.ask(
        "READ_ASSEMBLED",
        if_none_match,
        extra_keys=[store.epochs_hash(family.group)],
        extra_args=[store.key(fragments, {"id": ""}), fragments.name],
    )
    if reply is RETRY:
        return read_assembled(
            family, params, loader, fragments_loader, if_none_match=if_none_match, tag_params=tag_params
        )
    if reply is None:
        return fresh(_assembly_bytes(load(loader)))

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
    if kind == b"W" and getset._wait_for_fill(store, lookup.key, family.name) is not None:
        # Another caller is loading the list: once its skeleton is stored, read it like any hit.
        return read_assembled(
            family, params, loader, fragments_loader, if_none_match=if_none_match, tag_params=tag_params
        )
    if kind != b"L":
        return fresh(_assembly_bytes(load(loader)))
    return _load_assembled(lookup, reply[1], loader)


def _assembly_bytes(assembly: Assembly) -> bytes:
    return _assembled(assembly.head, [to_json_bytes(row) for _, row in assembly.rows], assembly.tail)


def _fragment_entries(rows: dict[int, dict]) -> dict[int, tuple[bytes, str]]:
    """Per id: the entry to store for its fragment, and that entry's etag."""
    entries = {}
    for row_id, row in rows.items():
        entry, etag, _ = entry_for(to_json_bytes(row))
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
    loaded = load(many, missing)
    if set(loaded) != set(missing):  # a row vanished under the skeleton: build the list afresh
        return fresh(_assembly_bytes(load(loader)))
    entries = _fragment_entries(loaded)
    if entries:
        _store_all(store, family, [_fragments_call(store, family, epoch, entries)])
    complete = [f if f and f[:1] == b"D" else entries[row_id][0] for row_id, f in zip(ids, fragments)]
    etag = _assembled_etag(skeleton[1:17].decode(), [f[1:17].decode() for f in complete])
    raw = _assembled(head, [f[HEADER_LENGTH:] for f in complete], tail)
    return Cached(raw=raw, hit=False, etag=etag, stored_at_ms=int(skeleton[17:HEADER_LENGTH]))


def _load_assembled(lookup: Lookup, epoch: bytes, loader) -> Cached:
    store, family = lookup.store, lookup.family
    try:
        assembly = load(loader)
    except BaseException:
        release(store, family, lookup.key, lookup.token)
        raise
    entries = _fragment_entries(dict(assembly.rows))
    ids = [row_id for row_id, _ in assembly.rows]
    skeleton_payload = b",".join(b"%d" % i for i in ids) + b"\n" + assembly.head + b"\n" + assembly.tail
    skeleton, skeleton_etag, stored_at = entry_for(skeleton_payload)
    store_skeleton = (
        "STORE",
        [lookup.key, store.index(family), *lookup.tag_keys],
        [lookup.token, skeleton, family.effective_ttl or 0, lookup.member],
    )
    _store_all(
        store, family, [_fragments_call(store, family, epoch, entries), store_skeleton] if entries else [store_skeleton]
    )
    etag = _assembled_etag(skeleton_etag, [entries[i][1] for i in ids])
    raw = _assembled(assembly.head, [entries[i][0][HEADER_LENGTH:] for i in ids], assembly.tail)
    return Cached(raw=raw, hit=False, etag=etag, stored_at_ms=stored_at)
