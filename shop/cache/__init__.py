"""The cache layer: the only code in the project that talks to Redis. Its public surface:

Declare a family (in `<app>/cache_families.py`) and each read of it (one place per read):

    PRODUCT_DETAIL = declare("products:detail", pattern="products:{id}", ttl=3600,
                             depends_on=[Rows("products.Product", keys=lambda change: [{"id": change.pk}])])

    @cached(PRODUCT_DETAIL, http=lambda: ["/api/v1/products/1"])
    def product_detail(*, id: int) -> dict: ...            # builds the payload from the database

    product_detail(id=5)                  # -> Cached(raw=b'{...}', hit, etag, age_seconds, not_modified)

Invalidation needs no call: PostgreSQL's triggers record every change of a tracked row in the
outbox, the writing process applies its own rows right after its commit, and `manage.py
cache_relay` applies the rest (other programs, crashed processes, Redis outages). `clear(...)`
empties families on demand; `stats()` and `health()` report; `family_invalidated` is sent after
each family's invalidation reached Redis; `in_loader()` tells a database router that a loader is
reading (it must read the primary). No cache error ever reaches a caller.
"""

from .assembled import Assembly
from .families import Change, Family, Rows, all_families, declare, resolve
from .getset import Cached, Expiring, in_loader
from .invalidation import clear_families, family_invalidated
from .outbox import pending
from .reads import CachedRead, cached, cached_reads
from .redis import get_store
from .stats import reset_stats, stats

__all__ = [
    "Assembly",
    "Cached",
    "CachedRead",
    "Change",
    "Expiring",
    "Family",
    "Rows",
    "all_families",
    "cached",
    "cached_reads",
    "clear",
    "declare",
    "family_invalidated",
    "health",
    "in_loader",
    "pending",
    "reset_stats",
    "stats",
]


def clear(selector: str, *, cause: str) -> tuple[list[str], bool]:
    """Empty families now: a family name, a group ("products") or "all". Returns the names and whether
    Redis took it (when it is down there is nothing to serve stale: reads go to the database)."""
    families = resolve(selector)
    return [f.name for f in families], clear_families(families, cause=cause) if families else True


def health() -> dict:
    """`{cache: "ok"|"down", outbox: {count, oldestAgeSeconds}}`: Redis and the invalidations still to apply."""
    return {"cache": "ok" if get_store().ping() else "down", "outbox": pending()}
