"""Looking into the cache from tests: a family's live keys, a key's TTL left, a read with any loader."""

from shop.cache import Family, stats
from shop.cache.getset import read
from shop.cache.redis import get_store

__all__ = ["family_keys", "read", "ttl_left", "invalidations"]


def family_keys(family: Family) -> list[dict]:
    """The family's live keys (API.md's names) with their TTL left (-1: no expiry)."""
    return stats(include_keys=True)["families"][family.name]["entries"]


def ttl_left(family: Family, params: dict) -> int | None:
    """Seconds the entry has left; None when absent or without expiry."""
    store = get_store()
    ttl = store.client.ttl(store.key(family, params))
    return ttl if ttl is not None and ttl >= 0 else None


def invalidations(family: Family) -> int:
    return stats()["families"][family.name]["invalidations"]


def make_older(family: Family, params: dict, seconds: int) -> None:
    """Pretend the entry was stored `seconds` earlier (its stored-at header), as if time had passed."""
    store = get_store()
    key = store.key(family, params)
    entry = store.client.get(key)
    stored_at = int(entry[17:30]) - seconds * 1000
    store.client.set(key, entry[:17] + b"%013d" % stored_at + entry[30:], keepttl=True)


def raw_entry(family: Family, params: dict) -> bytes | None:
    """The payload stored under the family's key (without the entry header), or None."""
    store = get_store()
    entry = store.client.get(store.key(family, params))
    return None if entry is None else entry[30:]


class RoundTrips:
    """Counts what a client sends to Redis inside the block: one send per round trip (a pipeline sends
    its whole batch at once)."""

    def __init__(self, monkeypatch):
        import redis.connection

        self.count = 0
        self.active = False
        original = redis.connection.AbstractConnection.send_packed_command

        def counting(conn, command, check_health=True):
            self.count += self.active
            return original(conn, command, check_health)

        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)

    def __enter__(self):
        self.active = True
        return self

    def __exit__(self, *exc):
        self.active = False


def outbox_applied() -> int:
    """Apply what this test's connection wrote so far, as its commit would have (a `db` test never commits)."""
    from django.db import connection

    from shop.cache.outbox import apply_own

    return apply_own(connection)


def waiting_for_fill(monkeypatch, on_wait) -> None:
    """Call `on_wait()` whenever a read starts waiting for another caller's load (it found the lease taken)."""
    from shop.cache import getset

    wait_for_fill = getset._wait_for_fill

    def counted(*args):
        on_wait()
        return wait_for_fill(*args)

    monkeypatch.setattr(getset, "_wait_for_fill", counted)
