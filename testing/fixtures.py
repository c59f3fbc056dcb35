"""Fixtures shared by every app's tests: the cache store, Redis servers of a test's own, users."""

import pytest
import redis
from django.conf import settings

from shop import cache
from shop.cache.store import RedisCacheStore
from testing.redis_server import RedisServer


@pytest.fixture(autouse=True)
def fresh_cache_store():
    """Each test starts with a new store (closed breaker) and leaves no cached entry behind."""
    cache.reset_store()
    yield
    cache.reset_store()
    store = cache.get_store()
    if store.ping():
        store.invalidate_many([family.name for family in cache.all_families()], cause="test teardown")
        store.reset_stats()
    cache.reset_store()


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
def own_redis_store(redis_server):
    """The cache layer routed to the test's own redis-server, with short timeouts and cool-down."""
    store = RedisCacheStore(
        url=redis_server.url,
        prefix="faults",
        socket_timeout=0.2,
        connect_timeout=0.2,
        cooldown=1.0,
        stampede_wait=2.0,
        lock_ttl=10.0,
    )
    with cache.use_store(store):
        yield store


@pytest.fixture
def admin_user(db):
    from shop.models import User

    return User.objects.create_user(email="admin@example.test", password="admin-pass-123", name="Admin", is_staff=True)


@pytest.fixture
def customer(db):
    from shop.models import User

    return User.objects.create_user(email="customer@example.test", password="customer-pass-123", name="Customer")
