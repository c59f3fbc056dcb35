"""Read-through (shop/cache/getset.py): what a hit and a miss cost, TTLs, leases against the stale set,
stampedes, the dirty-transaction rule, ETags, the family cap, counters."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import transaction
from model_bakery import baker

from orders.cache_families import COUPONS_ACTIVE
from products import cached as product_reads
from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL, PRODUCTS_FILTER
from shop import cache
from shop.cache import Expiring
from shop.cache.invalidation import clear_families
from shop.cache.redis import Store, get_store, use_store
from testing.cache import RoundTrips, family_keys, make_older, read, ttl_left, waiting_for_fill

# API.md, "Cache keys, TTLs and what clears them": key pattern and TTL of every family it names.
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


def store_on(url: str, **overrides) -> Store:
    options = dict(prefix=get_store().prefix, socket_timeout=1.0, connect_timeout=1.0, cooldown=1.0)
    return Store(url=url, **(options | overrides))


def test_the_families_of_the_api_table_are_declared_as_it_says():
    declared = {f.name: (f.pattern, f.effective_ttl) for f in cache.all_families()}
    assert {name: declared[name] for name in API_TABLE} == API_TABLE


def test_a_hit_is_one_round_trip_no_sql_and_the_stored_bytes(
    db, own_redis_store, redis_server, monkeypatch, django_assert_num_queries
):
    from products.models import Product

    def loader():
        return {"count": Product.objects.count(), "name": "Café ☕"}

    with django_assert_num_queries(1):
        first = read(PRODUCTS_ALL, {}, loader)
    assert first.hit is False

    before = redis_server.command_calls()
    with django_assert_num_queries(0), RoundTrips(monkeypatch) as sent:
        second = read(PRODUCTS_ALL, {}, loader)
    after = redis_server.command_calls()

    assert second.hit is True and second.raw == first.raw and second.etag == first.etag
    assert redis_server.client().get("faults:{products}:all")[30:] == first.raw
    assert sent.count == 1
    delta = {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}
    delta.pop("info")  # the measurement itself
    assert delta == {"evalsha": 1, "get": 1, "hincrby": 1}


def test_a_miss_runs_the_loader_once_and_costs_two_round_trips(own_redis_store, monkeypatch):
    calls = []
    read(PRODUCTS_ALL, {}, lambda: {"warm": "scripts loaded"})
    clear_families([PRODUCTS_ALL], cause="test")
    with RoundTrips(monkeypatch) as sent:
        result = read(PRODUCTS_ALL, {}, lambda: calls.append(1) or {"n": 1})

    assert (result.hit, result.data, len(calls)) == (False, {"n": 1}, 1)
    assert sent.count == 2  # READ (a miss takes the lease), STORE


def test_keys_carry_their_group_as_a_hash_tag(own_redis_store, redis_server):
    read(PRODUCT_DETAIL, {"id": 7}, lambda: {"product": {"id": 7}})
    read(COUPONS_ACTIVE, {}, lambda: {"coupons": []})
    keys = {key.decode() for key in redis_server.client().keys("faults:{*}:*") if b"_" not in key}
    assert keys == {"faults:{products}:7", "faults:{coupons}:active"}
    assert [entry["key"] for entry in family_keys(PRODUCT_DETAIL)] == ["products:7"]


def test_ttl_defaults_to_the_api_table(own_redis_store):
    read(PRODUCT_DETAIL, {"id": 7}, lambda: {"product": {"id": 7}})
    read(cache.resolve("business:info")[0], {}, lambda: {"business": {}})

    assert 3590 <= ttl_left(PRODUCT_DETAIL, {"id": 7}) <= 3600
    assert own_redis_store.client.ttl("faults:{business}:info") == -1  # stored without expiry


def test_ttl_is_overridden_by_settings(own_redis_store, settings):
    settings.CACHE_TTLS = {"products:all": 30}
    read(PRODUCTS_ALL, {}, lambda: {"products": []})
    assert 25 <= ttl_left(PRODUCTS_ALL, {}) <= 30


def test_a_loader_can_keep_its_result_less_long_or_not_at_all(own_redis_store):
    read(PRODUCTS_ALL, {}, lambda: Expiring({"products": []}, 45))
    assert 40 <= ttl_left(PRODUCTS_ALL, {}) <= 45

    read(PRODUCT_DETAIL, {"id": 1}, lambda: Expiring({"product": {}}, 0))
    assert family_keys(PRODUCT_DETAIL) == [], "a result kept 0 s is not stored"
    assert not read(PRODUCT_DETAIL, {"id": 1}, lambda: {"product": {}}).hit


def test_an_entry_knows_its_age_without_another_round_trip(own_redis_store, monkeypatch):
    read(PRODUCTS_ALL, {}, lambda: {"n": 1})
    make_older(PRODUCTS_ALL, {}, 90)
    with RoundTrips(monkeypatch) as sent:
        hit = read(PRODUCTS_ALL, {}, lambda: {"n": 1})
    assert sent.count == 1 and 90 <= hit.age_seconds <= 92


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

    reader = threading.Thread(target=lambda: results.update(first=read(PRODUCTS_ALL, {}, slow_loader)))
    reader.start()
    assert read_old.wait(5)
    source["value"] = "new"  # the committed write ...
    clear_families([PRODUCTS_ALL], cause="test write")  # ... and its invalidation
    resume.set()
    reader.join(5)

    assert results["first"].data == {"value": "old"}  # it may return what it read ...
    after = read(PRODUCTS_ALL, {}, lambda: {"value": source["value"]})
    assert (after.hit, after.data) == (False, {"value": "new"})  # ... but never leave it behind
    assert read(PRODUCTS_ALL, {}, lambda: {"value": "unused"}).data == {"value": "new"}


def test_a_row_level_invalidation_during_a_load_wins_too(db):
    """The same race on one key of a family cleared key by key (a product's detail)."""
    from shop.cache import Change
    from shop.cache.invalidation import apply

    read_old, resume = threading.Event(), threading.Event()

    def slow_loader():
        read_old.set()
        assert resume.wait(5)
        return {"product": {"id": 5, "price": "1.00"}}

    reader = threading.Thread(target=read, args=(PRODUCT_DETAIL, {"id": 5}, slow_loader))
    reader.start()
    assert read_old.wait(5)
    assert apply([Change("products.Product", "update", 5, {"id": 5, "price": 1}, {"id": 5, "price": 2})], cause="t")
    resume.set()
    reader.join(5)
    assert not read(PRODUCT_DETAIL, {"id": 5}, lambda: {"product": {"id": 5, "price": "2.00"}}).hit


def test_a_loader_that_began_before_redis_restarted_empty_cannot_store(redis_server):
    """The lease lives in Redis: a restart that lost it also refuses the loader's store."""
    store = store_on(redis_server.url, prefix="restart")
    read_old, resume = threading.Event(), threading.Event()

    def slow_loader():
        read_old.set()
        assert resume.wait(5)
        return {"value": "old"}

    with use_store(store):
        reader = threading.Thread(target=read, args=(PRODUCTS_ALL, {}, slow_loader))
        reader.start()
        assert read_old.wait(5)
        redis_server.kill()
        redis_server.start()
        store.client.connection_pool.disconnect()  # the loader's store meets the new server on a new connection
        resume.set()
        reader.join(5)

    assert redis_server.client().get("restart:{products}:all") is None
    assert not store.breaker.is_open, "STORE reached Redis: the lease check refused the value"


def test_a_stampede_runs_the_loader_once(monkeypatch):
    calls = []
    barrier = threading.Barrier(20)
    results = []
    waiters, loaded = threading.Semaphore(0), threading.Event()
    waiting_for_fill(monkeypatch, waiters.release)

    def loader():
        calls.append(1)
        assert loaded.wait(5)  # still loading: the others find the lease taken and wait
        return {"loaded": True}

    def request():
        barrier.wait()
        results.append(read(PRODUCTS_ALL, {}, loader))

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for _ in range(19):
        assert waiters.acquire(timeout=5)
    loaded.set()
    for thread in threads:
        thread.join(10)

    assert len(calls) == 1
    assert len(results) == 20
    assert {r.raw for r in results} == {b'{"loaded":true}'}
    assert sum(not r.hit for r in results) == 1


def test_stampede_waiters_load_for_themselves_after_the_bounded_wait(settings):
    store = store_on(settings.REDIS_URL, stampede_wait=0.2)
    holder_started, holder_done = threading.Event(), threading.Event()
    calls = []
    waiter_times = []

    def loader():
        if not calls:
            calls.append("holder")
            holder_started.set()
            assert holder_done.wait(5)  # far slower than the waiters are willing to wait: done after they are
            return {"by": "holder"}
        calls.append("waiter")
        return {"by": "waiter"}

    def waiter():
        started = time.monotonic()
        result = read(PRODUCTS_ALL, {}, loader)
        waiter_times.append((time.monotonic() - started, result))

    with use_store(store):
        holder = threading.Thread(target=read, args=(PRODUCTS_ALL, {}, loader))
        holder.start()
        assert holder_started.wait(5)
        waiters = [threading.Thread(target=waiter) for _ in range(5)]
        for thread in waiters:
            thread.start()
        for thread in waiters:
            thread.join(5)
        holder_done.set()
        holder.join(5)

    assert calls[0] == "holder" and calls.count("waiter") >= 1
    assert len(waiter_times) == 5
    for elapsed, result in waiter_times:
        assert result.data == {"by": "waiter"}
        assert elapsed < 1.5, "a waiter hung on the slow loader instead of loading for itself"


def test_waiters_stop_waiting_when_the_loader_fails(settings, monkeypatch):
    store = store_on(settings.REDIS_URL, stampede_wait=5.0)
    holder_started, fail_now = threading.Event(), threading.Event()
    waiting_for_fill(monkeypatch, fail_now.set)  # the loader fails once the waiter waits for it
    outcome = {}

    def failing_loader():
        holder_started.set()
        assert fail_now.wait(5)
        raise RuntimeError("database went away")

    def holder():
        try:
            read(PRODUCTS_ALL, {}, failing_loader)
        except RuntimeError as error:
            outcome["holder"] = error

    with use_store(store):
        thread = threading.Thread(target=holder)
        thread.start()
        assert holder_started.wait(5)
        started = time.monotonic()
        result = read(PRODUCTS_ALL, {}, lambda: {"by": "waiter"})
        elapsed = time.monotonic() - started
        thread.join(5)

    assert isinstance(outcome["holder"], RuntimeError)  # a loader's own error is the caller's, not hidden
    assert result.data == {"by": "waiter"}
    assert elapsed < 2.0, "the waiter sat out the whole stampede wait after the loader had failed"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_read_or_stored_inside_a_transaction_that_has_written():
    """cacheops' dirty-transaction rule: what the transaction wrote may still roll back."""
    product = baker.make_recipe("products.product", price=Decimal("2.00"))
    product_reads.product_detail(product_id=product.pk)
    assert product_reads.product_detail(product_id=product.pk).hit

    with transaction.atomic():
        read(COUPONS_ACTIVE, {}, lambda: {"coupons": ["before any write"]})  # clean so far: cached
        assert read(COUPONS_ACTIVE, {}, lambda: {"coupons": []}).hit
        product.price = "3.00"
        product.save()
        inside = product_reads.product_detail(product_id=product.pk)
        assert not inside.hit and inside.data["product"]["price"] == "3.00", "the transaction reads its own write"
        assert not read(COUPONS_ACTIVE, {}, lambda: {"coupons": []}).hit, "no cache at all once dirty"
        transaction.set_rollback(True)

    after = product_reads.product_detail(product_id=product.pk)
    assert after.hit and after.data["product"]["price"] == "2.00", "the rolled-back price was never cached"


def test_a_matching_if_none_match_is_answered_by_redis_without_the_body(own_redis_store, monkeypatch):
    first = read(PRODUCTS_ALL, {}, lambda: {"products": ["a" * 2000]})
    with RoundTrips(monkeypatch) as sent:
        again = read(PRODUCTS_ALL, {}, lambda: {"unused": True}, if_none_match=first.etag)
    assert sent.count == 1
    assert again.not_modified and again.raw is None and again.etag == first.etag
    stale = read(PRODUCTS_ALL, {}, lambda: {"unused": True}, if_none_match="0123456789abcdef")
    assert not stale.not_modified and stale.raw == first.raw


def test_a_family_past_its_cap_is_served_uncached_until_old_keys_expire(own_redis_store):
    own_redis_store.max_keys = 3
    for n in range(5):
        read(PRODUCTS_FILTER, {"digest": f"d{n}"}, lambda: {"products": []})
    assert len(family_keys(PRODUCTS_FILTER)) == 3
    assert not read(PRODUCTS_FILTER, {"digest": "d4"}, lambda: {"products": []}).hit, "beyond the cap: not cached"
    assert read(PRODUCTS_FILTER, {"digest": "d0"}, lambda: {"products": []}).hit, "within the cap: cached"
    assert len(family_keys(PRODUCT_DETAIL)) == 0, "the cap is per family"
    read(PRODUCT_DETAIL, {"id": 1}, lambda: {"product": {}})
    assert len(family_keys(PRODUCT_DETAIL)) == 1


def test_counters_per_family(own_redis_store):
    read(PRODUCTS_ALL, {}, lambda: {"n": 1})
    read(PRODUCTS_ALL, {}, lambda: {"n": 1})
    read(PRODUCTS_ALL, {}, lambda: {"n": 1})
    read(PRODUCT_DETAIL, {"id": 1}, lambda: {"n": 1})
    clear_families([PRODUCTS_ALL], cause="test")

    families = cache.stats()["families"]
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


def test_counts_from_many_threads_are_not_lost(settings):
    store = store_on(settings.REDIS_URL, prefix=f"{settings.CACHE_KEY_PREFIX}-disabled", enabled=False)

    def misses():
        for _ in range(500):
            read(PRODUCTS_ALL, {}, lambda: {})

    with use_store(store):
        threads = [threading.Thread(target=misses) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert cache.stats()["families"]["products:all"]["misses"] == 4000


@pytest.mark.django_db
def test_a_hit_returns_what_the_miss_stored_for_a_real_product(django_assert_num_queries):
    product = baker.make_recipe("products.product", price=Decimal("2.50"))
    miss = product_reads.product_detail(product_id=product.pk)
    with django_assert_num_queries(0):
        hit = product_reads.product_detail(product_id=product.pk)
    assert (miss.hit, hit.hit) == (False, True)
    assert hit.raw == miss.raw
    assert hit.data["product"]["price"] == "2.50"
