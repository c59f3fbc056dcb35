"""Print what the cache costs, counted (Redis round trips, commands Redis ran, SQL statements):

- a hit and a miss of a plain read, and of the full product list (assembled from each product's entry);
- one order placement's invalidation after its commit, and a warm /dashboard/ page;
- clearing every family, reading the monitor;
- the latency a hung Redis adds per call before and after the circuit breaker opens.

    .venv/bin/python -m benchmarks.cache_costs

Runs on a PostgreSQL database of its own (created, seeded small and dropped here) and a redis-server
of its own (started and stopped here).
"""

import os
import statistics
import sys
import time
import uuid

import psycopg

SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def main() -> None:
    name = f"shop_costs_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="1",
        DATABASE_URL=f"{SERVER}/{name}",
        CACHE_KEY_PREFIX="costs",
        SHOP_LOG_LEVEL="WARNING",
    )
    from testing.redis_server import RedisServer

    server = RedisServer().start()
    os.environ["REDIS_URL"] = server.url
    try:
        measure(server)
    finally:
        server.stop()
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def measure(server) -> None:
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from products import cached as product_reads
    from products.models import Product
    from shop import cache
    from shop.cache.invalidation import clear_families
    from shop.cache.redis import Store, use_store
    from shop.models import User

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", orders=300, products=60, users=50, no_progress=True, stdout=quiet)

    sent = {"count": 0}
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(conn, command, check_health=True):
        sent["count"] += 1
        return original(conn, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = counting

    def cost(label: str, operation) -> None:
        before, sent["count"] = server.command_calls(), 0
        with CaptureQueriesContext(connection) as queries:
            operation()
        round_trips = sent["count"]
        after = server.command_calls()
        ran = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
        ran.pop("info", None)
        print(f"{label}: {round_trips} Redis round trip(s), {len(queries)} SQL, Redis ran {sum(ran.values())} commands")
        if os.environ.get("SHOW_SQL"):
            for query in queries:
                print("    ", query["sql"][:160])

    product = Product.objects.filter(is_active=True).first()
    product_reads.product_detail(product_id=product.pk)  # scripts loaded, connections open
    clear_families(cache.all_families(), cause="measurement")
    cost("detail miss", lambda: product_reads.product_detail(product_id=product.pk))
    cost("detail hit", lambda: product_reads.product_detail(product_id=product.pk))
    clear_families(cache.all_families(), cause="measurement")
    cost("full list miss (60 products)", product_reads.product_list_all)
    cost("full list hit", product_reads.product_list_all)
    Product.objects.filter(pk=product.pk).update(stock=7)  # applied after its (auto)commit
    cost("full list after one product's stock changed", product_reads.product_list_all)
    cost("full list hit again", product_reads.product_list_all)

    from orders.services import order_place

    customer = User.objects.get(email="customer@example.com")
    customer.orders.filter(status="pending").update(status="cancelled")
    from shop.cache.outbox import apply_own

    captured = {}

    def place():
        from django.db import transaction

        with transaction.atomic():
            order_place(
                user=customer,
                items=[{"product_id": product.pk, "quantity": max(1, int(20 // product.price) + 1)}],
                delivery_address="1 Main St",
                payment_method="cash",
            )
            connection.run_on_commit.clear()  # measured below, alone
        captured["ok"] = True

    place()
    cost("one order placement's invalidation after its commit", lambda: apply_own(connection))

    admin = User.objects.filter(is_staff=True).first()
    client = Client()
    client.force_login(admin)
    client.get("/dashboard/")
    cost("warm /dashboard/ (session login)", lambda: client.get("/dashboard/"))

    def round_trips(operation) -> int:
        sent["count"] = 0
        operation()
        return sent["count"]

    print(
        f"clearing all {len(cache.all_families())} families: "
        f"{round_trips(lambda: clear_families(cache.all_families(), cause='measurement'))} round trip(s); "
        f"reading the monitor: {round_trips(lambda: cache.stats(include_keys=True))} round trip(s)"
    )

    timeout = 0.2
    store = Store(url=server.url, prefix="costs-hung", socket_timeout=timeout, connect_timeout=timeout, cooldown=1.0)
    with use_store(store):
        product_reads.product_detail(product_id=product.pk)
        server.freeze()
        started = time.perf_counter()
        product_reads.product_detail(product_id=product.pk)
        first = time.perf_counter() - started
        open_times = []
        for _ in range(200):
            started = time.perf_counter()
            product_reads.product_detail(product_id=product.pk)
            open_times.append(time.perf_counter() - started)
        server.thaw()
    print(
        f"Redis hung (SIGSTOP), socket timeout {timeout}s: first call {first * 1000:.0f} ms (breaker closed); "
        f"next 200 calls with the breaker open: median {statistics.median(open_times) * 1e3:.2f} ms "
        f"(the database read), max {max(open_times) * 1e3:.1f} ms"
    )
    redis.connection.AbstractConnection.send_packed_command = original


if __name__ == "__main__":
    sys.exit(main())
