"""The benchmark's store: `shop_bench`, seeded once, and throw-away copies of it for each run.

`shop_bench` is a template: no run writes to it. Each configuration of the bench runs against its
own copy (`CREATE DATABASE ... TEMPLATE shop_bench`), so every configuration starts from the same
rows and the same sequences, and its answers can be compared step by step with the cache-off run.

The store is re-created (dropped, migrated, seeded) when its applied migrations differ from the
project's migration files (a new or changed migration, e.g. the outbox triggers' schema), or when
it does not hold the store's size. `migrate` runs on it every time (a no-op that also reinstalls the
outbox triggers from the current family declarations).
"""

from __future__ import annotations

import json
import os
import time

from benchmarks.common import cleanup, django_eval, log, manage

DB_NAME = os.environ.get("BENCH_DB_NAME") or "shop_bench"
PG_SERVER = os.environ.get("BENCH_PG_SERVER") or "postgres://postgres@127.0.0.1:5432"
STORE_SIZE = {"orders": 100_000, "products": 500, "users": 10_000}


def pg_admin(sql: str, params=None):
    """One statement on the server's `postgres` database (autocommit); the first column of the first row."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql, params)
        row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None


def db_url(name: str) -> str:
    return f"{PG_SERVER}/{name}"


def _exists(name: str) -> bool:
    return bool(pg_admin("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def _recreate(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"')


def migrations_differ(env: dict) -> list[str]:
    """Migrations on disk not applied to the store, and applied ones no longer on disk."""
    out = django_eval(
        "import json\n"
        "from django.db import connection\n"
        "from django.db.migrations.loader import MigrationLoader\n"
        "loader = MigrationLoader(connection)\n"
        "disk = {f'{a}.{n}' for a, n in loader.disk_migrations}\n"
        "applied = {f'{a}.{n}' for a, n in loader.applied_migrations}\n"
        "ours = {a for a, _ in loader.disk_migrations}\n"
        "applied = {m for m in applied if m.split('.')[0] in ours}\n"
        "stale = ['missing ' + m for m in disk - applied] + ['unknown ' + m for m in applied - disk]\n"
        "print(json.dumps(sorted(stale)))",
        env=env,
    )
    return json.loads(out.splitlines()[-1])


def store_counts(env: dict) -> dict:
    return json.loads(
        django_eval(
            "import json; from orders.models import Order; from products.models import Product; "
            "from shop.models import User; "
            "print(json.dumps({'orders': Order.objects.count(), 'products': Product.objects.count(), "
            "'users': User.objects.count()}))",
            env=env,
        ).splitlines()[-1]
    )


def ensure_store(env: dict) -> dict:
    """`shop_bench` migrated to the current schema and seeded; reused when it already is."""
    env = dict(env, DATABASE_URL=db_url(DB_NAME))
    reason = None
    if not _exists(DB_NAME):
        reason = "it does not exist"
    else:
        stale = migrations_differ(env)
        if stale:
            reason = f"its migrations are stale ({', '.join(stale[:4])}{', …' if len(stale) > 4 else ''})"
        else:
            manage("migrate", "--noinput", "-v", "0", env=env)  # no-op; reinstalls the outbox triggers
            counts = store_counts(env)
            if counts["orders"] >= 0.95 * STORE_SIZE["orders"] and counts["products"] >= STORE_SIZE["products"]:
                log(f"reusing {DB_NAME}: {counts}")
                return counts | {"seeded_now": False, "seed_seconds": None}
            reason = f"it holds a partial store {counts}"
    log(f"(re)creating {DB_NAME}: {reason}")
    _recreate(DB_NAME)
    manage("migrate", "--noinput", "-v", "0", env=env)
    log(f"seeding {DB_NAME}: {STORE_SIZE} (one time; reused on later runs)")
    started = time.monotonic()
    manage(
        "seed_demo",
        "--no-progress",
        *[arg for key, value in STORE_SIZE.items() for arg in (f"--{key}", str(value))],
        env=env,
    )
    seconds = round(time.monotonic() - started, 1)
    log(f"seeded in {seconds} s")
    django_eval(
        "from django.db import connection\n"
        "connection.ensure_connection(); connection.connection.autocommit = True\n"
        "connection.cursor().execute('VACUUM ANALYZE')",
        env=env,
        timeout=900,
    )
    return store_counts(env) | {"seeded_now": True, "seed_seconds": seconds}


def copy_store(name: str) -> str:
    """A fresh copy of the seeded store (dropped at exit); returns its URL. FILE_COPY: a checkpoint and
    a file copy, seconds for the whole store, instead of WAL-logging every block."""
    started = time.monotonic()
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{DB_NAME}" STRATEGY FILE_COPY')
    cleanup.add(f"database {name}", lambda: drop_copy(name))
    log(f"  copied {DB_NAME} → {name} in {time.monotonic() - started:.1f} s")
    return db_url(name)


def drop_copy(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    cleanup.remove(f"database {name}")
