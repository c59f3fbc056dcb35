"""The outbox triggers, generated from the family declarations (the tracked models).

PostgreSQL: statement-level AFTER triggers with transition tables, one INSERT ... SELECT per
statement whatever its row count, plus a NOTIFY that wakes the relay when the transaction commits.
SQLite (the zero-setup default): row-level triggers; no NOTIFY (the relay polls).

Each recorded row carries the row as it was and as it is (JSON), so the layer can tell which keys
a change affects. Columns named in SENSITIVE_COLUMNS are recorded as a digest, never as is.
"""

import hashlib

from django.apps import apps

OUTBOX_TABLE = "shop_cache_outbox"
NOTIFY_CHANNEL = "shop_cache_outbox"
PREFIX = "shop_cache_"
SENSITIVE_COLUMNS = {"password"}


def _tables() -> list[tuple[str, str, list[str]]]:
    """(table, primary key column, columns) of every tracked model."""
    from .families import tracked_models

    found = []
    for label in tracked_models():
        meta = apps.get_model(label)._meta
        found.append((meta.db_table, meta.pk.column, [f.column for f in meta.concrete_fields]))
    return found


def _pg_row(alias: str, columns: list[str]) -> str:
    row = f"to_jsonb({alias})"
    for column in sorted(SENSITIVE_COLUMNS & set(columns)):
        row = f"({row} - '{column}' || jsonb_build_object('{column}', md5({alias}.\"{column}\"::text)))"
    return row


def postgresql_statements(table: str, pk: str, columns: list[str]) -> list[str]:
    insert = f"INSERT INTO {OUTBOX_TABLE} (txid, writer, table_name, op, row_pk, old, new, created_at)"
    # The writer: a hash of the connection's application_name (one per process, see settings), not
    # pg_backend_pid(), which a client behind PgBouncer cannot know (it is told a made-up one).
    stamp = "txid_current(), hashtext(current_setting('application_name'))"
    notify = f"IF FOUND THEN PERFORM pg_notify('{NOTIFY_CHANNEL}', ''); END IF;"
    bodies = {
        "insert": (
            f"{insert} SELECT {stamp}, '{table}', 'insert', n.\"{pk}\", NULL, {_pg_row('n', columns)}, "
            "clock_timestamp() FROM new_rows n;",
            "REFERENCING NEW TABLE AS new_rows",
            "INSERT",
        ),
        "update": (
            f"{insert} SELECT {stamp}, '{table}', 'update', n.\"{pk}\", {_pg_row('o', columns)}, "
            f'{_pg_row("n", columns)}, clock_timestamp() FROM old_rows o JOIN new_rows n ON n."{pk}" = o."{pk}" '
            "WHERE to_jsonb(o) IS DISTINCT FROM to_jsonb(n);",
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "UPDATE",
        ),
        "delete": (
            f"{insert} SELECT {stamp}, '{table}', 'delete', o.\"{pk}\", {_pg_row('o', columns)}, NULL, "
            "clock_timestamp() FROM old_rows o;",
            "REFERENCING OLD TABLE AS old_rows",
            "DELETE",
        ),
        "truncate": (
            f"{insert} VALUES ({stamp}, '{table}', 'truncate', NULL, NULL, NULL, clock_timestamp());",
            "",
            "TRUNCATE",
        ),
    }
    statements = []
    for op, (body, referencing, event) in bodies.items():
        name = f"{PREFIX}{table}_{op}"
        statements.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} {notify} RETURN NULL; END $$;"
        )
        statements.append(f'DROP TRIGGER IF EXISTS {name} ON "{table}";')
        statements.append(
            f'CREATE TRIGGER {name} AFTER {event} ON "{table}" {referencing} '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
        )
    return statements


def _sqlite_row(alias: str, columns: list[str]) -> str:
    pairs = []
    for column in columns:
        value = f'{alias}."{column}"'
        if column in SENSITIVE_COLUMNS:
            value = f"substr({value}, -16)"
        pairs.append(f"'{column}', {value}")
    return f"json_object({', '.join(pairs)})"


def sqlite_statements(table: str, pk: str, columns: list[str]) -> list[str]:
    insert = f"INSERT INTO {OUTBOX_TABLE} (txid, writer, table_name, op, row_pk, old, new, created_at)"
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns)
    bodies = {
        "insert": ("INSERT", "", f"NULL, {_sqlite_row('NEW', columns)}", "NEW"),
        "update": ("UPDATE", f"WHEN {changed}", f"{_sqlite_row('OLD', columns)}, {_sqlite_row('NEW', columns)}", "NEW"),
        "delete": ("DELETE", "", f"{_sqlite_row('OLD', columns)}, NULL", "OLD"),
    }
    statements = []
    for op, (event, when, values, row) in bodies.items():
        name = f"{PREFIX}{table}_{op}"
        statements.append(f"DROP TRIGGER IF EXISTS {name};")
        statements.append(
            f'CREATE TRIGGER {name} AFTER {event} ON "{table}" FOR EACH ROW {when} BEGIN '
            f"{insert} VALUES (NULL, NULL, '{table}', '{op}', {row}.\"{pk}\", {values}, {now}); END;"
        )
    return statements


def trigger_names(vendor: str) -> list[str]:
    ops = ("insert", "update", "delete", "truncate") if vendor == "postgresql" else ("insert", "update", "delete")
    return [f"{PREFIX}{table}_{op}" for table, _, _ in _tables() for op in ops]


def desired_statements(vendor: str) -> list[str]:
    generate = postgresql_statements if vendor == "postgresql" else sqlite_statements
    return [statement for table in _tables() for statement in generate(*table)]


def fingerprint(vendor: str) -> str:
    return hashlib.sha256("\n".join(desired_statements(vendor)).encode()).hexdigest()[:16]
