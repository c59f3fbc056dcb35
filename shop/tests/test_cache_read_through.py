"""Read-through: what a hit and a miss cost, TTLs, the stale-set race, stampedes, counters."""

import threading
import time

import pytest
import redis
from django.conf import settings
from model_bakery import baker

from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL
from shop import cache
from shop.cache.store import RedisCacheStore

# API.md, "Cache keys, TTLs and what clears them": key pattern and TTL of every family.
API_TABLE = {
    "business:info": ("business:info", None),
    "products:all": ("products:all", 3600),
    "products:detail": ("products:{id}", 3600),
    "products:filter": ("products:filter:{digest}", 600),
    "coupons:active": ("coupons:active", 600),
    "dashboard:stats": ("dashboard:stats:today", 120),
    "dashboard:top-products": ("dashboard:top-products:{limit}", 300),
    "dashboard:revenue-chart": ("dashboard:revenue-chart:{days}", 300),
    "dashboard:activities": ("dashboard:activities:{limit}", 60),
}


def store_on(url: str, *, prefix: str = settings.CACHE_KEY_PREFIX, **overrides) -> RedisCacheStore:
    options = dict(socket_timeout=1.0, connect_timeout=1.0, cooldown=1.0, stampede_wait=2.0, lock_ttl=10.0)
    options.update(overrides)
    return RedisCacheStore(url=url, prefix=prefix, **options)


class SentCommands:
    """Counts commands a client sends inside the block (one send per round trip; a pipeline sends
    its whole batch at once)."""

    def __init__(self, monkeypatch):
        self.count = 0
        self.active = False
        original = redis.connection.AbstractConnection.send_packed_command

        def counting(conn, command, check_health=True):
            self.count += self.active
            return original(conn, command, check_health)

        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)

    def __enter__(self):
        self.active = True
        return self

    def __exit__(self, *exc):
        self.active = False


def test_families_are_declared_as_in_the_api_table():
    declared = {f.name: (f.pattern, f.effective_ttl) for f in cache.all_families()}
    assert declared == API_TABLE


def test_hit_is_one_round_trip_no_sql_and_the_stored_bytes(
    db, own_redis_store, redis_server, monkeypatch, django_assert_num_queries
):
    from products.models import Product

    def loader():
        return {"count": Product.objects.count(), "name": "Café ☕"}

    with django_assert_num_queries(1):
        first = cache.read_through(PRODUCTS_ALL, {}, loader)
    assert first.hit is False

    before = redis_server.command_calls()
    with django_assert_num_queries(0), SentCommands(monkeypatch) as sent:
        second = cache.read_through(PRODUCTS_ALL, {}, loader)
    after = redis_server.command_calls()

    assert second.hit is True
    assert second.raw is not None and second.raw == first.raw
    assert second.raw == redis_server.client().get("faults:products:all")
    assert sent.count == 1
    delta = {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}
    delta.pop("info")  # the measurement itself
    assert delta == {"evalsha": 1, "get": 1, "hincrby": 1}


def test_miss_runs_the_loader_once_and_costs_three_round_trips(own_redis_store, monkeypatch):
    calls = []
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"warm": "scripts loaded"})
    cache.clear("products:all")
    with SentCommands(monkeypatch) as sent:
        result = cache.read_through(PRODUCTS_ALL, {}, lambda: calls.append(1) or {"n": 1})

    assert (result.hit, result.data, len(calls)) == (False, {"n": 1}, 1)
    assert sent.count == 3  # READ, PREPARE_LOAD (generation + lock), STORE


def test_ttl_defaults_to_the_api_table(own_redis_store):
    cache.read_through(PRODUCT_DETAIL, {"id": 7}, lambda: {"product": {"id": 7}})
    cache.read_through(cache.get_family("business:info"), {}, lambda: {"business": {}})

    assert 3590 <= own_redis_store.ttl_left(PRODUCT_DETAIL, {"id": 7}) <= 3600
    assert own_redis_store.ttl_left(cache.get_family("business:info"), {}) is None
    assert own_redis_store.client.ttl("faults:business:info") == -1  # stored without expiry


def test_ttl_is_overridden_by_settings(own_redis_store, settings):
    settings.CACHE_TTLS = {"products:all": 30}
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"products": []})
    assert 25 <= own_redis_store.ttl_left(PRODUCTS_ALL, {}) <= 30


def test_a_caller_can_shorten_the_ttl_after_loading(own_redis_store):
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"products": []}, ttl=lambda: 45)
    assert 40 <= own_redis_store.ttl_left(PRODUCTS_ALL, {}) <= 45

    cache.read_through(PRODUCT_DETAIL, {"id": 1}, lambda: {"product": {}}, ttl=0)
    assert not cache.read_through(PRODUCT_DETAIL, {"id": 1}, lambda: {"product": {}}).hit


def test_a_loader_that_began_before_an_invalidation_leaves_nothing_behind():
    """The stale-set race, forced: the loader reads the old value, the write commits and its
    invalidation runs, then the loader finishes. Its older result must not be stored."""
    source = {"value": "old"}
    read_old, resume = threading.Event(), threading.Event()
    results = {}

    def slow_loader():
        value = source["value"]
        read_old.set()
        assert resume.wait(5)
        return {"value": value}

    reader = threading.Thread(target=lambda: results.update(first=cache.read_through(PRODUCTS_ALL, {}, slow_loader)))
    reader.start()
    assert read_old.wait(5)
    source["value"] = "new"  # the committed write ...
    cache.clear("products:all", cause="test write")  # ... and its invalidation
    resume.set()
    reader.join(5)

    assert results["first"].data == {"value": "old"}  # it may return what it read ...
    after = cache.read_through(PRODUCTS_ALL, {}, lambda: {"value": source["value"]})
    assert (after.hit, after.data) == (False, {"value": "new"})  # ... but never leave it behind
    assert cache.read_through(PRODUCTS_ALL, {}, lambda: {"value": "unused"}).data == {"value": "new"}


def test_a_loader_that_began_before_redis_restarted_empty_cannot_store(redis_server):
    """The generation check must survive Redis losing its keys: a counter would restart at the same
    number and let the old result in."""
    store = store_on(redis_server.url, prefix="restart")
    other_process = store_on(redis_server.url, prefix="restart")
    store.invalidate("products:all", "first write")
    read_old, resume = threading.Event(), threading.Event()

    def slow_loader():
        read_old.set()
        assert resume.wait(5)
        return {"value": "old"}

    reader = threading.Thread(target=store.read_through, args=(PRODUCTS_ALL, {}, slow_loader))
    reader.start()
    assert read_old.wait(5)
    redis_server.kill()
    redis_server.start()
    other_process.invalidate("products:all", "second write, after the restart")
    store.client.connection_pool.disconnect()  # the loader's store meets the new server on a new connection
    resume.set()
    reader.join(5)

    assert redis_server.client().get("restart:products:all") is None
    assert not store.breaker.is_open, "STORE reached Redis: the generation check refused the value"


def test_a_stampede_runs_the_loader_once():
    calls = []
    barrier = threading.Barrier(20)
    results = []

    def loader():
        calls.append(1)
        time.sleep(0.3)
        return {"loaded": True}

    def request():
        barrier.wait()
        results.append(cache.read_through(PRODUCTS_ALL, {}, loader))

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len(calls) == 1
    assert len(results) == 20
    assert {r.raw for r in results} == {b'{"loaded":true}'}
    assert sum(not r.hit for r in results) == 1


def test_stampede_waiters_load_for_themselves_after_the_bounded_wait():
    store = store_on(settings.REDIS_URL, stampede_wait=0.2)
    holder_started = threading.Event()
    calls = []
    waiter_times = []

    def loader():
        if not calls:
            calls.append("holder")
            holder_started.set()
            time.sleep(2.0)  # far slower than the waiters are willing to wait
            return {"by": "holder"}
        calls.append("waiter")
        return {"by": "waiter"}

    def waiter():
        started = time.monotonic()
        result = store.read_through(PRODUCTS_ALL, {}, loader)
        waiter_times.append((time.monotonic() - started, result))

    with cache.use_store(store):
        holder = threading.Thread(target=store.read_through, args=(PRODUCTS_ALL, {}, loader))
        holder.start()
        assert holder_started.wait(5)
        waiters = [threading.Thread(target=waiter) for _ in range(5)]
        for thread in waiters:
            thread.start()
        for thread in waiters:
            thread.join(5)
        holder.join(5)

    assert calls[0] == "holder" and calls.count("waiter") >= 1
    assert len(waiter_times) == 5
    for elapsed, result in waiter_times:
        assert result.data == {"by": "waiter"}
        assert elapsed < 1.5, "a waiter hung on the slow loader instead of loading for itself"


def test_waiters_stop_waiting_when_the_loader_fails():
    store = store_on(settings.REDIS_URL, stampede_wait=5.0)
    holder_started, fail_now = threading.Event(), threading.Event()
    outcome = {}

    def failing_loader():
        holder_started.set()
        assert fail_now.wait(5)
        raise RuntimeError("database went away")

    def holder():
        try:
            store.read_through(PRODUCTS_ALL, {}, failing_loader)
        except RuntimeError as error:
            outcome["holder"] = error

    with cache.use_store(store):
        thread = threading.Thread(target=holder)
        thread.start()
        assert holder_started.wait(5)
        threading.Timer(0.1, fail_now.set).start()
        started = time.monotonic()
        result = store.read_through(PRODUCTS_ALL, {}, lambda: {"by": "waiter"})
        elapsed = time.monotonic() - started
        thread.join(5)

    assert isinstance(outcome["holder"], RuntimeError)  # a loader's own error is the caller's, not hidden
    assert result.data == {"by": "waiter"}
    assert elapsed < 2.0, "the waiter sat out the whole stampede wait after the loader had failed"


def test_counters_per_family(own_redis_store):
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"n": 1})
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"n": 1})
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"n": 1})
    cache.read_through(PRODUCT_DETAIL, {"id": 1}, lambda: {"n": 1})
    cache.clear("products:all", cause="test")

    families = own_redis_store.stats()["families"]
    assert families["products:all"] | {"pattern": None, "ttl": None} == {
        "pattern": None,
        "ttl": None,
        "keys": 0,
        "hits": 2,
        "misses": 1,
        "hitRate": 0.6667,
        "invalidations": 1,
        "errors": 0,
    }
    assert (families["products:detail"]["misses"], families["products:detail"]["keys"]) == (1, 1)
    assert families["coupons:active"]["hitRate"] is None


def test_counts_from_many_threads_are_not_lost():
    store = store_on(settings.REDIS_URL, prefix=f"{settings.CACHE_KEY_PREFIX}-disabled", enabled=False)

    def misses():
        for _ in range(500):
            store.read_through(PRODUCTS_ALL, {}, lambda: {})

    threads = [threading.Thread(target=misses) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.stats()["families"]["products:all"]["misses"] == 4000


@pytest.mark.django_db
def test_hit_returns_what_the_miss_stored_for_a_real_product(django_assert_num_queries):
    from products.selectors import product_detail_cached

    product = baker.make("products.Product", name="Tea", slug="tea", price="2.50", stock=4, category="drinks")
    miss = product_detail_cached(product_id=product.pk)
    with django_assert_num_queries(0):
        hit = product_detail_cached(product_id=product.pk)
    assert (miss.hit, hit.hit) == (False, True)
    assert hit.raw == miss.raw
    assert hit.data["product"]["price"] == "2.50"
