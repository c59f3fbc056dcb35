"""What this process writes: every write statement to a tracked table arranges for the outbox rows
its transaction recorded to be applied right after the commit, and marks the transaction dirty.

PostgreSQL's triggers record each changed row in the outbox whatever wrote it (see outbox.py);
this module only makes the writing process apply its own rows at once instead of leaving them to
the relay. It sees every statement Django sends (an execute wrapper on each connection), so
`QuerySet.update()`, `bulk_create`, `F()` updates and raw SQL through Django are covered as well as
saves and deletes, whose post_save/post_delete signals (the design card's) call it too.

A transaction that has written to a tracked table is "dirty" until it ends: the cache is neither
read nor filled inside it, since what it would load might still roll back (cacheops' rule).
"""

import re

from django.db import DEFAULT_DB_ALIAS, connections

_WRITE = re.compile(
    r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|MERGE\s+INTO)\s+\"?([\w.]+)", re.I
)
_CTE_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?([\w.]+)", re.I)


def _written_table(sql: str) -> str | None:
    """The table a write statement changes; "" for a statement that writes somewhere unknown."""
    match = _WRITE.match(sql)
    if match:
        return match.group(1).rsplit(".", 1)[-1]
    if sql.lstrip()[:4].upper() == "WITH":
        match = _CTE_WRITE.search(sql)
        return match.group(1).rsplit(".", 1)[-1] if match else None
    return None


class ApplyAfterCommit:
    """The on_commit callback that applies this connection's outbox rows. `block`: the outermost atomic
    block of the application's own (not a test case's) that was open at the write, if any."""

    def __init__(self, alias: str, block):
        self.alias = alias
        self.block = block

    def __call__(self):
        from .outbox import apply_own

        apply_own(connections[self.alias])


def _outermost_own_block(connection):
    return next((b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)), None)


def write_observed(connection) -> None:
    """A tracked table was written on `connection`: apply the outbox after commit (now in autocommit)."""
    if not connection.in_atomic_block:
        from .outbox import apply_own

        apply_own(connection)
        return
    block = _outermost_own_block(connection)
    if block is not None:  # (without one, only a test case's transaction is open: each write registers)
        for _, func, _ in connection.run_on_commit:
            if isinstance(func, ApplyAfterCommit) and func.block is block:
                return
    connection.on_commit(ApplyAfterCommit(connection.alias, block), robust=True)


def in_dirty_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Has a still open atomic block of the application's own written to a tracked table?"""
    connection = connections[using]
    if not connection.in_atomic_block:
        return False
    open_blocks = connection.atomic_blocks
    return any(
        isinstance(func, ApplyAfterCommit) and func.block is not None and any(b is func.block for b in open_blocks)
        for _, func, _ in connection.run_on_commit
    )


def _execute_wrapper(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    table = _written_table(sql) if sql[:1] in "IUDTMWiudtmw \n" else None
    if table is not None:
        from .outbox import OUTBOX_TABLE, tracked_tables

        if table != OUTBOX_TABLE and (table in tracked_tables() or not table):
            write_observed(context["connection"])
    return result


def install(connection, **kwargs) -> None:
    """`connection_created` receiver: wrap the connection's statements (once per wrapper object)."""
    if _execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_execute_wrapper)
