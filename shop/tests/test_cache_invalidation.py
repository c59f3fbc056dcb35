"""Clearing on write: receivers connected from the declarations, on commit only, services'
explicit invalidation, the family_invalidated signal, and what a clear costs at any size."""

import logging
import time

import pytest
from django.apps import apps
from django.db import transaction
from model_bakery import baker

from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL
from shop import cache

DECLARED_PAIRS = sorted((f.name, label) for f in cache.all_families() for label in f.clears_on)
FAMILY_PARAMS = {
    "products:detail": {"id": 1},
    "products:filter": {"digest": "abc"},
    "dashboard:top-products": {"limit": 5},
    "dashboard:revenue-chart": {"days": 7},
    "dashboard:activities": {"limit": 20},
}


def fill(family_name: str) -> None:
    family = cache.get_family(family_name)
    cache.read_through(family, FAMILY_PARAMS.get(family_name, {}), lambda: {"cached": family_name})


def is_cached(family_name: str) -> bool:
    family = cache.get_family(family_name)
    return cache.read_through(family, FAMILY_PARAMS.get(family_name, {}), lambda: {"reloaded": True}).hit


def make(label: str):
    model = apps.get_model(label)
    if label == "products.Product":
        return baker.make(model, price="3.00", stock=2)
    if label == "orders.Coupon":
        return baker.make(model, discount_type="percent", value="10.00")
    if label == "shop.Business":
        return model.objects.first() or baker.make(model)
    return baker.make(model)


def test_every_model_a_family_names_has_its_receivers():
    from django.db.models.signals import post_delete, post_save

    for _, label in DECLARED_PAIRS:
        model = apps.get_model(label)
        assert post_save.has_listeners(model) and post_delete.has_listeners(model), label


@pytest.mark.django_db
@pytest.mark.parametrize(("family_name", "label"), DECLARED_PAIRS)
def test_a_save_of_a_declared_model_clears_the_family_after_commit(
    family_name, label, django_capture_on_commit_callbacks
):
    fill(family_name)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        instance = make(label)
        instance.save()
    assert is_cached(family_name), "cleared before the transaction committed"

    for callback in callbacks:
        callback()
    assert not is_cached(family_name)


@pytest.mark.django_db
def test_a_delete_clears_and_unrelated_families_stay(django_capture_on_commit_callbacks):
    product = make("products.Product")
    for name in ("products:all", "products:detail", "coupons:active"):
        fill(name)
    with django_capture_on_commit_callbacks(execute=True):
        product.delete()
    assert not is_cached("products:all")
    assert not is_cached("products:detail")
    assert is_cached("coupons:active")


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_clears_nothing_committed_write_clears():
    from products.models import Product

    product = make("products.Product")
    fill("products:all")

    with pytest.raises(RuntimeError), transaction.atomic():
        product.stock = 99
        product.save()
        raise RuntimeError("payment failed")
    assert is_cached("products:all")
    assert Product.objects.get(pk=product.pk).stock == 2

    with transaction.atomic():
        product.stock = 5
        product.save()
        assert is_cached("products:all"), "cleared inside the transaction"
    assert not is_cached("products:all")


@pytest.mark.django_db(transaction=True)
def test_writes_signals_cannot_see_are_cleared_by_invalidate_models_on_commit():
    from django.db.models import F

    from products.models import Product

    product = make("products.Product")
    for name in ("products:all", "products:detail", "products:filter", "coupons:active"):
        fill(name)

    with pytest.raises(RuntimeError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=F("stock") - 1)
        cache.invalidate_models_on_commit(Product, cause="order placed")
        raise RuntimeError("rolled back")
    assert is_cached("products:all")

    with transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=F("stock") - 1)
        cache.invalidate_models_on_commit(Product, cause="order placed")
        assert is_cached("products:all")
    assert not any(is_cached(name) for name in ("products:all", "products:detail", "products:filter"))
    assert is_cached("coupons:active")


@pytest.mark.django_db
def test_invalidate_families_on_commit_accepts_families_and_names_and_signals_each(
    django_capture_on_commit_callbacks, caplog
):
    received = []

    def failing_listener(sender, family, cause, **kwargs):
        raise RuntimeError("warm-up broke")

    def listener(sender, family, cause, **kwargs):
        received.append((family, cause))

    cache.family_invalidated.connect(failing_listener)
    cache.family_invalidated.connect(listener)
    try:
        fill("products:all")
        fill("coupons:active")
        with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.INFO, "shop.cache"):
            cache.invalidate_families_on_commit([PRODUCTS_ALL, "coupons:active"], cause="bulk import")
    finally:
        cache.family_invalidated.disconnect(failing_listener)
        cache.family_invalidated.disconnect(listener)

    assert received == [("coupons:active", "bulk import"), ("products:all", "bulk import")]
    assert not is_cached("products:all") and not is_cached("coupons:active")
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("products:all" in m and "bulk import" in m for m in infos)


def test_clear_takes_a_family_a_group_or_all():
    for name in ("products:all", "products:detail", "coupons:active"):
        fill(name)
    assert cache.clear("products:detail") == ["products:detail"]
    assert is_cached("products:all") and not is_cached("products:detail")

    fill("products:detail")
    assert set(cache.clear("products")) == {"products:all", "products:detail", "products:filter"}
    assert not is_cached("products:all") and is_cached("coupons:active")

    assert len(cache.clear("all")) == len(cache.all_families())
    assert not is_cached("coupons:active")
    assert cache.clear("no-such-family") == []


def test_clearing_removes_every_key_of_the_family(own_redis_store, redis_server):
    for product_id in range(1, 51):
        cache.read_through(PRODUCT_DETAIL, {"id": product_id}, lambda: {"product": {}})
    assert len(own_redis_store.family_keys(PRODUCT_DETAIL)) == 50
    cache.clear("products:detail")
    assert own_redis_store.family_keys(PRODUCT_DETAIL) == []
    assert redis_server.client().keys("faults:products:*") == []


def _invalidation_footprint(store, server) -> tuple[dict, set, int]:
    """Fill products:detail with three keys, clear it, and return the commands Redis ran for the
    clear (INFO commandstats delta), the keys it touched (keyspace notifications) and how many
    keys fewer the database holds afterwards."""
    for product_id in (1, 2, 3):
        store.read_through(PRODUCT_DETAIL, {"id": product_id}, lambda: {"product": {}})
    watcher = server.client().pubsub()
    watcher.psubscribe("__keyspace@0__:*")
    watcher.get_message(timeout=1)
    size = server.client().dbsize()
    before = server.command_calls()
    store.invalidate("products:detail", "size test")
    after = server.command_calls()
    removed = size - server.client().dbsize()
    touched = set()
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        message = watcher.get_message(timeout=0.2)
        if message and message["type"] == "pmessage":
            touched.add(message["channel"].decode().split(":", 1)[1])
    watcher.close()
    delta = {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}
    delta.pop("info")
    delta.pop("dbsize", None)
    return delta, touched, removed


def test_clearing_a_family_costs_the_same_among_a_million_unrelated_keys(own_redis_store, redis_server):
    admin = redis_server.client()
    admin.config_set("notify-keyspace-events", "KA")
    admin.execute_command("DEBUG", "POPULATE", 100, "unrelated")
    own_redis_store.invalidate("products:detail", "loads the script")
    small_delta, small_touched, small_removed = _invalidation_footprint(own_redis_store, redis_server)

    admin.execute_command("DEBUG", "POPULATE", 1_000_000, "unrelated")
    assert admin.dbsize() > 1_000_000
    large_delta, large_touched, large_removed = _invalidation_footprint(own_redis_store, redis_server)

    assert "keys" not in large_delta and "scan" not in large_delta
    assert large_delta == small_delta
    assert (
        large_touched
        == small_touched
        == {
            "faults:products:1",
            "faults:products:2",
            "faults:products:3",
            "faults:_cache:index:products:detail",
            "faults:_cache:gen:products:detail",
            "faults:_cache:stats",
        }
    )
    assert large_removed == small_removed == 4  # three entries and their index; every unrelated key stays
    assert own_redis_store.stats()["families"]["products:detail"]["invalidations"] == 3
