"""The outbox triggers (shop/cache/outbox_sql.py): PostgreSQL records every change of a tracked row in the
write's own transaction, whoever writes: the ORM, another program's connection, an insert, a delete, a
truncate. A password is recorded as a digest only."""

import pytest
from django.db import transaction
from model_bakery import baker

from shop.cache.outbox_sql import OUTBOX_TABLE
from testing.db import other_connection, outbox_rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_rolled_back_transaction_leaves_nothing_in_the_outbox():
    with pytest.raises(RuntimeError), transaction.atomic():
        baker.make_recipe("products.product")
        raise RuntimeError("the write fails halfway")
    assert outbox_rows() == []


def test_the_triggers_record_old_and_new_rows_in_the_writes_transaction():
    tea = baker.make_recipe("products.product", stock=5)
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
    user = baker.make_recipe("shop.customer", password="pbkdf2$secret-hash")
    with other_connection() as other:
        other.execute("UPDATE shop_user SET password = 'pbkdf2$other-hash' WHERE id = %s", [user.pk])
    ((_, _, _, old, new),) = outbox_rows()
    assert "secret-hash" not in str(old) and "other-hash" not in str(new)
    assert old["password"] != new["password"], "a password change is still a change"
