"""Fixtures shared by every app's tests: the cache store, Redis servers of a test's own, users (built by
the apps' model-bakery recipes)."""

import pytest
import redis
from django.conf import settings
from model_bakery import baker

from shop import cache
from shop.cache.invalidation import clear_families
from shop.cache.redis import Store, get_store, reset_store, use_store
from testing.redis_server import RedisServer


class ManualClock:
    """A monotonic clock that only moves when told: the breaker's cool-down without real sleeps."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def fresh_cache_store():
    """Each test starts with a new store (closed breaker) and leaves no cached entry behind."""
    reset_store()
    yield
    reset_store()
    if get_store().ping():
        clear_families(cache.all_families(), cause="test teardown")
        cache.reset_stats()
    reset_store()


@pytest.fixture(scope="session", autouse=True)
def drop_test_keys_at_end():
    """The run's keys live under its own prefix on the shared Redis; remove them when it ends."""
    yield
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    try:
        for key in client.scan_iter(match=f"{settings.CACHE_KEY_PREFIX}:*", count=1000):
            client.unlink(key)
    except redis.exceptions.RedisError:
        pass


@pytest.fixture
def redis_server():
    """A redis-server of this test's own, for fault tests: kill it, freeze it, restart it."""
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def breaker_clock():
    return ManualClock()


@pytest.fixture
def own_redis_store(redis_server, breaker_clock):
    """The cache layer routed to the test's own redis-server: short timeouts, and a breaker whose
    cool-down (1 s) passes when the test advances `breaker_clock`."""
    store = Store(
        url=redis_server.url,
        prefix="faults",
        socket_timeout=0.2,
        connect_timeout=0.2,
        cooldown=1.0,
        stampede_wait=2.0,
        lease_ttl=10.0,
        clock=breaker_clock,
    )
    with use_store(store):
        yield store


@pytest.fixture
def customer(db):
    """A customer who logs in as customer@example.test with `shop.baker_recipes.PASSWORD`."""
    return baker.make_recipe("shop.customer", email="customer@example.test")


@pytest.fixture
def other_customer(db):
    return baker.make_recipe("shop.customer", email="other@example.test", name="Other")


@pytest.fixture
def staff_user(db):
    """Store staff (`is_staff`, not a superuser): the API's admin role and the dashboard's reader.
    pytest-django's `admin_user` / `admin_client` (a superuser) are left as pytest-django defines them."""
    return baker.make_recipe("shop.staff", email="staff@example.test")


@pytest.fixture(autouse=True)
def outbox_left_by_the_last_flush_gone(request, django_db_blocker):
    """A transactional test ends with Django's flush: a TRUNCATE of every table, which the outbox
    triggers record. Those rows belong to no test; the next transactional test starts without them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if transactional:
        request.getfixturevalue("transactional_db")
        from django.db import connection

        from shop.cache.outbox_sql import OUTBOX_TABLE

        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {OUTBOX_TABLE} WHERE op = 'truncate'")
    yield
