"""The guarded connection to Redis (shop/cache/redis.py, its breaker in breaker.py). Graceful degradation:
Redis killed, refusing connections, or hung (SIGSTOP). Each test breaks a redis-server of its own
(fixture `redis_server`); the layer uses 0.2 s timeouts and a breaker whose 1 s cool-down passes when
the test advances `breaker_clock` (no real sleeps). Catching up once Redis is back: test_recovery.py."""

import logging
import time

import pytest
from django.db import connection, transaction
from model_bakery import baker

from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL
from shop import cache
from shop.cache.invalidation import clear_families
from shop.cache.redis import Store
from testing.cache import read
from testing.redis_server import free_port

pytestmark = pytest.mark.faults

TIMEOUT = 0.2
COOLDOWN = 1.0
# One timeout plus scheduling slack. redis-py's default retries would make a call cost 4 timeouts or more.
ONE_TIMEOUT_BOUND = TIMEOUT * 2.5
SKIPPED_CALL_BOUND = 0.02


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
    "read": (
        lambda: read(PRODUCTS_ALL, {}, lambda: {"from": "database"}),
        lambda result: result.hit is False and result.data == {"from": "database"},
    ),
    "clear": (
        lambda: cache.clear("products:all", cause="test write"),
        lambda result: result == (["products:all"], False),
    ),
    "stats": (
        lambda: cache.stats(),
        lambda result: result["redis"]["status"] == "down" and result["families"]["products:all"]["keys"] == 0,
    ),
    "ping": (lambda: cache.get_store().ping(), lambda result: result is False),
}


@pytest.mark.parametrize("mode", ["killed", "refused", "hung"])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_no_operation_raises_or_serves_cached_data_when_redis_is_broken(mode, operation, redis_server, own_redis_store):
    read(PRODUCTS_ALL, {}, lambda: {"from": "cache"})
    url = break_redis(mode, redis_server)
    if url != redis_server.url:
        own_redis_store.client = Store(url=url, prefix="faults", socket_timeout=TIMEOUT).client
    call, holds = OPERATIONS[operation]
    result, elapsed = timed(call)
    assert holds(result)
    assert elapsed < ONE_TIMEOUT_BOUND


def test_a_hung_redis_costs_one_timeout_then_nothing_until_the_cool_down_ends(
    own_redis_store, redis_server, breaker_clock
):
    read(PRODUCTS_ALL, {}, lambda: {"v": 1})
    redis_server.freeze()

    first, first_time = timed(lambda: read(PRODUCTS_ALL, {}, lambda: {"v": 2}))
    later_times = [timed(lambda: read(PRODUCTS_ALL, {}, lambda: {"v": 2}))[1] for _ in range(50)]

    assert first.data == {"v": 2}
    assert TIMEOUT * 0.9 <= first_time < ONE_TIMEOUT_BOUND
    assert max(later_times) < SKIPPED_CALL_BOUND

    breaker_clock.advance(COOLDOWN)
    _, probe_time = timed(lambda: read(PRODUCTS_ALL, {}, lambda: {"v": 2}))
    _, after_probe = timed(lambda: read(PRODUCTS_ALL, {}, lambda: {"v": 2}))
    assert probe_time < ONE_TIMEOUT_BOUND
    assert after_probe < SKIPPED_CALL_BOUND


def test_a_hung_redis_on_a_new_connection_costs_one_timeout(redis_server):
    redis_server.freeze()
    from shop.cache.redis import use_store

    store = Store(url=redis_server.url, prefix="faults", socket_timeout=TIMEOUT, connect_timeout=TIMEOUT)
    with use_store(store):  # no pooled connection: connect succeeds (backlog), the reply never comes
        result, elapsed = timed(lambda: read(PRODUCTS_ALL, {}, lambda: {"v": 1}))
    assert result.data == {"v": 1}
    assert elapsed < ONE_TIMEOUT_BOUND


def test_the_outage_and_the_recovery_are_logged_once(db, own_redis_store, redis_server, breaker_clock, caplog):
    read(PRODUCTS_ALL, {}, lambda: {"v": 1})
    caplog.set_level(logging.INFO, logger="shop.cache")
    redis_server.freeze()
    for _ in range(30):
        read(PRODUCTS_ALL, {}, lambda: {"v": 1})
        read(PRODUCT_DETAIL, {"id": 1}, lambda: {"v": 1})
    breaker_clock.advance(COOLDOWN)
    for _ in range(30):  # the probe fails again: still one outage
        read(PRODUCTS_ALL, {}, lambda: {"v": 1})
    redis_server.thaw()
    breaker_clock.advance(COOLDOWN)
    for _ in range(30):
        read(PRODUCTS_ALL, {}, lambda: {"v": 1})

    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    restored = [r.getMessage() for r in caplog.records if "restored" in r.getMessage()]
    assert len(warnings) == 1 and "Redis unavailable" in warnings[0]
    assert len(restored) == 1


def test_caching_resumes_by_itself_when_redis_is_back(db, own_redis_store, redis_server, breaker_clock):
    redis_server.kill()
    assert not read(PRODUCTS_ALL, {}, lambda: {"v": 1}).hit
    redis_server.start()
    breaker_clock.advance(COOLDOWN)
    assert not read(PRODUCTS_ALL, {}, lambda: {"v": 1}).hit
    assert read(PRODUCTS_ALL, {}, lambda: {"v": 1}).hit


def test_errors_are_counted_per_family_and_survive_the_outage(db, own_redis_store, redis_server, breaker_clock):
    read(PRODUCTS_ALL, {}, lambda: {"v": 1})
    redis_server.freeze()
    read(PRODUCT_DETAIL, {"id": 3}, lambda: {"v": 1})  # fails: an error
    for _ in range(5):
        read(PRODUCT_DETAIL, {"id": 3}, lambda: {"v": 1})  # skipped: misses
    down = cache.stats()
    assert down["redis"]["status"] == "down" and down["redis"]["breakerOpen"]
    assert down["families"]["products:detail"]["errors"] == 1
    assert down["families"]["products:detail"]["misses"] == 6

    redis_server.thaw()
    breaker_clock.advance(COOLDOWN)
    assert own_redis_store.ping()
    up = cache.stats()["families"]["products:detail"]
    assert up["errors"] == 1
    # 6 counted here, plus possibly the timed-out READ itself: a frozen Redis runs it when thawed.
    assert up["misses"] in (6, 7)
    assert redis_server.client().hget("faults:{products}:_stats", "products:detail:errors") == b"1"


def test_a_rolled_back_write_during_an_outage_leaves_nothing_to_apply(db, own_redis_store, redis_server):
    redis_server.kill()
    with pytest.raises(RuntimeError), transaction.atomic():
        baker.make_recipe("products.product")
        raise RuntimeError("rolled back")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM shop_cache_outbox")
        assert cursor.fetchone() == (0,)


def test_clear_families_reports_that_redis_did_not_take_it(own_redis_store, redis_server):
    redis_server.kill()
    assert clear_families([PRODUCTS_ALL], cause="test") is False
