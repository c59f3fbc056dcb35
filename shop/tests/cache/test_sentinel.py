"""The cache on a Sentinel-managed primary (REDIS_SENTINELS, REDIS_SENTINEL_MASTER): Debian's redis-server
and redis-sentinel, a primary, its replica and three sentinels started by each test
(testing/redis_topologies.py), and the primary killed.

An invalidation the primary acknowledged but never passed on to its replica (replication is
asynchronous) is not lost: the promoted replica is another server (its run_id and replication id),
which the layer checks on every new connection before it serves anything from it, and every family
is cleared there once (shop/cache/recovery.py).
"""

import json
import threading
import time
from decimal import Decimal

import pytest
from model_bakery import baker
from rest_framework_simplejwt.tokens import RefreshToken

from products.cache_families import PRODUCT_DETAIL
from shop.cache.invalidation import clear_families
from shop.cache.redis import Store, use_store
from testing.cache import read
from testing.postgres import suite_database_url
from testing.processes import AppProcesses, wait_until
from testing.redis_topologies import RedisSentinelSet

pytestmark = pytest.mark.scale


@pytest.fixture
def sentinels():
    topology = RedisSentinelSet().start()
    yield topology
    topology.stop()


def sentinel_store(topology, **options) -> Store:
    defaults = dict(prefix="faults", socket_timeout=0.2, connect_timeout=0.2, cooldown=0.1)
    return Store(
        url="redis://",
        sentinels=[(s.host, s.port) for s in topology.sentinels],
        sentinel_master=topology.MASTER,
        **(defaults | options),
    )


def test_an_invalidation_the_dead_primary_never_passed_on_is_not_lost(db, sentinels):
    key = "faults:{products}:1"
    with use_store(sentinel_store(sentinels)):
        assert read(PRODUCT_DETAIL, {"id": 1}, lambda: {"v": 1}).data == {"v": 1}
        assert read(PRODUCT_DETAIL, {"id": 1}, lambda: {"v": 1}).hit
        primary, replica = sentinels.primary, sentinels.replica
        assert primary.client().wait(1, 2000) == 1, "the replica holds the entry"

        replica.freeze()  # it can't take the invalidation, nor reconnect to ask for it
        primary.client().client_kill_filter(_type="replica")
        assert clear_families([PRODUCT_DETAIL], cause="a write"), "the primary acknowledged the invalidation"
        assert not primary.client().exists(key)
        old = (primary.host, primary.port)
        primary.kill()
        replica.thaw()
        sentinels.wait_for_failover(old)
        assert replica.client().get(key) is not None, "the promoted replica still holds the entry"

        served = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            result = read(PRODUCT_DETAIL, {"id": 1}, lambda: {"v": 2})
            served.append((result.hit, result.data))
            if result.hit:
                break
            time.sleep(0.02)
        assert (True, {"v": 1}) not in served, "the invalidated entry came back"
        assert served[-1] == (True, {"v": 2}), f"caching did not resume on the new primary: {served[-3:]}"


def test_the_throttle_cache_and_celerys_broker_follow_the_failover(sentinels):
    """Django's cache (throttle history) and Celery's Redis broker use the Sentinel-managed primary too."""
    env = {
        "REDIS_SENTINELS": sentinels.sentinels_setting,
        "REDIS_SENTINEL_MASTER": sentinels.MASTER,
        "CELERY_BROKER_URL": "redis://ignored-host:6379/0",  # its host: the sentinels say
    }
    probe = (
        "import json\n"
        "from django.core.cache import cache\n"
        "from config.celery_app import app\n"
        "cache.set('probe', 'set via sentinel', 60)\n"
        "with app.connection_for_write() as conn:\n"
        "    conn.ensure_connection(max_retries=1)\n"
        "    conn.default_channel.client.lpush('probe-queue', 'queued via sentinel')\n"
        "print(json.dumps([cache.get('probe'), app.conf.broker_url.split(';')[0]]))\n"
    )
    with AppProcesses(database_url="sqlite:///:memory:", redis_url="redis://", **env) as app:
        for attempt in ("before", "after"):
            ran = app.run(probe)
            assert ran.returncode == 0, ran.stderr[-3000:]
            got, broker = json.loads(ran.stdout.strip().splitlines()[-1])
            assert got == "set via sentinel" and broker.startswith("sentinel://")
            primary = sentinels.current_primary().client()
            assert primary.lrange("probe-queue", 0, -1)[-1:] == [b"queued via sentinel"]
            assert any(b"probe" in key for key in primary.keys("*django*"))
            if attempt == "before":
                old = (sentinels.primary.host, sentinels.primary.port)
                sentinels.primary.kill()
                sentinels.wait_for_failover(old)


@pytest.fixture
def tea(transactional_db):
    return baker.make_recipe("products.product", name="Tea", price=Decimal("2.00"), stock=50)


def test_the_primary_killed_under_load(transactional_db, sentinels, tea, staff_user, record_property):
    """Two web processes and the relay on Sentinel; readers on both, an admin raising the price through A;
    the primary is SIGKILLed. No 5xx at all (cache errors never reach callers: the breaker treats the
    failover window as an outage), no read older than an acknowledged write, caching resumes on the
    promoted replica by itself."""
    token = str(RefreshToken.for_user(staff_user).access_token)
    env = dict(
        REDIS_SENTINELS=sentinels.sentinels_setting,
        REDIS_SENTINEL_MASTER=sentinels.MASTER,
        CACHE_BREAKER_COOLDOWN="0.5",
    )
    with AppProcesses(database_url=suite_database_url(), redis_url="redis://", **env) as app:
        a, b = app.webs(2)
        app.relay()
        path = f"/api/v1/products/{tea.pk}"
        state = {"acked": 2.0, "stop": False}
        seen, statuses, lock = [], [], threading.Lock()

        def reader(web):
            while not state["stop"]:
                acked, sent = state["acked"], time.monotonic()
                answer = web.get(path, timeout=5)
                with lock:
                    statuses.append(answer.status)
                    if answer.status == 200:
                        price = float(answer.data["product"]["price"])
                        seen.append((sent, web.name, price, acked, answer.headers.get("X-Cache")))

        def writer():
            price = 2.0
            while not state["stop"]:
                price += 0.01
                answer = a.patch(path, {"price": f"{price:.2f}"}, token=token, timeout=5)
                with lock:
                    statuses.append(answer.status)
                if answer.status == 200:
                    state["acked"] = round(price, 2)
                time.sleep(0.05)

        threads = [threading.Thread(target=reader, args=(web,)) for web in (a, b, b)] + [
            threading.Thread(target=writer)
        ]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1.0)
            old = (sentinels.primary.host, sentinels.primary.port)
            sentinels.primary.kill()
            killed = time.monotonic()
            sentinels.wait_for_failover(old)
            promoted = time.monotonic()
            resumed, _ = wait_until(lambda: any(s[0] > promoted and s[4] == "HIT" for s in seen), 10, interval=0.05)
            time.sleep(1.0)
        finally:
            state["stop"] = True
            for thread in threads:
                thread.join(10)

        assert not [s for s in statuses if s >= 500], f"5xx answers: {sorted(set(statuses))}"
        stale = [s for s in seen if s[2] < s[3]]
        assert not stale, f"reads older than an acknowledged write: {stale[:5]}"
        assert resumed, "caching did not resume on the promoted replica"
        first_hit = min(s[0] for s in seen if s[0] > promoted and s[4] == "HIT")
        record_property("failover_seconds_kill_to_promotion", round(promoted - killed, 2))
        record_property("seconds_kill_to_first_hit", round(first_hit - killed, 2))
