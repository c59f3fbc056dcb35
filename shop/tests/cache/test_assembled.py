"""Lists assembled from their rows' own entries (shop/cache/assembled.py), against a real Redis."""

import threading

import pytest

from products.cache_families import PRODUCTS_ALL
from shop.cache.assembled import Assembly, read_assembled
from testing.cache import waiting_for_fill

pytestmark = pytest.mark.django_db


def test_a_stampede_on_an_assembled_list_runs_its_loader_once(monkeypatch):
    """Nineteen readers find the list's lease taken and wait for it, as plain reads do, instead of each
    building the whole list from the database."""
    calls = []
    barrier = threading.Barrier(20)
    results = []
    waiters, loaded = threading.Semaphore(0), threading.Event()
    waiting_for_fill(monkeypatch, waiters.release)

    def loader():
        calls.append(1)
        assert loaded.wait(5)  # still loading: the others find the lease taken and wait
        return Assembly(head=b'{"products":[', rows=[(1, {"product": {"id": 1}})], tail=b"]}")

    def fragments_loader(ids):
        return {i: {"product": {"id": i}} for i in ids}

    def request():
        barrier.wait()
        results.append(read_assembled(PRODUCTS_ALL, {}, loader, fragments_loader))

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for _ in range(19):
        assert waiters.acquire(timeout=5)
    loaded.set()
    for thread in threads:
        thread.join(10)

    assert len(calls) == 1
    assert {r.raw for r in results} == {b'{"products":[{"id":1}]}'}
    assert sum(not r.hit for r in results) == 1
