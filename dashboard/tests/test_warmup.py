"""Background warm-up of the dashboard families after writes clear them, debounced."""

import json
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import redis
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.core.cache import cache as django_cache
from django.utils import timezone
from model_bakery import baker

from dashboard import cached
from dashboard.cache_families import (
    DASHBOARD_ACTIVITIES,
    DASHBOARD_REVENUE_CHART,
    DASHBOARD_STATS,
    DASHBOARD_TOP_PRODUCTS,
)
from dashboard.warmup import dashboard_family_warm
from orders.services import order_place
from shop.cache.invalidation import clear_families
from testing.cache import ttl_left
from testing.celery import redis_broker, running_worker, wait_until

DASHBOARD = [DASHBOARD_STATS, DASHBOARD_TOP_PRODUCTS, DASHBOARD_REVENUE_CHART, DASHBOARD_ACTIVITIES]
COMMON_READS = [
    (DASHBOARD_STATS, {}),
    (DASHBOARD_TOP_PRODUCTS, {"limit": 5}),
    (DASHBOARD_REVENUE_CHART, {"days": 7}),
    (DASHBOARD_REVENUE_CHART, {"days": 30}),
    (DASHBOARD_ACTIVITIES, {"limit": 20}),
    (DASHBOARD_ACTIVITIES, {"limit": 10}),
]


def is_cached(family, params) -> bool:
    return ttl_left(family, params) is not None


@pytest.mark.django_db
def test_warming_a_family_fills_its_common_keys():
    for family in DASHBOARD:
        dashboard_family_warm(family=family.name)

    assert all(is_cached(family, params) for family, params in COMMON_READS)
    assert cached.dashboard_stats().hit
    assert cached.dashboard_top_products(limit=5).hit
    assert cached.dashboard_revenue_chart(days=30).hit
    assert cached.dashboard_activities(limit=20).hit


@pytest.mark.django_db
def test_without_a_broker_a_write_does_not_rebuild_inside_the_request(django_capture_on_commit_callbacks):
    clear_families(DASHBOARD, cause="test write")
    assert not any(is_cached(family, params) for family, params in COMMON_READS)


def queued_messages(prefix: str) -> list[dict]:
    client = redis.Redis.from_url(django_settings.REDIS_URL, socket_timeout=2)
    return [json.loads(raw)["headers"] for raw in client.lrange(f"{prefix}celery", 0, -1)]


@pytest.mark.django_db
def test_a_burst_of_clears_queues_one_warm_up_per_family_after_the_window(
    own_redis_store, settings, django_capture_on_commit_callbacks
):
    settings.DASHBOARD_WARMUP_DEBOUNCE = 30
    with redis_broker() as (_app, prefix):
        started = timezone.now()
        for n in range(100):
            clear_families(DASHBOARD, cause=f"order {n} placed")
        messages = queued_messages(prefix)
    django_cache.delete_many([f"warmup:{family.name}" for family in DASHBOARD])

    assert Counter(m["task"] for m in messages) == {"dashboard.tasks.dashboard_family_warm": len(DASHBOARD)}
    assert sorted(m["argsrepr"] for m in messages) == sorted(repr((f.name,)) for f in DASHBOARD)
    for message in messages:
        eta = datetime.fromisoformat(message["eta"])
        assert started + timedelta(seconds=29) <= eta <= timezone.now() + timedelta(seconds=31)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_100_orders_triggers_a_few_rebuilds_and_leaves_the_dashboard_warm(settings, customer, capsys):
    settings.DASHBOARD_WARMUP_DEBOUNCE = window = 1.0
    product = baker.make_recipe("products.product", name="Tea", category="drinks", price=Decimal("3.00"), stock=1000)
    runs: Counter = Counter()
    lock = threading.Lock()

    def count_warm_up(sender=None, args=(), **kwargs):
        if sender.name == "dashboard.tasks.dashboard_family_warm":
            with lock:
                runs[args[0]] += 1

    task_postrun.connect(count_warm_up, weak=False)
    try:
        with redis_broker() as (app, _prefix), running_worker(app):
            started = time.monotonic()
            for _ in range(100):
                order_place(
                    user=customer,
                    items=[{"product_id": product.pk, "quantity": 1}],
                    delivery_address="3 Station Road",
                    payment_method="cash",
                )
            burst = time.monotonic() - started
            warmed = [
                (DASHBOARD_STATS, {}),
                (DASHBOARD_TOP_PRODUCTS, {"limit": 5}),
                (DASHBOARD_ACTIVITIES, {"limit": 20}),
            ]
            assert wait_until(lambda: all(is_cached(f, p) for f, p in warmed), timeout=window + 30)
            time.sleep(window)  # let any last rebuild of the window finish before counting
    finally:
        task_postrun.disconnect(count_warm_up)

    stats = cached.dashboard_stats()
    assert stats.hit, "the next read after the burst is a hit"
    assert stats.data["todayOrders"] == 100, "and the rebuild saw every order of the burst"
    top = cached.dashboard_top_products(limit=5)
    assert top.hit and top.data["products"][0]["totalQuantity"] == 100
    assert cached.dashboard_activities(limit=20).hit

    most = int(burst / window) + 2  # one per window the burst spanned, plus the one after it
    for family in (DASHBOARD_STATS, DASHBOARD_TOP_PRODUCTS, DASHBOARD_ACTIVITIES):
        assert 1 <= runs[family.name] <= most, (family.name, runs, burst)
    with capsys.disabled():
        print(f"\n100 orders in {burst:.2f}s, debounce {window:.0f}s → warm-ups per family: {dict(runs)}")
