"""Graceful degradation: Redis killed, refusing connections, or hung (SIGSTOP). Each test breaks
a redis-server of its own (fixture `redis_server`); the layer's store uses 0.2 s timeouts and a
1 s cool-down (fixture `own_redis_store`)."""

import logging
import time

import pytest

from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL
from shop import cache
from shop.cache.store import RedisCacheStore
from testing.redis_server import free_port

pytestmark = pytest.mark.faults

TIMEOUT = 0.2
COOLDOWN = 1.0
# One timeout plus scheduling slack. redis-py's default retries would make a call cost 4 timeouts or more.
ONE_TIMEOUT_BOUND = TIMEOUT * 2
SKIPPED_CALL_BOUND = 0.02


def new_store(url: str) -> RedisCacheStore:
    return RedisCacheStore(
        url=url,
        prefix="faults",
        socket_timeout=TIMEOUT,
        connect_timeout=TIMEOUT,
        cooldown=COOLDOWN,
        stampede_wait=2.0,
        lock_ttl=10.0,
    )


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def break_redis(mode: str, server) -> str:
    """Break Redis the named way; returns the URL the layer should use."""
    if mode == "killed":
        server.kill()
        return server.url
    if mode == "hung":
        server.freeze()
        return server.url
    return f"redis://127.0.0.1:{free_port()}/0"  # refused: nothing listens there


OPERATIONS = {
    "read_through": (
        lambda s: s.read_through(PRODUCTS_ALL, {}, lambda: {"from": "database"}),
        lambda result: result.hit is False and result.data == {"from": "database"},
    ),
    "invalidate": (lambda s: s.invalidate("products:all", "test write"), lambda result: result is None),
    "stats": (
        lambda s: s.stats(),
        lambda result: result["redis"]["status"] == "down" and result["families"]["products:all"]["keys"] == 0,
    ),
    "ttl_left": (lambda s: s.ttl_left(PRODUCTS_ALL, {}), lambda result: result is None),
    "family_keys": (lambda s: s.family_keys(PRODUCTS_ALL), lambda result: result == []),
    "ping": (lambda s: s.ping(), lambda result: result is False),
}


@pytest.mark.parametrize("mode", ["killed", "refused", "hung"])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_no_operation_raises_or_serves_cached_data_when_redis_is_broken(mode, operation, redis_server):
    warm = new_store(redis_server.url)
    warm.read_through(PRODUCTS_ALL, {}, lambda: {"from": "cache"})  # an entry, and a pooled connection
    assert warm.read_through(PRODUCTS_ALL, {}, lambda: {"from": "database"}).hit
    url = break_redis(mode, redis_server)
    store = warm if url == redis_server.url else new_store(url)
    call, is_right = OPERATIONS[operation]

    result, elapsed = timed(lambda: call(store))

    assert is_right(result), result
    assert elapsed < ONE_TIMEOUT_BOUND
    assert store.breaker.is_open


def test_a_hung_redis_costs_one_timeout_then_nothing_until_the_cool_down_ends(own_redis_store, redis_server):
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1})
    redis_server.freeze()

    first, first_time = timed(lambda: cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 2}))
    later_times = [timed(lambda: cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 2}))[1] for _ in range(50)]

    assert first.data == {"v": 2}
    assert TIMEOUT * 0.9 <= first_time < ONE_TIMEOUT_BOUND
    assert max(later_times) < SKIPPED_CALL_BOUND

    time.sleep(COOLDOWN)
    _, probe_time = timed(lambda: cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 2}))
    _, after_probe = timed(lambda: cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 2}))
    assert probe_time < ONE_TIMEOUT_BOUND
    assert after_probe < SKIPPED_CALL_BOUND


def test_a_hung_redis_on_a_new_connection_costs_one_timeout(redis_server):
    redis_server.freeze()
    store = new_store(redis_server.url)  # no pooled connection: connect succeeds (backlog), reply never comes
    result, elapsed = timed(lambda: store.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1}))
    assert result.data == {"v": 1}
    assert elapsed < ONE_TIMEOUT_BOUND


def test_the_outage_and_the_recovery_are_logged_once(own_redis_store, redis_server, caplog):
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1})
    caplog.set_level(logging.INFO, logger="shop.cache")
    redis_server.freeze()
    for _ in range(30):
        cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1})
        cache.read_through(PRODUCT_DETAIL, {"id": 1}, lambda: {"v": 1})
    time.sleep(COOLDOWN)
    for _ in range(30):  # the probe fails again: still one outage
        cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1})
    redis_server.thaw()
    time.sleep(COOLDOWN)
    for _ in range(30):
        cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1})

    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    restored = [r.getMessage() for r in caplog.records if "restored" in r.getMessage()]
    assert len(warnings) == 1 and "Redis unavailable" in warnings[0]
    assert len(restored) == 1


def test_caching_resumes_by_itself_when_redis_is_back(own_redis_store, redis_server):
    redis_server.kill()
    assert not cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1}).hit
    redis_server.start()
    time.sleep(COOLDOWN)
    assert not cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1}).hit
    assert cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1}).hit


def test_an_invalidation_owed_from_an_outage_is_applied_before_the_cache_serves_again(
    own_redis_store, redis_server, caplog
):
    source = {"value": "old"}
    load = lambda: {"value": source["value"]}  # noqa: E731
    cache.read_through(PRODUCTS_ALL, {}, load)
    assert cache.read_through(PRODUCTS_ALL, {}, load).hit

    redis_server.freeze()
    source["value"] = "new"  # a committed write ...
    cache.clear("products:all", cause="write during outage")  # ... whose invalidation can't reach Redis
    assert own_redis_store.owed_invalidations == {"products:all"}
    assert cache.read_through(PRODUCTS_ALL, {}, load).data == {"value": "new"}

    time.sleep(COOLDOWN)  # the probe's owed flush fails too: the read must still not be served from the cache
    assert cache.read_through(PRODUCTS_ALL, {}, load) == cache.Cached(b'{"value":"new"}', hit=False)
    assert own_redis_store.owed_invalidations == {"products:all"}

    redis_server.thaw()  # the old entry survived the freeze
    assert redis_server.client().get("faults:products:all") == b'{"value":"old"}'
    time.sleep(COOLDOWN)
    caplog.set_level(logging.INFO, logger="shop.cache")
    after = cache.read_through(PRODUCTS_ALL, {}, load)
    assert (after.hit, after.data) == (False, {"value": "new"})
    assert own_redis_store.owed_invalidations == set()
    assert any("owed" in r.getMessage() for r in caplog.records)
    assert cache.read_through(PRODUCTS_ALL, {}, load).data == {"value": "new"}


def test_an_owed_invalidation_survives_a_restart_that_lost_the_data(own_redis_store, redis_server):
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"value": "old"})
    redis_server.kill()
    cache.clear("products:all", cause="write during outage")
    redis_server.start()
    time.sleep(COOLDOWN)
    after = cache.read_through(PRODUCTS_ALL, {}, lambda: {"value": "new"})
    assert (after.hit, after.data) == (False, {"value": "new"})
    assert own_redis_store.owed_invalidations == set()
    assert redis_server.client().get("faults:_cache:gen:products:all") is not None  # the owed clear ran


def test_errors_are_counted_per_family_and_survive_the_outage(own_redis_store, redis_server):
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"v": 1})
    redis_server.freeze()
    cache.read_through(PRODUCT_DETAIL, {"id": 3}, lambda: {"v": 1})  # fails: an error
    for _ in range(5):
        cache.read_through(PRODUCT_DETAIL, {"id": 3}, lambda: {"v": 1})  # skipped: misses
    down = own_redis_store.stats()
    assert down["redis"]["status"] == "down" and down["redis"]["breakerOpen"]
    assert down["families"]["products:detail"]["errors"] == 1
    assert down["families"]["products:detail"]["misses"] == 6

    redis_server.thaw()
    time.sleep(COOLDOWN)
    assert own_redis_store.ping()
    up = own_redis_store.stats()["families"]["products:detail"]
    assert up["errors"] == 1
    # 6 counted here, plus possibly the timed-out READ itself: a frozen Redis runs it when thawed.
    assert up["misses"] in (6, 7)
    assert redis_server.client().hget("faults:_cache:stats", "products:detail:errors") == b"1"


@pytest.mark.django_db(transaction=True)
def test_a_write_during_an_outage_succeeds_and_is_cleared_afterwards(own_redis_store, redis_server):
    from model_bakery import baker

    from products.models import Product

    product = baker.make(Product, price="1.00", stock=5)
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"stock": Product.objects.get(pk=product.pk).stock})
    redis_server.freeze()
    product.stock = 4
    product.save()  # the on_commit invalidation can't reach Redis: owed, and the save still succeeds
    assert own_redis_store.owed_invalidations >= {"products:all", "products:detail", "products:filter"}
    redis_server.thaw()
    time.sleep(COOLDOWN)
    after = cache.read_through(PRODUCTS_ALL, {}, lambda: {"stock": Product.objects.get(pk=product.pk).stock})
    assert (after.hit, after.data) == (False, {"stock": 4})
