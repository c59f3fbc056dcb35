"""The outbox (shop/cache/outbox.py): PostgreSQL records every change of a tracked row in the write's own
transaction, whoever writes (the triggers: test_outbox_sql.py); the writer applies its own rows after
commit, the relay the rest (test_relay.py); a backlog, rows waiting for Redis; `migrate` installs the
triggers the declarations ask for."""

import pytest
from django.db import connection, transaction
from model_bakery import baker

from products import cached as product_reads
from products.models import Product
from shop.cache.outbox import apply_own, apply_pending, install_triggers, pending
from shop.cache.outbox_sql import OUTBOX_TABLE, fingerprint
from testing.db import other_connection, outbox_rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_writer_applies_its_own_rows_right_after_commit():
    tea = baker.make_recipe("products.product", stock=5)
    assert product_reads.product_detail(product_id=tea.pk).data["product"]["stock"] == 5
    with transaction.atomic():
        Product.objects.filter(pk=tea.pk).update(stock=1)  # no signal: the statement itself is seen
    assert outbox_rows() == []
    after = product_reads.product_detail(product_id=tea.pk)
    assert (after.hit, after.data["product"]["stock"]) == (False, 1)


def test_a_backlog_larger_than_a_batch_clears_the_families_its_tables_feed(monkeypatch):
    from shop.cache import outbox

    monkeypatch.setattr(outbox, "BATCH", 5)
    teas = baker.make_recipe("products.product", _quantity=12)
    product_reads.product_list_all()
    product_reads.product_detail(product_id=teas[0].pk)
    with other_connection() as other:
        other.execute("UPDATE products_product SET stock = 1")
    assert pending()["count"] == 12
    assert apply_pending() == 12 and pending()["count"] == 0
    assert not product_reads.product_list_all().hit
    assert product_reads.product_detail(product_id=teas[0].pk).data["product"]["stock"] == 1


def test_a_relay_pass_counts_the_rows_it_deleted_not_those_another_holds(monkeypatch):
    """Rows another process holds are left to it; the pass reports what it removed, so a relay's loop
    ends instead of clearing the same families again and again while the other still holds them."""
    from shop.cache import outbox

    monkeypatch.setattr(outbox, "BATCH", 5)
    baker.make_recipe("products.product", _quantity=12)
    with other_connection() as other:
        other.execute("UPDATE products_product SET stock = 1")
    with other_connection() as holder, holder.transaction():
        holder.execute(f"SELECT id FROM {OUTBOX_TABLE} ORDER BY id LIMIT 3 FOR UPDATE")
        assert apply_pending() == 9
        assert pending()["count"] == 3
    assert apply_pending() == 3 and pending()["count"] == 0


def test_rows_wait_while_redis_is_away_and_are_applied_once_it_answers(own_redis_store, redis_server):
    tea = baker.make_recipe("products.product")
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
