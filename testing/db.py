"""Database helpers for tests."""

import json
from contextlib import contextmanager

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction


@contextmanager
def refused():
    """The write must fail with IntegrityError; the savepoint keeps the test's transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


def other_connection() -> psycopg.Connection:
    """A connection of another program: plain psycopg, nothing of Django's."""
    params = connection.get_connection_params()
    return psycopg.connect(**params, autocommit=True)


def outbox_rows() -> list[tuple]:
    """(table, op, pk, old, new) of every pending outbox row, oldest first."""
    from shop.cache.outbox_sql import OUTBOX_TABLE

    def decoded(value):
        return json.loads(value) if isinstance(value, str) else value

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT table_name, op, row_pk, old, new FROM {OUTBOX_TABLE} ORDER BY id")
        return [(table, op, pk, decoded(old), decoded(new)) for table, op, pk, old, new in cursor.fetchall()]
