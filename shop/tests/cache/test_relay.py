"""The relay (shop/cache/relay.py): it applies what the outbox holds from other programs (a psycopg
connection, psql), from a writer killed between its commit and its own apply, and, two relays at once,
each row without losing any."""

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest
from django.conf import settings
from django.db import connection
from model_bakery import baker

from products import cached as product_reads
from products.models import Product
from shop.cache.outbox import pending
from shop.cache.relay import Relay
from testing.db import other_connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_write_from_another_program_is_applied_by_the_relay():
    tea = baker.make_recipe("products.product")
    product_reads.product_detail(product_id=tea.pk)
    with other_connection() as other:
        other.execute("UPDATE products_product SET price = 3.50 WHERE id = %s", [tea.pk])
    assert product_reads.product_detail(product_id=tea.pk).hit, "nothing in this process saw that write"

    assert Relay().run_once() == 1
    after = product_reads.product_detail(product_id=tea.pk)
    assert (after.hit, after.data["product"]["price"]) == (False, "3.50")
    assert pending()["count"] == 0


def test_a_write_from_psql_is_applied_by_the_relay():
    tea = baker.make_recipe("products.product")
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
    tea = baker.make_recipe("products.product", stock=5)
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
    teas = baker.make_recipe("products.product", _quantity=30)
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
