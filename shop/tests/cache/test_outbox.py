"""The outbox (shop/cache/outbox.py, outbox_sql.py): PostgreSQL records every change of a tracked row in
the write's own transaction, whoever writes; the writer applies its own rows after commit, the relay
the rest."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from model_bakery import baker

from products import cached as product_reads
from products.models import Product
from shop.cache.outbox import apply_own, apply_pending, install_triggers, pending
from shop.cache.outbox_sql import OUTBOX_TABLE, fingerprint
from shop.cache.relay import Relay

pytestmark = pytest.mark.django_db(transaction=True)


def outbox_rows() -> list[tuple]:
    def decoded(value):
        return json.loads(value) if isinstance(value, str) else value

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT table_name, op, row_pk, old, new FROM {OUTBOX_TABLE} ORDER BY id")
        return [(table, op, pk, decoded(old), decoded(new)) for table, op, pk, old, new in cursor.fetchall()]


def other_connection() -> psycopg.Connection:
    """A connection of another program: plain psycopg, nothing of Django's."""
    params = connection.get_connection_params()
    return psycopg.connect(**params, autocommit=True)


def product(**fields) -> Product:
    return baker.make(Product, **{"name": "Tea", "price": "2.00", "stock": 5, "category": "drinks", **fields})


def test_a_rolled_back_transaction_leaves_nothing_in_the_outbox():
    with pytest.raises(RuntimeError), transaction.atomic():
        product()
        raise RuntimeError("the write fails halfway")
    assert outbox_rows() == []


def test_the_triggers_record_old_and_new_rows_in_the_writes_transaction():
    tea = product()
    with other_connection() as other:
        assert other.execute(f"SELECT count(*) FROM {OUTBOX_TABLE}").fetchone() == (0,), "the writer applied its own"
        with other.transaction():
            other.execute("UPDATE products_product SET stock = stock - 1 WHERE id = %s", [tea.pk])
            other.execute("UPDATE products_product SET stock = stock WHERE id = %s", [tea.pk])  # changes nothing
            assert outbox_rows() == [], "not visible before the commit"
    ((table, op, pk, old, new),) = outbox_rows()
    assert (table, op, pk) == ("products_product", "update", tea.pk)
    assert (old["stock"], new["stock"]) == (5, 4)


def test_inserts_deletes_and_truncates_are_recorded():
    with other_connection() as other:
        other.execute(
            "INSERT INTO orders_coupon (code, description, discount_type, value, min_order_amount, valid_from, "
            "valid_until, used_count, is_active, created_at, updated_at) VALUES ('SQL1', '', 'fixed', 5, 0, now(), "
            "now() + interval '1 day', 0, true, now(), now())"
        )
        other.execute("DELETE FROM orders_coupon WHERE code = 'SQL1'")
        other.execute("TRUNCATE shop_activity")
    assert [(table, op) for table, op, *_ in outbox_rows()] == [
        ("orders_coupon", "insert"),
        ("orders_coupon", "delete"),
        ("shop_activity", "truncate"),
    ]


def test_a_password_is_recorded_as_a_digest_only():
    user = baker.make("shop.User", email="a@example.test", password="pbkdf2$secret-hash")
    with other_connection() as other:
        other.execute("UPDATE shop_user SET password = 'pbkdf2$other-hash' WHERE id = %s", [user.pk])
    ((_, _, _, old, new),) = outbox_rows()
    assert "secret-hash" not in str(old) and "other-hash" not in str(new)
    assert old["password"] != new["password"], "a password change is still a change"


def test_the_writer_applies_its_own_rows_right_after_commit():
    tea = product()
    assert product_reads.product_detail(product_id=tea.pk).data["product"]["stock"] == 5
    with transaction.atomic():
        Product.objects.filter(pk=tea.pk).update(stock=1)  # no signal: the statement itself is seen
    assert outbox_rows() == []
    after = product_reads.product_detail(product_id=tea.pk)
    assert (after.hit, after.data["product"]["stock"]) == (False, 1)


def test_a_write_from_another_program_is_applied_by_the_relay():
    tea = product()
    product_reads.product_detail(product_id=tea.pk)
    with other_connection() as other:
        other.execute("UPDATE products_product SET price = 3.50 WHERE id = %s", [tea.pk])
    assert product_reads.product_detail(product_id=tea.pk).hit, "nothing in this process saw that write"

    assert Relay().run_once() == 1
    after = product_reads.product_detail(product_id=tea.pk)
    assert (after.hit, after.data["product"]["price"]) == (False, "3.50")
    assert pending()["count"] == 0


def test_a_write_from_psql_is_applied_by_the_relay():
    tea = product()
    product_reads.product_detail(product_id=tea.pk)
    database = connection.settings_dict
    subprocess.run(
        ["psql", "-h", database["HOST"], "-p", str(database["PORT"]), "-U", database["USER"], "-d", database["NAME"],
         "-c", f"UPDATE products_product SET name = 'Green tea' WHERE id = {tea.pk}"],
        check=True, capture_output=True,
    )  # fmt: skip
    Relay().run_once()
    assert product_reads.product_detail(product_id=tea.pk).data["product"]["name"] == "Green tea"


def test_a_writer_killed_between_its_commit_and_its_apply_is_covered_by_the_relay(tmp_path):
    """SIGKILL after the commit, before the on-commit apply: the row waits in the outbox."""
    tea = product()
    product_reads.product_detail(product_id=tea.pk)
    script = textwrap.dedent(
        f"""
        import os, signal, django
        django.setup()
        from django.db import transaction
        from products.models import Product
        with transaction.atomic():
            transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))  # runs before the apply
            Product.objects.filter(pk={tea.pk}).update(stock=0)
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DATABASE_URL": database_url()}
    finished = subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True)
    assert finished.returncode == -signal.SIGKILL, finished.stderr.decode()[-2000:]
    assert Product.objects.get(pk=tea.pk).stock == 0, "the write committed"
    assert pending()["count"] == 1
    assert product_reads.product_detail(product_id=tea.pk).data["product"]["stock"] == 5, "stale until the relay"

    Relay().run_once()
    assert product_reads.product_detail(product_id=tea.pk).data["product"]["stock"] == 0


def database_url() -> str:
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def test_two_relays_at_once_apply_each_row_and_lose_none():
    teas = [product(name=f"Tea {n}") for n in range(30)]
    for tea in teas:
        product_reads.product_detail(product_id=tea.pk)
    with other_connection() as other:
        for tea in teas:
            other.execute("UPDATE products_product SET stock = 9 WHERE id = %s", [tea.pk])

    applied = []

    def relay():
        from django.db import connections

        applied.append(Relay().run_once())
        connections.close_all()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sum(applied) >= 30 and pending()["count"] == 0
    assert all(product_reads.product_detail(product_id=t.pk).data["product"]["stock"] == 9 for t in teas)


def test_a_backlog_larger_than_a_batch_clears_the_families_its_tables_feed(monkeypatch):
    from shop.cache import outbox

    monkeypatch.setattr(outbox, "BATCH", 5)
    teas = [product(name=f"Tea {n}") for n in range(12)]
    product_reads.product_list_all()
    product_reads.product_detail(product_id=teas[0].pk)
    with other_connection() as other:
        other.execute("UPDATE products_product SET stock = 1")
    assert pending()["count"] == 12
    assert apply_pending() == 12 and pending()["count"] == 0
    assert not product_reads.product_list_all().hit
    assert product_reads.product_detail(product_id=teas[0].pk).data["product"]["stock"] == 1


def test_rows_wait_while_redis_is_away_and_are_applied_once_it_answers(own_redis_store, redis_server):
    tea = product()
    product_reads.product_detail(product_id=tea.pk)
    redis_server.kill()
    with transaction.atomic():
        Product.objects.filter(pk=tea.pk).update(stock=2)  # the writer's apply fails: the row stays
    assert pending()["count"] == 1
    assert apply_own(connection) == 0 and pending()["count"] == 1
    redis_server.start()
    own_redis_store.breaker.record_success()
    assert apply_pending() == 1 and pending()["count"] == 0


def test_migrate_installs_the_triggers_the_declarations_ask_for():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER shop_cache_products_product_update ON products_product")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'shop_cache_products_product_update'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [OUTBOX_TABLE])
        assert cursor.fetchone() == (f"triggers {fingerprint('postgresql')}",)


def test_a_table_no_longer_tracked_loses_its_triggers(monkeypatch):
    from shop.cache import outbox_sql

    real = outbox_sql._tables
    monkeypatch.setattr(outbox_sql, "_tables", lambda: [t for t in real() if t[0] != "shop_activity"])
    install_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'shop_cache_shop_activity%%'")
        assert cursor.fetchone() == (0,)
    monkeypatch.undo()
    install_triggers(connection)
