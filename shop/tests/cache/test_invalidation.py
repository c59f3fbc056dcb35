"""From changed rows to stale keys (shop/cache/invalidation.py): one mapping for every path, as narrow
as each family declares, one round trip per batch, and cheap whatever else Redis holds."""

import time

import pytest

from dashboard.cache_families import DASHBOARD_ACTIVITIES, DASHBOARD_STATS, DASHBOARD_TOP_PRODUCTS
from orders.cache_families import COUPONS_ACTIVE
from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL, PRODUCTS_FILTER
from products.filters import product_filter_digest
from shop import cache
from shop.cache import Change
from shop.cache.invalidation import apply, clear_families, plan_for
from shop.cache.redis import get_store
from testing.cache import RoundTrips, family_keys, read

PRODUCT = {"id": 1, "name": "Tea", "description": "", "category": "drinks", "price": 2.5, "stock": 4, "is_active": True}


def product_change(op="update", old=None, new=None) -> Change:
    return Change("products.Product", op, 1, old, new)


def planned(*changes: Change) -> tuple[set[str], set[str], set[str]]:
    """(families cleared whole, single keys, families looked into by tag) of a batch."""
    plan = plan_for(get_store(), changes)
    store = get_store()
    return (
        {f.name for f in plan.whole},
        {store.logical(key) for key in plan.keys},
        {family.name for family, _ in plan.tagged},
    )


def test_a_stock_change_makes_its_product_stale_and_looks_into_the_lists_it_may_be_in():
    whole, keys, tagged = planned(product_change(old=PRODUCT, new=PRODUCT | {"stock": 3}))
    assert keys == {"products:1"}  # its entry, which every list showing it is assembled from
    # The full list still shows the same products in the same order; with 4 or 3 left the product is on
    # the dashboard's low-stock list.
    assert whole == {"dashboard:period-products"}
    assert tagged == {"products:filter"}  # the lists ordered by stock: decided by their params


def test_a_stock_change_of_a_well_stocked_product_leaves_the_low_stock_panel_alone():
    stocked = PRODUCT | {"stock": 50}
    whole, _, _ = planned(product_change(old=stocked, new=stocked | {"stock": 40}))
    assert whole == set()
    whole, _, _ = planned(product_change(old=stocked, new=stocked | {"stock": 5}))  # now to be restocked
    assert whole == {"dashboard:period-products"}


def test_an_inactive_product_that_stays_inactive_leaves_the_full_list_alone():
    hidden = PRODUCT | {"is_active": False}
    whole, keys, _ = planned(product_change(old=hidden, new=hidden | {"price": 9}))
    assert keys == {"products:1"} and "products:all" not in whole


def test_an_order_without_a_coupon_leaves_coupons_active_alone():
    order = {"id": 3, "status": "pending", "created_at": "2026-11-26T10:00:00Z", "coupon_id": None}
    whole, keys, _ = planned(
        Change("orders.Order", "insert", 3, None, order),
        Change("orders.OrderItem", "insert", 8, None, {"id": 8, "order_id": 3, "quantity": 1}),
        product_change(old=PRODUCT, new=PRODUCT | {"stock": 3}),
    )
    assert COUPONS_ACTIVE.name not in whole
    assert {DASHBOARD_STATS.name, DASHBOARD_TOP_PRODUCTS.name} <= whole


def test_a_payment_status_of_an_order_alone_does_not_touch_todays_stats():
    order = {"id": 3, "status": "pending", "payment_status": "unpaid", "created_at": "2026-11-26T10:00:00Z"}
    whole, _, _ = planned(Change("orders.Order", "update", 3, order, order | {"payment_status": "paid"}))
    assert DASHBOARD_STATS.name not in whole


def test_cache_housekeeping_stays_out_of_the_activity_feed():
    cleared = {"id": 9, "action": "cache.cleared", "description": "Cache cleared", "user_id": None}
    placed = cleared | {"action": "order.placed"}
    assert DASHBOARD_ACTIVITIES.name not in planned(Change("shop.Activity", "insert", 9, None, cleared))[0]
    assert DASHBOARD_ACTIVITIES.name in planned(Change("shop.Activity", "insert", 9, None, placed))[0]


def test_a_truncate_clears_every_family_of_the_table():
    whole, _, _ = planned(Change("products.Product", "truncate", None, None, None))
    assert {PRODUCT_DETAIL.name, PRODUCTS_ALL.name, PRODUCTS_FILTER.name} <= whole


def test_filtered_lists_are_cleared_only_when_the_change_can_alter_them():
    lists = {
        "drinks by stock": {"category": "drinks", "ordering": "stock", "page": 1, "page_size": 20},
        "food by stock": {"category": "food", "ordering": "stock", "page": 1, "page_size": 20},
        "drinks by name": {"category": "drinks", "ordering": "name", "page": 1, "page_size": 20},
        "drinks in stock": {"category": "drinks", "in_stock": "true", "ordering": "name", "page": 1, "page_size": 20},
    }
    for params in lists.values():
        read(PRODUCTS_FILTER, {"digest": product_filter_digest(params)}, lambda: {"products": []}, tag_params=params)

    def left() -> set[str]:
        return {entry["key"] for entry in family_keys(PRODUCTS_FILTER)}

    def key(name: str) -> str:
        return f"products:filter:{product_filter_digest(lists[name])}"

    assert apply([product_change(old=PRODUCT, new=PRODUCT | {"stock": 3})], cause="test")
    assert left() == {key("food by stock"), key("drinks by name"), key("drinks in stock")}, "its order changed"

    assert apply([product_change(old=PRODUCT | {"stock": 3}, new=PRODUCT | {"stock": 0})], cause="test")
    assert left() == {key("food by stock"), key("drinks by name")}, "it left the in-stock list"


def test_one_batch_is_one_round_trip_when_no_tag_set_must_be_read(own_redis_store, monkeypatch):
    clear_families([COUPONS_ACTIVE], cause="loads the script")
    read(PRODUCT_DETAIL, {"id": 1}, lambda: {"product": {}})
    read(COUPONS_ACTIVE, {}, lambda: {"coupons": []})
    changes = [
        Change("orders.Coupon", "update", 2, {"id": 2, "used_count": 0}, {"id": 2, "used_count": 1}),
        Change("shop.Activity", "insert", 5, None, {"id": 5, "action": "order.placed"}),
        Change(
            "products.Product", "update", 1, PRODUCT | {"is_active": False}, PRODUCT | {"is_active": False, "stock": 2}
        ),
    ]
    with RoundTrips(monkeypatch) as sent:
        assert apply(changes, cause="test")
    assert sent.count == 1
    assert family_keys(PRODUCT_DETAIL) == [] and family_keys(COUPONS_ACTIVE) == []


def test_clear_takes_a_family_a_group_or_all():
    assert cache.clear("products:all", cause="t")[0] == ["products:all"]
    assert sorted(cache.clear("products", cause="t")[0]) == ["products:all", "products:detail", "products:filter"]
    assert len(cache.clear("all", cause="t")[0]) == len(cache.all_families())
    assert cache.clear("nonsense", cause="t") == ([], True)


def test_every_clearing_path_says_which_families_it_cleared(db, django_capture_on_commit_callbacks):
    from model_bakery import baker

    heard = []

    def listener(sender, family, cause, **kwargs):
        heard.append((family, cause))

    cache.family_invalidated.connect(listener)
    try:
        cache.clear("coupons:active", cause="by hand")
        with django_capture_on_commit_callbacks(execute=True):
            baker.make_recipe("orders.coupon", code="X1")
    finally:
        cache.family_invalidated.disconnect(listener)
    assert ("coupons:active", "by hand") in heard
    assert ("coupons:active", "write") in heard


def test_clearing_removes_every_key_of_the_family_and_nothing_else(own_redis_store, redis_server):
    for n in range(1, 4):
        read(PRODUCT_DETAIL, {"id": n}, lambda: {"product": {}})
    read(PRODUCTS_ALL, {}, lambda: {"products": []})
    assert clear_families([PRODUCT_DETAIL], cause="test")
    client = redis_server.client()
    assert [key for key in client.keys("faults:{products}:*") if b"_" not in key] == [b"faults:{products}:all"]
    assert family_keys(PRODUCT_DETAIL) == []


def test_clearing_a_family_costs_the_same_among_a_million_unrelated_keys(own_redis_store, redis_server):
    client = redis_server.client()
    for n in range(1, 101):
        read(PRODUCT_DETAIL, {"id": n}, lambda: {"product": {}})

    def clear_cost() -> dict:
        before = redis_server.command_calls()
        started = time.perf_counter()
        clear_families([PRODUCT_DETAIL], cause="test")
        elapsed = time.perf_counter() - started
        after = redis_server.command_calls()
        return {
            "commands": {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)},
            "s": elapsed,
        }

    clear_cost()  # loads the script
    for n in range(1, 101):
        read(PRODUCT_DETAIL, {"id": n}, lambda: {"product": {}})
    small = clear_cost()
    client.execute_command("DEBUG", "POPULATE", 1_000_000, "unrelated")
    for n in range(1, 101):
        read(PRODUCT_DETAIL, {"id": n}, lambda: {"product": {}})
    large = clear_cost()

    small["commands"].pop("info"), large["commands"].pop("info")
    assert large["commands"] == small["commands"], "the same commands, whatever else Redis holds"
    assert not {"keys", "scan"} & set(large["commands"])
    assert client.dbsize() >= 1_000_000


@pytest.mark.parametrize("label", sorted({rows.model for f in cache.all_families() for rows in f.depends_on}))
def test_every_model_a_family_depends_on_is_installed(label):
    from django.apps import apps

    assert apps.get_model(label)
