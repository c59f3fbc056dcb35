"""Several web hosts (testing/netns.py): three network namespaces with addresses of their own on a private
bridge, gunicorn in each, behind one round-robin balancer; the relay on host 1; PostgreSQL (a private
cluster holding a copy of the run's test database) and a redis-server listening on the bridge. Where
namespaces can't be made, the hosts are processes on loopback with ports of their own.

A price written through one host is what every other host, and the balancer, serves at once.
"""

from decimal import Decimal

import pytest
from model_bakery import baker
from rest_framework_simplejwt.tokens import RefreshToken

from testing.netns import Balancer, Hosts
from testing.postgres import PrivatePostgres, suite_database_url
from testing.processes import AppProcesses, Web, http
from testing.redis_server import RedisServer

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hosts():
    made = Hosts.make(3)
    yield made
    made.destroy()


def test_a_write_through_one_host_is_what_every_host_serves_at_once(hosts, staff_user):
    token = str(RefreshToken.for_user(staff_user).access_token)
    tea = baker.make_recipe("products.product", name="Tea", price=Decimal("2.00"), stock=50, category="drinks")
    pg = PrivatePostgres(host=hosts.services_address).init().start()
    server = RedisServer(host=hosts.services_address).start()
    balancer = None
    try:
        url = pg.copy_database(suite_database_url(), "shop")
        with AppProcesses(database_url=url, redis_url=server.url) as app:
            webs = [Web(h.name, app.env, host=h.address, netns=h.netns) for h in hosts.hosts]
            app.started += webs
            for web in webs:
                web.wait_ready()
            app.relay()
            balancer = Balancer([(web.host, web.port) for web in webs]).start()
            path = f"/api/v1/products/{tea.pk}"
            for web in webs:  # every host has the entry cached
                web.get(path)
                assert web.get(path).headers["X-Cache"] == "HIT"

            for n, writer in enumerate(webs * 2):
                price = f"3.{n:02d}"
                assert writer.patch(path, {"price": price}, token=token).status == 200
                for reader in webs:
                    assert reader.get(path).data["product"]["price"] == price, f"{reader.name} after {writer.name}"
                through = http("127.0.0.1", balancer.port, "GET", path)
                assert through.data["product"]["price"] == price
            if hosts.namespaces:
                assert len({web.host for web in webs}) == 3, "three addresses, three network stacks"
    finally:
        if balancer is not None:
            balancer.stop()
        server.stop()
        pg.destroy()
