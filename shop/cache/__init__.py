"""The cache layer: the only code in the project that talks to Redis.

    from shop.cache import read_through, invalidate_models_on_commit
    cached = read_through(PRODUCTS_ALL, {}, loader)   # -> Cached(raw=b'{...}', hit=True|False)

Families are declared in each app's `cache_families.py` (see `families.declare`); their
save/delete signals are connected from those declarations in `ShopConfig.ready()`.
"""

import logging
import threading
from contextlib import contextmanager

from django.db import transaction
from django.dispatch import Signal

from .families import Family, all_families, declare, families_cleared_by, get_family, resolve
from .store import Cached, CacheUnavailable, RedisCacheStore, to_json_bytes

__all__ = [
    "Cached",
    "acquire_debounce",
    "CacheUnavailable",
    "Family",
    "all_families",
    "clear",
    "family_invalidated",
    "declare",
    "get_store",
    "reset_store",
    "get_family",
    "invalidate_families_on_commit",
    "invalidate_models_on_commit",
    "read_through",
    "resolve",
    "to_json_bytes",
    "use_store",
]

# Sent after a write's invalidation of a family has been applied: sender=None, family=<name>, cause=<str>.
# Background warm-up listens to it; nothing in this package depends on who listens.
family_invalidated = Signal()

logger = logging.getLogger("shop.cache")

_store: RedisCacheStore | None = None
_store_lock = threading.Lock()


def get_store() -> RedisCacheStore:
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                _store = RedisCacheStore.from_settings()
    return _store


def reset_store() -> None:
    """Forget the store so the next call builds one from the current settings."""
    global _store
    _store = None


@contextmanager
def use_store(store: RedisCacheStore):
    """Route the layer through another store (a test's own redis-server, say)."""
    global _store
    previous, _store = _store, store
    try:
        yield store
    finally:
        _store = previous


def read_through(family: Family, params: dict, loader, ttl=None) -> Cached:
    """`ttl`: optional seconds (or a callable asked after the loader) that shorten the family's TTL."""
    return get_store().read_through(family, params, loader, ttl)


def acquire_debounce(name: str, seconds: float) -> bool:
    """True for the first caller per `seconds` window per name (across processes), else False."""
    return get_store().acquire_debounce(name, seconds)


def clear(selector: str, cause: str = "manual") -> list[str]:
    """Clear families now: a family name, a group ("products") or "all". Returns the names cleared."""
    names = [f.name for f in resolve(selector)]
    get_store().invalidate_many(names, cause)
    return names


def invalidate_families_on_commit(families, cause: str) -> None:
    """Clear these families once the current transaction commits (now, outside a transaction)."""
    names = sorted({f.name if isinstance(f, Family) else f for f in families})
    if not names:
        return

    def apply():
        get_store().invalidate_many(names, cause)
        # After every family is cleared, and robustly: a failing listener must neither keep a family
        # stale nor turn a committed write into an error response.
        for name in names:
            for receiver, error in family_invalidated.send_robust(sender=None, family=name, cause=cause):
                if isinstance(error, Exception):
                    logger.error("family_invalidated receiver %r failed for %s: %r", receiver, name, error)

    transaction.on_commit(apply)


def invalidate_models_on_commit(*models, cause: str) -> None:
    """For writes that signals can't see (QuerySet.update(), bulk_create, F() updates)."""
    families = {f for model in models for f in families_cleared_by(model._meta.label)}
    invalidate_families_on_commit(families, cause)
