"""`manage.py cache_monitor`: Redis status, memory and every cache family with its keys, TTLs left and counters."""

import io

from django.core.management import call_command

from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL
from shop import cache
from testing.cache import read


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_cache_monitor_shows_redis_families_keys_ttls_and_counters(db, own_redis_store):
    read(PRODUCTS_ALL, {}, lambda: {"products": []})
    read(PRODUCTS_ALL, {}, lambda: {"products": []})
    read(PRODUCT_DETAIL, {"id": 42}, lambda: {"product": {}})
    cache.clear("coupons:active", cause="test")

    report = run("cache_monitor")

    assert "status up" in report and "version 7." in report and "memory " in report
    rows = {line.split()[0]: line.split() for line in report.splitlines() if line.startswith(("products:", "coupons:"))}
    #              family          ttl   keys hits misses rate    invalidations errors
    assert rows["products:all"] == ["products:all", "3600s", "1", "1", "1", "50.0%", "0", "0"]
    assert rows["coupons:active"][6] == "1"
    assert "products:42" in report
    key_line = next(line for line in report.splitlines() if line.strip().startswith("products:42"))
    assert int(key_line.split("TTL left ")[1].rstrip("s")) > 3500


def test_cache_monitor_reports_a_down_redis_without_failing(db, redis_server, own_redis_store):
    redis_server.kill()
    report = run("cache_monitor")
    assert "status down" in report and "breaker open" in report
    assert "outbox: 0 invalidation(s) pending" in report


def test_cache_monitor_watch_refreshes(db, own_redis_store):
    report = run("cache_monitor", "--watch", "0.01", "--iterations", "3")
    assert report.count("status up") == 3
