"""Read replicas: which database a read goes to (DATABASE_REPLICA_URLS; settings install this router
and the middleware only when replicas are configured).

- Writes, anything inside a transaction, the outbox (raw SQL on the primary's connection) and cache
  loaders (`shop.cache.in_loader()`) use the primary. A loader that read a lagging replica right after
  an invalidation would store the old value again, for a whole TTL (the stale set through replication
  lag); misses are a small share of reads, so loaders simply read where the write is.
- Any other read made while a request is served goes to a replica that has replayed everything the
  primary had flushed when the request's first such read came (`pg_last_wal_replay_lsn() >=` the
  primary's `pg_current_wal_flush_lsn()`): every write acknowledged before the request began is
  there (a commit is acknowledged once flushed: synchronous_commit on, PostgreSQL's default), so no
  read returns what such a write made stale. A replica that lags (or is paused, or
  down) is skipped and the primary answers. After a write in the request, its reads stay on the
  primary (read your own writes). Outside requests (tasks, commands, the shell) reads use the primary.
"""

from __future__ import annotations

import contextvars
import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger("shop.db")


@dataclass
class _Request:
    alias: str | None = None  # decided at the request's first routed read
    wrote: bool = False


_down_until: dict[str, float] = {}  # replica alias → until when it is skipped after a failure
_request: contextvars.ContextVar[_Request | None] = contextvars.ContextVar("shop_replica_request", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias != DEFAULT_DB_ALIAS]


def caught_up_replica() -> str | None:
    """A replica that has replayed everything the primary has written so far (None: none has)."""
    aliases = replica_aliases()
    if not aliases:
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        (target,) = cursor.fetchone()
    for alias in random.sample(aliases, len(aliases)):
        if time.monotonic() < _down_until.get(alias, 0.0):
            continue  # failed lately: not one connect timeout per request while it is down
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [target])
                if cursor.fetchone()[0]:
                    return alias
        except DatabaseError as error:  # a replica that is down: the primary answers
            logger.warning("Read replica %s unavailable (%s); reading from the primary", alias, error)
            connections[alias].close()
            _down_until[alias] = time.monotonic() + settings.CACHE_BREAKER_COOLDOWN
    return None


def read_alias() -> str:
    state = _request.get()
    if state is None or state.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    from shop.cache import in_loader

    if in_loader():
        return DEFAULT_DB_ALIAS
    if state.alias is None:
        state.alias = caught_up_replica() or DEFAULT_DB_ALIAS
    return state.alias


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        state = _request.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def replica_reads(get_response):
    """Middleware: the request's uncached reads may go to a caught-up replica (decided at its first read)."""

    def middleware(request):
        token = _request.set(_Request())
        try:
            return get_response(request)
        finally:
            _request.reset(token)

    return middleware
