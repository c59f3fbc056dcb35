"""The cache layer on a Redis Cluster of three primaries (REDIS_CLUSTER_NODES), started by this module
(testing/redis_topologies.py): the read-through, stampede and invalidation cases of test_getset.py,
test_invalidation.py and products' test_cached.py (lists assembled from each product's entry) run
again here, unchanged, with every store of theirs on the cluster.

Each family's keys share a hash tag (`faults:{products}:7`), so every Lua script stays in one slot;
a script touching two slots would fail here with CROSSSLOT. Left out: the one case that restarts its
redis-server (a primary's failover is the Sentinel tests' subject), and "one round trip per batch",
which becomes one round trip per primary the batch touches (below).
"""

import pytest
import redis
from django.conf import settings
from redis.cluster import ClusterNode, RedisCluster

from products.tests import test_cached
from shop.cache.redis import Store, use_store
from shop.tests.cache import test_getset, test_invalidation
from testing.fixtures import ManualClock
from testing.redis_topologies import RedisClusterServers

pytestmark = pytest.mark.scale

EXCLUDED = {
    "test_a_loader_that_began_before_redis_restarted_empty_cannot_store",
    # One round trip per batch holds per primary here: its cluster version is below.
    "test_one_batch_is_one_round_trip_when_no_tag_set_must_be_read",
}
for _module in (test_getset, test_invalidation, test_cached):
    for _name in dir(_module):
        if _name.startswith("test_") and _name not in EXCLUDED:
            globals()[_name] = getattr(_module, _name)
shelf = test_cached.shelf  # (the assembled product lists' cases and their fixture)


@pytest.fixture(scope="module")
def cluster():
    servers = RedisClusterServers().start()
    yield servers
    servers.stop()


def cluster_store(cluster, **options) -> Store:
    defaults = dict(prefix=settings.CACHE_KEY_PREFIX, socket_timeout=1.0, connect_timeout=1.0, cooldown=1.0)
    return Store(url="redis://", cluster_nodes=cluster.nodes, **(defaults | options))


class ClusterClient(RedisCluster):
    """KEYS and DBSIZE over every primary (redis-py sends KEYS to one node)."""

    def keys(self, pattern="*", **kwargs):
        return sorted(key for node in self.get_primaries() for key in self.get_redis_connection(node).keys(pattern))


class ClusterAsServer:
    """What the tests ask of their `redis_server`, answered by the whole cluster."""

    def __init__(self, cluster):
        self.cluster = cluster
        self._client = ClusterClient(startup_nodes=[ClusterNode(h, p) for h, p in cluster.nodes], socket_timeout=5)
        self._stats = [server.client() for server in cluster.servers]

    def client(self) -> RedisCluster:
        return self._client

    def command_calls(self) -> dict[str, int]:
        calls: dict[str, int] = {}
        for client in self._stats:
            for name, fields in client.info("commandstats").items():
                calls[name.removeprefix("cmdstat_")] = calls.get(name.removeprefix("cmdstat_"), 0) + fields["calls"]
        return calls


@pytest.fixture(autouse=True)
def on_the_cluster(cluster, monkeypatch):
    """Every store of the borrowed tests on the cluster, which starts each test empty."""
    for server in cluster.servers:
        try:
            server.client().flushall()
        except redis.exceptions.ResponseError:
            pass
    monkeypatch.setattr(test_getset, "store_on", lambda url, **overrides: cluster_store(cluster, **overrides))
    with use_store(cluster_store(cluster)) as store:
        yield store


@pytest.fixture
def redis_server(cluster):
    return ClusterAsServer(cluster)


@pytest.fixture
def own_redis_store(cluster, breaker_clock: ManualClock):
    store = cluster_store(cluster, prefix="faults", socket_timeout=0.2, connect_timeout=0.2, clock=breaker_clock)
    with use_store(store):
        yield store


def test_the_scripts_really_run_on_three_primaries(on_the_cluster, cluster):
    """The groups' keys land on different primaries (so the cases above did cross nodes), each group's
    keys on one slot."""
    from orders.cache_families import COUPONS_ACTIVE
    from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL
    from shop.cache.invalidation import clear_families
    from testing.cache import read

    for group_key in ("{products}", "{coupons}", "{dashboard}", "{business}", "{users}"):
        on_the_cluster.client.set(f"probe:{group_key}", 1)
    holders = [server for server in cluster.servers if server.client().dbsize()]
    assert len(holders) >= 2, "the groups' hash tags spread over the primaries"

    read(PRODUCT_DETAIL, {"id": 1}, lambda: {"product": {}})
    read(PRODUCTS_ALL, {}, lambda: {"products": []})
    read(COUPONS_ACTIVE, {}, lambda: {"coupons": []})
    keys = [key for server in cluster.servers for key in server.client().keys("*{products}*")]
    assert len(keys) >= 3
    slots = {on_the_cluster.client.keyslot(key) for key in keys}
    assert len(slots) == 1
    assert clear_families([PRODUCT_DETAIL, PRODUCTS_ALL, COUPONS_ACTIVE], cause="test")
    assert read(PRODUCT_DETAIL, {"id": 1}, lambda: {"product": {"v": 2}}).data == {"product": {"v": 2}}


def test_one_batch_is_one_round_trip_per_primary_it_touches(own_redis_store, monkeypatch):
    from orders.cache_families import COUPONS_ACTIVE
    from products.cache_families import PRODUCT_DETAIL
    from shop.cache import Change
    from shop.cache.invalidation import apply, clear_families
    from testing.cache import RoundTrips, family_keys, read

    clear_families([COUPONS_ACTIVE, PRODUCT_DETAIL], cause="loads the script")
    read(PRODUCT_DETAIL, {"id": 1}, lambda: {"product": {}})
    read(COUPONS_ACTIVE, {}, lambda: {"coupons": []})
    changes = [
        Change("orders.Coupon", "update", 2, {"id": 2, "used_count": 0}, {"id": 2, "used_count": 1}),
        Change("products.Product", "update", 1, {"id": 1, "stock": 3}, {"id": 1, "stock": 2}),
    ]
    client = own_redis_store.client
    primaries = {client.get_node_from_key(own_redis_store.stats_hash(g)).name for g in ("coupons", "products")}
    with RoundTrips(monkeypatch) as sent:
        assert apply(changes, cause="test")
    assert sent.count == len(primaries)
    assert family_keys(PRODUCT_DETAIL) == [] and family_keys(COUPONS_ACTIVE) == []
