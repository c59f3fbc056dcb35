"""Catching up after Redis was away: what the cache missed while it could not be reached.

- Invalidations that waited in the outbox are applied (all writers', not only this process's).
- If Redis is not the server the cache was last trusted on (it restarted, from its dump or empty,
  or a replica was promoted), entries may be back that invalidations had already cleared: every
  family is cleared once. `_cache:run_id` remembers the server (its INFO run_id).

The relay runs this on every pass; a web process runs it once when its breaker closes again, before
it serves from Redis, so even without a relay the process that noticed the outage is caught up.
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

    def read(r):
        pipe = r.pipeline(transaction=False)
        pipe.info("server")
        pipe.get(marker)
        return pipe.execute()

    try:
        server, seen = store.run(read)
    except CacheUnavailable:
        return None
    run_id = server.get("run_id", "")
    if seen is not None and seen.decode() == run_id:
        return False
    if seen is not None:
        logger.warning("Redis restarted or failed over (run_id %s → %s): clearing every family", seen.decode(), run_id)
    if not clear_families(all_families(), cause="Redis restarted"):
        return None
    try:
        store.run(lambda r: r.set(marker, run_id))
    except CacheUnavailable:
        return None
    return seen is not None


def catch_up(store: Store, *, max_batches: int = 100) -> int | None:
    """The identity check, then every pending outbox row. Returns rows applied; None when Redis is away."""
    from .outbox import apply_pending

    if redis_identity_check(store) is None:
        return None
    total = 0
    for _ in range(max_batches):
        applied = apply_pending()
        total += applied
        if not applied:
            break
    return total
