"""The read-replica router's rules, one by one (shop/db_routing.py). Which replica has caught up is asked
of PostgreSQL (test_read_replicas.py runs that against a real streaming replica); here it is given."""

import pytest
from django.db import transaction

from products.cache_families import PRODUCTS_ALL
from shop import db_routing
from shop.db_routing import ReplicaRouter, replica_reads
from testing.cache import read

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


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "shop") and not router.allow_migrate("replica1", "shop")
