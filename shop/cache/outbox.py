"""The invalidation outbox: what committed writes changed, recorded by the database, applied to Redis.

Triggers (outbox_sql.py) write each changed row of a tracked table into `shop_cache_outbox` in the
write's own transaction, so no write path can skip it: the ORM, `update()`, raw SQL, `psql`,
another program. Rows are applied (turned into the keys they make stale and cleared in Redis) and
then deleted:
- by the writing process right after its commit (`apply_own`, arranged by tracking.py), so its
  next response already reflects the write;
- by the relay (`manage.py cache_relay`, `apply_pending`) for everything else: writes from other
  programs, processes that died after their commit, and whatever waited for Redis to come back.
Applying twice is harmless (clearing is idempotent), so two relays, or a relay and the writer, may
overlap. Rows are only deleted after Redis took their invalidation.
"""

import json
import logging
from datetime import datetime

from django.apps import apps
from django.db import connection as default_connection
from django.db import transaction

from . import invalidation
from .families import Change, dependencies_on, tracked_models
from .outbox_sql import OUTBOX_TABLE, desired_statements, fingerprint, trigger_names
from .redis import CacheUnavailable

logger = logging.getLogger("shop.cache")

BATCH = 1000
_COLUMNS = "id, table_name, op, row_pk, old, new"

_tables: dict[str, str] | None = None


def tracked_tables() -> dict[str, str]:
    """db_table → model label of every tracked model."""
    global _tables
    if _tables is None:
        _tables = {apps.get_model(label)._meta.db_table: label for label in tracked_models()}
    return _tables


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _changes(rows) -> list[Change]:
    labels = tracked_tables()
    return [
        Change(model=labels.get(table, table), op=op, pk=pk, old=_json(old), new=_json(new))
        for _, table, op, pk, old, new in rows
        if table in labels
    ]


def _writer(connection) -> str | None:
    """The connection's application_name, which the triggers record (hashed) as the writer."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    return connection.connection.info.parameter_status("application_name") or ""


def _apply(connection, *, writer: str | None, cause: str, lock: str = "", strict: bool = False) -> int:
    """Apply one batch of pending rows (of `writer`, or all); delete what Redis took. A backlog larger
    than a batch (a bulk load, a long outage) clears the families its tables feed instead of going
    row by row. Returns the rows this call deleted (0 when another process holds them: it is applying
    them too, and deletes them; 0 when Redis could not take them, or CacheUnavailable if `strict`)."""
    where, params = ("WHERE writer = hashtext(%s)", [writer]) if writer is not None else ("", [])
    with connection.cursor() as cursor:
        select = f"SELECT {_COLUMNS} FROM {OUTBOX_TABLE} {where} ORDER BY id LIMIT %s{lock}"
        cursor.execute(select, [*params, BATCH + 1])
        rows = cursor.fetchall()
        if len(rows) <= BATCH:
            if not rows:
                return 0
            if not invalidation.apply(_changes(rows), cause=cause):
                return _refused(strict)
            return _delete(cursor, [row[0] for row in rows])
        cursor.execute(f"SELECT id, table_name FROM {OUTBOX_TABLE} {where}", params)
        backlog = cursor.fetchall()
        labels = tracked_tables()
        tables = {table for _, table in backlog}
        families = {family for table in tables if table in labels for family, _ in dependencies_on(labels[table])}
        if not invalidation.clear_families(families, cause=f"{cause}: {len(backlog)} changes at once"):
            return _refused(strict)
        ids = [row_id for row_id, _ in backlog]
        return sum(_delete(cursor, ids[start : start + 10_000]) for start in range(0, len(ids), 10_000))


def _refused(strict: bool) -> int:
    if strict:
        raise CacheUnavailable("Redis did not take the outbox's invalidations")
    return 0


def apply_own(connection) -> int:
    """Apply what this connection's committed transactions recorded (on SQLite: everything pending).
    Rows stay when Redis can't take them; the relay applies them later. Returns rows deleted."""
    from .redis import get_store

    if not get_store().enabled:
        return 0  # a process with the cache off leaves the outbox to the relay
    try:
        return _apply(connection, writer=_writer(connection), cause="write")
    except Exception:  # the write has committed; whatever is left, the relay applies
        logger.exception("Applying the outbox after a write failed; the relay will apply it")
        return 0


def apply_pending(*, using=None) -> int:
    """One relay pass over the oldest pending rows not being applied by another relay. Returns rows deleted."""
    connection = using or default_connection
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with transaction.atomic(using=connection.alias):  # the rows stay locked until deleted
        return _apply(connection, writer=None, cause="relay", lock=lock)


def apply_everything(*, using=None) -> int:
    """Apply every row pending now, skipping none, waiting for no one (a web process catching up after
    an outage: it must not serve from Redis while a row another process is still applying, or failed to
    apply, is outstanding). One call covers them all (more than a batch: by family). Returns rows deleted;
    CacheUnavailable when Redis did not take them."""
    return _apply(using or default_connection, writer=None, cause="catch-up", strict=True)


def _delete(cursor, ids: list[int]) -> int:
    """Delete applied rows; rows a relay holds (it is applying them too) are left for it to delete, so a
    writer never waits on a relay. Returns the rows deleted."""
    if cursor.db.vendor == "postgresql":
        # The CTE runs once (a hashable set); as an `IN (subquery)` it ran per row, and a backlog's
        # delete by several processes at once took seconds.
        cursor.execute(
            f"WITH free AS (SELECT id FROM {OUTBOX_TABLE} WHERE id = ANY(%s) FOR UPDATE SKIP LOCKED) "
            f"DELETE FROM {OUTBOX_TABLE} o USING free WHERE o.id = free.id",
            [ids],
        )
    else:
        cursor.execute(f"DELETE FROM {OUTBOX_TABLE} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)
    return cursor.rowcount


def pending(using=None) -> dict:
    """`{count, oldestAgeSeconds}` of rows not applied yet (the monitor shows them)."""
    connection = using or default_connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), min(created_at) FROM {OUTBOX_TABLE}")
        count, oldest = cursor.fetchone()
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest)
    age = None
    if oldest is not None:
        from django.utils import timezone

        if timezone.is_naive(oldest):
            oldest = timezone.make_aware(oldest, timezone.utc)
        age = round(max(0.0, (timezone.now() - oldest).total_seconds()), 3)
    return {"count": count, "oldestAgeSeconds": age}


def install_triggers(connection) -> None:
    """Create or replace the triggers of every tracked table and drop those of tables no longer tracked."""
    statements = desired_statements(connection.vendor)
    wanted = set(trigger_names(connection.vendor))
    with connection.cursor() as cursor:
        for name, table in _installed_triggers(cursor):
            if name not in wanted:
                on_table = f' ON "{table}"' if table else ""
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on_table}")
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute(f"COMMENT ON TABLE {OUTBOX_TABLE} IS %s", [f"triggers {fingerprint('postgresql')}"])


def _installed_triggers(cursor) -> list[tuple[str, str]]:
    if cursor.db.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname, relname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
            "WHERE NOT tgisinternal AND tgname LIKE 'shop\\_cache\\_%%'"
        )
        return cursor.fetchall()
    cursor.execute("SELECT name, '' FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'shop_cache_%'")
    return cursor.fetchall()


def installed_fingerprint(connection) -> str | None:
    """The fingerprint `migrate` left on the outbox table (PostgreSQL), to compare with the declarations."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", [OUTBOX_TABLE])
        (comment,) = cursor.fetchone()
    return (comment or "").removeprefix("triggers ") or None


def sync_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate receiver: every `migrate` installs or updates the triggers from the declarations."""
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        if OUTBOX_TABLE not in connection.introspection.table_names(cursor):
            return
    install_triggers(connection)
