"""Print what a cache hit and a miss cost (Redis round trips, commands Redis ran, SQL queries), the
round trips of clearing every family and of reading the monitor, and the latency a hung Redis adds
per call before and after the circuit breaker opens.

    DEBUG=1 .venv/bin/python -m benchmarks.cache_costs

Runs against a redis-server of its own (started and stopped here); the loader runs one SQL query.
"""

import os
import statistics
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    django.setup()
    import redis
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL
    from shop.cache import all_families
    from shop.cache.store import RedisCacheStore
    from testing.redis_server import RedisServer

    sent = {"count": 0}
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(conn, command, check_health=True):
        sent["count"] += 1
        return original(conn, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = counting

    def loader():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"products": [], "count": 0}

    server = RedisServer().start()
    try:
        timeout = 0.2
        store = RedisCacheStore(
            url=server.url,
            prefix="costs",
            socket_timeout=timeout,
            connect_timeout=timeout,
            cooldown=1.0,
            stampede_wait=2.0,
            lock_ttl=10.0,
        )
        store.read_through(PRODUCTS_ALL, {}, loader)  # scripts loaded, connection open
        store.invalidate("products:all", "measurement")

        for label in ("miss", "hit"):
            before_calls, sent["count"] = server.command_calls(), 0
            with CaptureQueriesContext(connection) as queries:
                result = store.read_through(PRODUCTS_ALL, {}, loader)
            round_trips = sent["count"]
            after_calls = server.command_calls()
            ran = {k: v - before_calls.get(k, 0) for k, v in after_calls.items() if v != before_calls.get(k, 0)}
            ran.pop("info", None)
            assert result.hit == (label == "hit")
            print(
                f"{label}: {round_trips} Redis round trip(s), "
                f"{len(queries)} SQL quer{'y' if len(queries) == 1 else 'ies'}, "
                f"Redis ran {sum(ran.values())} commands {dict(sorted(ran.items()))}"
            )

        def round_trips(operation) -> int:
            sent["count"] = 0
            operation()
            return sent["count"]

        for product_id in range(20):
            store.read_through(PRODUCT_DETAIL, {"id": product_id}, loader)
        families = [f.name for f in all_families()]
        print(
            f"clearing all {len(families)} families: "
            f"{round_trips(lambda: store.invalidate_many(families, 'measurement'))} Redis round trip(s); "
            f"reading the monitor (stats with every family's keys): "
            f"{round_trips(lambda: store.stats(include_keys=True))} round trip(s)"
        )

        server.freeze()
        started = time.perf_counter()
        store.read_through(PRODUCTS_ALL, {}, loader)
        first = time.perf_counter() - started
        open_times = []
        for _ in range(200):
            started = time.perf_counter()
            store.read_through(PRODUCTS_ALL, {}, loader)
            open_times.append(time.perf_counter() - started)
        time.sleep(1.0)
        started = time.perf_counter()
        store.read_through(PRODUCTS_ALL, {}, loader)
        probe = time.perf_counter() - started
        server.thaw()
        print(
            f"Redis hung (SIGSTOP), socket timeout {timeout}s: first call {first * 1000:.0f} ms (breaker closed); "
            f"next 200 calls with the breaker open: median {statistics.median(open_times) * 1e6:.0f} µs, "
            f"max {max(open_times) * 1e6:.0f} µs; one probe per 1 s cool-down: {probe * 1000:.0f} ms"
        )
    finally:
        redis.connection.AbstractConnection.send_packed_command = original
        server.stop()


if __name__ == "__main__":
    main()
