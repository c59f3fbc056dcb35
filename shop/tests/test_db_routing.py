"""Read replicas (DATABASE_REPLICA_URLS, shop/db_routing.py).

The router's rules, one by one. Which replica has caught up is asked of PostgreSQL; in these tests it is
given, except in the last one, which runs against PostgreSQL's own streaming replication: a primary and a
replica, two private clusters in temp dirs (initdb, pg_basebackup -R), started by the test; the replica
logs every statement, so the test sees which reads reached it.

- Caught up, the replica takes a request's uncached reads.
- With replay paused (pg_wal_replay_pause()), after a price write: the cache loader reads the primary
  and never stores what the lagging replica still shows; an uncached read of an order placed a moment
  before goes to the primary (the replica has not replayed it: it would answer 404).
"""

from decimal import Decimal

import pytest
from django.db import OperationalError, connections, transaction
from model_bakery import baker
from rest_framework_simplejwt.tokens import RefreshToken

from products.cache_families import PRODUCTS_ALL
from shop import db_routing
from shop.db_routing import ReplicaRouter, replica_reads
from testing.cache import read
from testing.postgres import PrivatePostgres, suite_database_url
from testing.processes import AppProcesses

router = ReplicaRouter()


@pytest.fixture
def replica_caught_up(monkeypatch):
    monkeypatch.setattr(db_routing, "caught_up_replica", lambda: "replica1")


def in_a_request(view):
    """Run `view()` as the middleware runs a request; returns what it returned."""
    return replica_reads(lambda request: view())(object())


def test_outside_a_request_reads_use_the_primary(replica_caught_up):
    assert router.db_for_read(None) == "default"


def test_a_request_reads_from_a_caught_up_replica(replica_caught_up):
    assert in_a_request(lambda: router.db_for_read(None)) == "replica1"


def test_no_replica_caught_up_means_the_primary(monkeypatch):
    monkeypatch.setattr(db_routing, "caught_up_replica", lambda: None)
    assert in_a_request(lambda: router.db_for_read(None)) == "default"


def test_the_choice_is_made_once_per_request(monkeypatch):
    asked = []
    monkeypatch.setattr(db_routing, "caught_up_replica", lambda: asked.append(1) or "replica1")
    assert in_a_request(lambda: [router.db_for_read(None) for _ in range(5)]) == ["replica1"] * 5
    assert len(asked) == 1


def test_a_cache_loader_reads_the_primary(transactional_db, replica_caught_up):
    def view():
        return read(PRODUCTS_ALL, {}, lambda: {"db": router.db_for_read(None)}).data["db"], router.db_for_read(None)

    assert in_a_request(view) == ("default", "replica1")


def test_reads_inside_a_transaction_use_the_primary(transactional_db, replica_caught_up):
    def view():
        with transaction.atomic():
            inside = router.db_for_read(None)
        return inside, router.db_for_read(None)

    assert in_a_request(view) == ("default", "replica1")


def test_after_a_write_the_request_reads_its_own_writes_on_the_primary(replica_caught_up):
    def view():
        before = router.db_for_read(None)
        assert router.db_for_write(None) == "default"
        return before, router.db_for_read(None)

    assert in_a_request(view) == ("replica1", "default")


def test_a_replica_that_is_down_is_skipped_for_a_while_not_retried_per_request(db, monkeypatch):
    """One failed connect, then the primary answers without another attempt until the cool-down passes."""
    attempts = []

    class DownReplica:
        def cursor(self):
            attempts.append(1)
            raise OperationalError("connection refused")

        def close(self):
            pass

    down = DownReplica()
    monkeypatch.setattr(db_routing, "connections", {"default": connections["default"], "replica1": down})
    monkeypatch.setattr(db_routing, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(db_routing, "_down_until", {})
    assert db_routing.caught_up_replica() is None
    assert db_routing.caught_up_replica() is None
    assert len(attempts) == 1


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "shop") and not router.allow_migrate("replica1", "shop")


# --- against a real streaming replica ---------------------------------------------------------------
@pytest.fixture
def replicated(transactional_db):
    """Primary and replica holding a copy of the run's test database as it is now."""
    primary = PrivatePostgres().init().start()
    replica = None
    try:
        url = primary.copy_database(suite_database_url(), "shop")
        replica = primary.replica()
        replica.settings["log_statement"] = "all"
        replica.start()
        replica.wait_replayed(primary)
        yield primary, replica, url, replica.url("shop")
    finally:
        if replica is not None:
            replica.destroy()
        primary.destroy()


@pytest.fixture
def people(transactional_db, staff_user, customer):
    tea = baker.make_recipe("products.product", name="Tea", price=Decimal("2.00"), stock=50, category="drinks")
    return {
        "admin": str(RefreshToken.for_user(staff_user).access_token),
        "customer": str(RefreshToken.for_user(customer).access_token),
        "tea": tea,
    }


def statements_since(replica: PrivatePostgres, mark: int) -> str:
    return replica.logfile.read_text(errors="replace")[mark:]


@pytest.mark.scale
@pytest.mark.django_db(transaction=True)
def test_uncached_reads_go_to_a_caught_up_replica_and_loaders_never_read_a_lagging_one(
    people, replicated, redis_server
):
    primary, replica, primary_url, replica_url = replicated
    tea, path = people["tea"], f"/api/v1/products/{people['tea'].pk}"
    with AppProcesses(database_url=primary_url, redis_url=redis_server.url, DATABASE_REPLICA_URLS=replica_url) as app:
        a, b = app.webs(2)
        app.relay()

        def place_order() -> int:
            body = {"items": [{"product_id": tea.pk, "quantity": 1}], "delivery_address": "1 Lag St"}
            placed = a.request("POST", "/api/v1/orders", body | {"payment_method": "cash"}, token=people["customer"])
            assert placed.status == 201, placed.body
            return placed.data["order"]["id"]

        def read_from_replica(order) -> bool:
            """A request arriving while the replica has replayed all the primary flushed is the replica's.
            (Background writes on the primary, autovacuum say, may move the target on: ask again.)"""
            for _ in range(20):
                replica.wait_replayed(primary)
                mark = len(replica.logfile.read_text(errors="replace"))
                assert b.get(f"/api/v1/orders/{order}", token=people["customer"]).status == 200
                if '"orders_order"' in statements_since(replica, mark):
                    return True
            return False

        # Caught up: the request's uncached reads (the order) are the replica's.
        order = place_order()
        assert read_from_replica(order)

        assert b.get(path).data["product"]["price"] == "2.00"
        assert b.get(path).headers["X-Cache"] == "HIT"

        replica.pause_replay()
        assert a.patch(path, {"price": "3.00"}, token=people["admin"]).status == 200
        order = place_order()
        assert replica.execute(f"SELECT price::text FROM products_product WHERE id = {tea.pk}", db="shop") == [
            ("2.00",)
        ], "the replica lags: it still shows the old price"

        mark = len(replica.logfile.read_text(errors="replace"))
        first = b.get(path)
        assert (first.data["product"]["price"], first.headers["X-Cache"]) == ("3.00", "MISS")
        again = b.get(path)
        assert (again.data["product"]["price"], again.headers["X-Cache"]) == ("3.00", "HIT"), "the loader stored 3.00"
        assert '"products_product"' not in statements_since(replica, mark), "the loader read the lagging replica"
        assert b.get(f"/api/v1/orders/{order}", token=people["customer"]).status == 200, "not on the replica yet"
        assert '"orders_order"' not in statements_since(replica, mark)

        replica.resume_replay()
        assert read_from_replica(order), "caught up again: the replica's once more"
