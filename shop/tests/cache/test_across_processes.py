"""API.md's guarantee across real processes: the write is made in one process, the reads in another.

Each test starts gunicorn web processes (A and B: separate processes, one worker each), the relay
(`manage.py cache_relay`) and, where the case asks, a short-lived writer (`manage.py shell -c`),
all on the run's test database and a redis-server of the test's own (testing/processes.py). A read
is stale when it returns a price older than a write that committed before the read was sent. The
bound: fresh at once while Redis answers, within 1 s of Redis answering again after an outage.

The single-process versions of these cases are in test_outbox.py, test_relay.py, test_redis.py and
test_recovery.py.
"""

import signal
import time
from decimal import Decimal

import pytest
from model_bakery import baker
from rest_framework_simplejwt.tokens import RefreshToken

from products.models import Product
from shop.cache.outbox import pending
from testing.postgres import PrivatePostgres, suite_database_url
from testing.processes import AppProcesses, wait_until
from testing.redis_server import RedisServer

# The web processes live for the whole module and remember content-type ids (the activity log's target);
# each test's flush recreates those rows, so the sequences restart and the ids come back the same.
pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, reset_sequences=True)]

BOUND = 1.0  # seconds after Redis answers again (API.md)
OLD, NEW = "2.00", "3.00"


@pytest.fixture
def tea():
    return baker.make_recipe("products.product", name="Tea", price=Decimal(OLD), stock=50)


@pytest.fixture
def staff_token(staff_user):
    """The staff user's access token, for requests to the web processes."""
    return str(RefreshToken.for_user(staff_user).access_token)


@pytest.fixture(scope="module")
def module_redis():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_app(django_db_setup, django_db_blocker, module_redis):
    """Web processes A and B and a relay, started once for the module (each start costs ~2 s of CPU)."""
    with django_db_blocker.unblock():
        url = suite_database_url()
    # A 1 s breaker cool-down (default 5 s) only shortens how long a web process reads the database
    # after an outage; what it serves once it uses Redis again is what these tests check.
    with AppProcesses(
        database_url=url, redis_url=module_redis.url, outlives_flushes=True, CACHE_BREAKER_COOLDOWN="1"
    ) as app:
        app.a, app.b = app.webs(2)
        app.relay_process = app.relay()
        yield app


@pytest.fixture
def redis_server(module_redis):
    """The module's redis-server, running, answering and empty when a test starts (ids start again at 1)."""
    module_redis.client().flushall()
    yield module_redis
    if module_redis.frozen:
        module_redis.thaw()
    if module_redis.process.poll() is not None:
        module_redis.start()


@pytest.fixture
def app(transactional_db, module_app, redis_server):
    def settled():  # every web process uses Redis again (its breaker closed)
        return all(web.get("/api/v1/health").data["cache"] == "ok" for web in (module_app.a, module_app.b))

    assert wait_until(settled, 5, interval=0.1)[0]
    yield module_app
    while len(module_app.started) > 3:  # what the test started itself
        module_app.started.pop().stop()


def key(product) -> str:
    return f"procs:{{products}}:{product.pk}"


def price_via(web, product) -> tuple[str | None, str | None]:
    answer = web.get(f"/api/v1/products/{product.pk}", timeout=5)
    assert answer.status == 200, answer.body
    return answer.data["product"]["price"], answer.headers.get("X-Cache")


def cached_in_b(web, product, price=OLD) -> None:
    """B serves the product from Redis (a HIT with `price`)."""
    price_via(web, product)
    assert price_via(web, product) == (price, "HIT")


def reads_after(web, product, since: float, seconds: float) -> list[tuple[float, str, str]]:
    """Reads through `web` for `seconds`, back to back: (seconds since `since`, price, X-Cache)."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = time.monotonic()
        price, x_cache = price_via(web, product)
        seen.append((round(sent - since, 3), price, x_cache))
    return seen


def assert_fresh_within_bound(reads, *, answered_at: float = 0.0, strict: bool = False) -> None:
    stale = [r for r in reads if r[1] != NEW]
    late = [r for r in stale if r[0] - answered_at > BOUND]
    assert not late, f"stale after the bound: {late[:5]}"
    if strict:
        assert not stale, f"stale reads: {stale[:5]}"
    assert any(r[1:] == (NEW, "HIT") for r in reads), f"caching did not resume: {reads[-3:]}"


def test_redis_restarted_from_its_dump_after_a_write_through_another_process(app, redis_server, tea, staff_token):
    """Case 1: Redis stops; an admin PATCHes through A; Redis comes back from its dump, holding the
    old entry. B never saw the outage (its pooled connection reconnects silently), yet never serves
    it: a new connection is checked (the server's run_id) before anything is served from it."""
    a, b = app.a, app.b
    cached_in_b(b, tea)
    price_via(a, tea)
    redis_server.client().save()  # the dump holds the old entry
    redis_server.kill()

    assert a.patch(f"/api/v1/products/{tea.pk}", {"price": NEW}, token=staff_token).status == 200
    assert pending()["count"] >= 1, "the invalidation waits in the database"

    redis_server.start(keep_data=True)
    answered = time.monotonic()
    reads = reads_after(b, tea, answered, BOUND + 0.3)
    assert_fresh_within_bound(reads, strict=True)
    assert wait_until(lambda: pending()["count"] == 0, 2)[0], "the relay applied the row"


def test_redis_frozen_during_a_write_then_resumed(app, redis_server, tea, staff_token, record_property):
    """Case 2: SIGSTOP while A takes a write (its invalidation times out and waits in the outbox); B,
    whose connection never broke, reads after the resume. Measured: how long until B is fresh."""
    a, b = app.a, app.b
    cached_in_b(b, tea)
    price_via(a, tea)
    redis_server.freeze()
    answer = a.patch(f"/api/v1/products/{tea.pk}", {"price": NEW}, token=staff_token)
    assert answer.status == 200, a.log()[-5000:]
    time.sleep(0.5)  # the relay's probes fail too
    redis_server.thaw()
    answered = time.monotonic()
    reads = reads_after(b, tea, answered, BOUND + 0.3)
    assert_fresh_within_bound(reads)
    first_fresh = next(r[0] for r in reads if r[1] == NEW)
    record_property("seconds_until_fresh_after_resume", first_fresh)
    assert wait_until(lambda: pending()["count"] == 0, 2)[0]


@pytest.mark.parametrize("outage", ["killed, restarted from its dump", "frozen"])
def test_a_price_written_by_a_process_that_exits_while_redis_is_away(app, redis_server, tea, outage):
    """Case 3: `manage.py shell -c` writes while Redis is away and exits; nobody is left who owes the
    invalidation but the outbox. Reads through B after Redis answers again are fresh within the bound."""
    b = app.b
    cached_in_b(b, tea)
    if outage == "frozen":
        redis_server.freeze()
    else:
        redis_server.client().save()
        redis_server.kill()

    wrote = app.run(
        f"from products.models import Product; Product.objects.filter(pk={tea.pk}).update(price='{NEW}')",
        CACHE_SOCKET_TIMEOUT="0.2",
    )
    assert wrote.returncode == 0, wrote.stderr[-2000:]
    assert Product.objects.get(pk=tea.pk).price == 3
    assert pending()["count"] >= 1, "the exited writer's invalidation is in the outbox"

    if outage == "frozen":
        redis_server.thaw()
    else:
        redis_server.start(keep_data=True)
    answered = time.monotonic()
    assert_fresh_within_bound(reads_after(b, tea, answered, BOUND + 0.3))
    assert wait_until(lambda: pending()["count"] == 0, 2)[0]


def test_a_writer_killed_after_its_commit_before_its_apply(app, redis_server, tea, record_property):
    """Case 4: SIGKILL between the commit and the writer's own after-commit apply (Redis answering all
    along). The relay, woken by the commit's NOTIFY, applies it; B is fresh within the bound."""
    b = app.b
    cached_in_b(b, tea)
    writer = app.spawn(
        "import os, signal\n"
        "from django.db import transaction\n"
        "from products.models import Product\n"
        "with transaction.atomic():\n"
        "    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))  # runs before the apply\n"
        f"    Product.objects.filter(pk={tea.pk}).update(price='{NEW}')\n"
    )
    assert writer.process.wait(timeout=30) == -signal.SIGKILL, writer.log()[-2000:]
    died = time.monotonic()
    assert Product.objects.get(pk=tea.pk).price == 3, "the write committed"
    reads = reads_after(b, tea, died, BOUND + 0.3)
    assert_fresh_within_bound(reads)
    record_property("seconds_until_fresh_after_the_kill", next(r[0] for r in reads if r[1] == NEW))
    assert pending()["count"] == 0


def test_two_relays_at_once_lose_nothing_and_apply_everything(app, redis_server):
    """Two relay processes on one outbox (FOR UPDATE SKIP LOCKED): 20 products written by another
    process, each read through B before and after; all fresh, nothing left pending, both alive."""
    teas = baker.make_recipe("products.product", _quantity=20, price=Decimal(OLD), stock=5)
    b = app.b
    relays = [app.relay_process, app.relay()]
    for product in teas:
        cached_in_b(b, product)
    wrote = app.run(
        "from products.models import Product\n"
        f"for pk in {[t.pk for t in teas]}:\n"
        f"    Product.objects.filter(pk=pk).update(price='{NEW}')\n",
        CACHE_ENABLED="0",  # this writer leaves every invalidation to the relays
    )
    assert wrote.returncode == 0, wrote.stderr[-2000:]
    assert wait_until(lambda: pending()["count"] == 0, 5)[0]
    assert [price_via(b, product)[0] for product in teas] == [NEW] * 20
    assert all(relay.alive() for relay in relays)
    assert not any("Traceback" in relay.log() for relay in relays)


@pytest.fixture
def private_postgres():
    pg = PrivatePostgres().init().start()
    yield pg
    pg.destroy()


def test_the_relay_survives_a_postgresql_restart_and_a_redis_outage(transactional_db, private_postgres):
    """A relay on a private PostgreSQL cluster (initdb, pg_ctl) and its own redis-server: the database
    restarts under it, then Redis is away; rows written meanwhile by another program are applied
    (the product's entry deleted from Redis) once both answer again."""
    import psycopg

    tea = baker.make_recipe("products.product", name="Tea", price=Decimal(OLD), stock=50)
    url = private_postgres.copy_database(suite_database_url(), "shop")
    server = RedisServer().start()
    try:
        with AppProcesses(database_url=url, redis_url=server.url) as app:
            relay = app.relay()

            def write(price):
                with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as other:
                    other.execute("UPDATE products_product SET price = %s WHERE id = %s", [price, tea.pk])

            def entry_gone():
                return not server.client().exists(key(tea))

            server.client().set(key(tea), b"an entry from before the write")
            private_postgres.stop("fast")
            time.sleep(1.0)  # the relay's passes fail meanwhile
            private_postgres.start()
            write(NEW)
            assert wait_until(entry_gone, 5)[0], f"not applied after the restart:\n{relay.log()[-2000:]}"

            server.client().set(key(tea), b"an entry from before the write")
            server.freeze()  # away, without losing what it holds
            write("4.00")
            time.sleep(0.5)
            server.thaw()
            assert wait_until(entry_gone, BOUND)[0], f"not applied within 1 s:\n{relay.log()[-2000:]}"
            assert relay.alive()
            assert private_postgres.execute("SELECT count(*) FROM shop_cache_outbox", db="shop") == [(0,)]
    finally:
        server.stop()
