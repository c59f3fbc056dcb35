"""Catching up after Redis was away: what the cache missed while it could not be reached.

- Invalidations that waited in the outbox are applied (all writers', not only this process's).
- If Redis is not the server the cache was last trusted on (it restarted, from its dump or empty,
  or a replica was promoted), entries may be back that invalidations had already cleared: every
  family is cleared once. `_cache:run_id` remembers the server (its INFO run_id and master_replid;
  see Store.identity). That covers a Sentinel failover too: whatever the old primary took and never
  passed on to its replica (asynchronous replication) is cleared with everything else on the new one.

The relay runs this on every pass; a web process runs it before it serves from a connection it has
just (re)established and when its breaker closes again, so even without a relay, and whether or not
it noticed the outage, no process serves from a server it has not checked.
"""

import logging

from .families import all_families
from .invalidation import clear_families
from .redis import CacheUnavailable, Store

logger = logging.getLogger("shop.cache")


def redis_identity_check(store: Store) -> bool | None:
    """Clear every family when Redis is not the server the cache was last trusted on.
    Returns None when Redis can't be reached, else whether it cleared."""
    marker = store.meta("run_id")
    try:
        identity, seen = store.run(lambda r: store.identity(r, marker))
    except CacheUnavailable:
        return None
    if seen is not None and seen.decode() == identity:
        return False
    if seen is None and not _anything_cached(store):  # a new (or emptied) Redis: nothing to distrust
        try:
            store.run(lambda r: r.set(marker, identity))
        except CacheUnavailable:
            return None
        return False
    if seen is not None:
        logger.warning("Redis restarted or failed over (%s → %s): clearing every family", seen.decode(), identity)
    if not clear_families(all_families(), cause="Redis restarted"):
        return None
    try:
        store.run(lambda r: r.set(marker, identity))
    except CacheUnavailable:
        return None
    return seen is not None


def _anything_cached(store: Store) -> bool:
    """Does any family hold a key (an entry or a lease)? Every key is filed in its family's index."""

    def read(r):
        pipe = r.pipeline(transaction=False)
        for family in all_families():
            pipe.exists(store.index(family))
        return pipe.execute()

    try:
        return any(store.run(read))
    except CacheUnavailable:
        return True


def catch_up(store: Store, *, relay: bool = False, max_batches: int = 100) -> int | None:
    """The identity check, then every pending outbox row. Returns rows deleted; None when Redis is away.

    A web process applies every row itself, including rows another process holds (applying twice is
    harmless; skipping one could serve what it made stale). Relays split the rows between them
    (`apply_pending` skips rows another relay holds) and pass again on the next NOTIFY."""
    from .outbox import apply_everything, apply_pending

    if redis_identity_check(store) is None:
        return None
    if not relay:
        try:
            return apply_everything()
        except CacheUnavailable:
            return None
    total = 0
    for _ in range(max_batches):
        applied = apply_pending()
        total += applied
        if not applied:
            break
    return total
