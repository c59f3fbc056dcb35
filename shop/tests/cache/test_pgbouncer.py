"""PgBouncer in transaction mode in front of PostgreSQL (DATABASE_URL through it, DATABASE_PGBOUNCER=1):
Debian's pgbouncer started by the test, with ONE server connection for everyone, so two web
processes take turns on it transaction by transaction and nothing of a session can survive.

- The writer still applies its own invalidation at once: the outbox records the writer by the
  connection's application_name (PgBouncer hands it to each server connection it lends), not by
  the backend pid, which a client behind PgBouncer is told wrong.
- Orders (transactions, row locks) and reads work through it.
- The relay LISTENs on a direct connection (CACHE_RELAY_DATABASE_URL): a write by another program
  is applied on its NOTIFY, not at the next poll (set here to 30 s).
"""

import time
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from model_bakery import baker
from rest_framework_simplejwt.tokens import RefreshToken

from testing.pgbouncer import PgBouncer
from testing.postgres import suite_database_url
from testing.processes import AppProcesses, wait_until

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bouncer(transactional_db):
    database = connection.settings_dict
    pooler = PgBouncer(server=(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)), pool_size=1).start()
    yield pooler
    pooler.stop()


def token_for(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def test_the_store_behind_pgbouncer_in_transaction_mode(bouncer, redis_server, staff_user, customer):
    tea = baker.make_recipe("products.product", name="Tea", price=Decimal("2.00"), stock=50, category="drinks")
    admin = token_for(staff_user)
    buyer = token_for(customer)
    name = connection.settings_dict["NAME"]
    with AppProcesses(
        database_url=bouncer.url(name),
        redis_url=redis_server.url,
        DATABASE_PGBOUNCER="1",
        CACHE_RELAY_DATABASE_URL=suite_database_url(),
        CACHE_RELAY_POLL="30",
    ) as app:
        a, b = app.webs(2)
        path = f"/api/v1/products/{tea.pk}"

        def price_via_b():
            answer = b.get(path)
            return answer.data["product"]["price"], answer.headers.get("X-Cache")

        price_via_b()
        assert price_via_b() == ("2.00", "HIT")
        # No relay yet: only the writing process can have cleared B's entry when its answer comes.
        for cents in range(1, 11):
            price = f"2.{cents:02d}"
            assert a.patch(path, {"price": price}, token=admin).status == 200
            assert price_via_b()[0] == price, "B served the entry the write made stale"
        assert price_via_b() == ("2.10", "HIT")

        placed = a.request(
            "POST",
            "/api/v1/orders",
            {
                "items": [{"product_id": tea.pk, "quantity": 2}],
                "delivery_address": "1 Pool St",
                "payment_method": "cash",
            },
            token=buyer,
        )
        assert placed.status == 201, placed.body
        assert b.get(f"/api/v1/orders/{placed.data['order']['id']}", token=buyer).status == 200
        assert price_via_b()[0] == "2.10"

        app.relay()
        with psycopg.connect(suite_database_url().replace("postgres://", "postgresql://"), autocommit=True) as other:
            other.execute("UPDATE products_product SET price = 9.99 WHERE id = %s", [tea.pk])
        written = time.monotonic()
        assert wait_until(lambda: price_via_b()[0] == "9.99", 5)[0], "the relay did not hear the NOTIFY"
        assert time.monotonic() - written < 5, "applied on the NOTIFY, long before the 30 s poll"

        servers = [s for s in bouncer.show("SERVERS") if s.get("database") == name]
        assert len(servers) <= 1, "the two web processes shared one server connection"
