"""Each aggregation against figures worked out by hand from the fixture store (see conftest.py)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from model_bakery import baker

from dashboard import cached, selectors
from dashboard.selectors import (
    dashboard_activities_load,
    dashboard_revenue_chart_load,
    dashboard_stats_load,
    dashboard_top_products_load,
)
from orders.models import Order, Payment

from .clock import SAMPLE_NOW, ny

pytestmark = pytest.mark.django_db


def test_stats_today_in_the_business_timezone(sample_store):
    assert dashboard_stats_load(now=SAMPLE_NOW) == {
        "todayRevenue": "22.00",  # o1 10.00 + o4 12.00 (completed 00:10 today); not o6 (23:59 yesterday)
        "todayOrders": 3,  # o1, o2, o3; not o4 (23:59 yesterday)
        "totalUsers": 2,  # the inactive user is not counted
        "activeOrders": 3,  # o2 pending, o4 preparing, o5 out-for-delivery
        "completedOrders": 1,  # o1
        "cancelledOrders": 1,  # o3
        "lastUpdated": "2026-03-05T15:00:00-05:00",
    }


def test_stats_excludes_refunded_and_failed_payments_from_revenue(sample_store):
    # On 2026-03-03 the only payment is o5's, refunded since; on 03-05 o2's failed 20.00 is not revenue either.
    assert dashboard_stats_load(now=ny(2026, 3, 3, 18, 0))["todayRevenue"] == "0.00"


def test_stats_on_an_empty_store_are_zeros():
    baker.make_recipe("shop.business", timezone="America/New_York")
    stats = dashboard_stats_load(now=SAMPLE_NOW)
    assert stats["todayRevenue"] == "0.00"
    assert [stats[k] for k in ("todayOrders", "totalUsers", "activeOrders", "completedOrders", "cancelledOrders")] == [
        0,
        0,
        0,
        0,
        0,
    ]


def test_top_products_rank_by_quantity_then_revenue_without_cancelled_orders(sample_store):
    products = sample_store["products"]
    expected = [
        (products["A"].id, "Apple", "fruit", 3, "15.00"),  # o3's 5 cancelled apples are not counted
        (products["C"].id, "Cheese", "dairy", 3, "12.00"),  # same quantity as Apple, less revenue
        (products["E"].id, "Eggs", "dairy", 2, "100.00"),
        (products["B"].id, "Bread", "bakery", 2, "40.00"),
    ]
    rows = dashboard_top_products_load(limit=50)["products"]
    assert [
        (r["product_id"], r["name"], r["category"], r["totalQuantity"], r["totalRevenue"]) for r in rows
    ] == expected
    # Dates were only ever bought in a cancelled order.
    assert products["D"].id not in {r["product_id"] for r in rows}


def test_top_products_respects_the_limit(sample_store):
    rows = dashboard_top_products_load(limit=2)["products"]
    assert [r["name"] for r in rows] == ["Apple", "Cheese"]


def test_revenue_chart_has_one_row_per_day_with_zero_days(sample_store):
    chart = dashboard_revenue_chart_load(days=7, now=SAMPLE_NOW)["chart"]
    assert chart == [
        {"date": "2026-02-27", "revenue": "1.00", "count": 1},  # completed at local midnight: counts that day
        {"date": "2026-02-28", "revenue": "0.00", "count": 0},
        {"date": "2026-03-01", "revenue": "0.00", "count": 0},
        {"date": "2026-03-02", "revenue": "0.00", "count": 0},
        {"date": "2026-03-03", "revenue": "0.00", "count": 0},  # o5's payment was refunded
        {"date": "2026-03-04", "revenue": "5.00", "count": 1},  # 23:59 local is 04:59 UTC the next day
        {"date": "2026-03-05", "revenue": "22.00", "count": 2},
    ]


def test_revenue_chart_of_one_day_is_today(sample_store):
    assert dashboard_revenue_chart_load(days=1, now=SAMPLE_NOW)["chart"] == [
        {"date": "2026-03-05", "revenue": "22.00", "count": 2}
    ]


def test_an_order_placed_at_2359_local_counts_on_that_day():
    baker.make_recipe("shop.business", timezone="America/New_York")
    order = baker.make_recipe(
        "orders.order",
        user=baker.make_recipe("shop.customer", email="late@example.test"),
        created_at=ny(2026, 3, 5, 23, 59),
        status=Order.Status.PENDING,
        subtotal=Decimal("3.50"),
        total=Decimal("3.50"),
    )
    milk = baker.make_recipe("products.product", name="Milk", category="dairy")
    baker.make_recipe(
        "orders.order_item",
        order=order,
        product=milk,
        name="Milk",
        unit_price=Decimal("3.50"),
        quantity=1,
        line_total=Decimal("3.50"),
    )
    baker.make_recipe(
        "orders.payment",
        order=order,
        amount=Decimal("3.50"),
        status=Payment.Status.COMPLETED,
        completed_at=ny(2026, 3, 5, 23, 59, 30),
    )

    late_that_night = dashboard_stats_load(now=ny(2026, 3, 5, 23, 59, 45))
    assert (late_that_night["todayOrders"], late_that_night["todayRevenue"]) == (1, "3.50")
    next_morning = dashboard_stats_load(now=ny(2026, 3, 6, 8, 0))
    assert (next_morning["todayOrders"], next_morning["todayRevenue"]) == (0, "0.00")
    assert dashboard_revenue_chart_load(days=2, now=ny(2026, 3, 6, 8, 0))["chart"] == [
        {"date": "2026-03-05", "revenue": "3.50", "count": 1},
        {"date": "2026-03-06", "revenue": "0.00", "count": 0},
    ]


def _paid_order(user, product, completed_at, amount):
    """A delivered order of one `product` at `amount`, placed and paid at `completed_at`."""
    order = baker.make_recipe(
        "orders.order",
        user=user,
        created_at=completed_at,
        status=Order.Status.DELIVERED,
        subtotal=amount,
        total=amount,
    )
    baker.make_recipe(
        "orders.order_item",
        order=order,
        product=product,
        name=product.name,
        unit_price=amount,
        quantity=1,
        line_total=amount,
    )
    baker.make_recipe(
        "orders.payment", order=order, amount=amount, status=Payment.Status.COMPLETED, completed_at=completed_at
    )


def test_chart_days_start_at_local_midnight_across_spring_forward():
    """2026-03-08 in New York has 23 hours (02:00 EST → 03:00 EDT)."""
    baker.make_recipe("shop.business", timezone="America/New_York")
    user = baker.make_recipe("shop.customer", email="dst@example.test")
    product = baker.make_recipe("products.product", name="Tea", category="drinks")
    _paid_order(user, product, ny(2026, 3, 7, 23, 30), Decimal("1.00"))  # EST: 04:30 UTC on 03-08
    _paid_order(user, product, ny(2026, 3, 8, 0, 30), Decimal("2.00"))  # EST
    _paid_order(user, product, ny(2026, 3, 8, 23, 30), Decimal("4.00"))  # EDT: 03:30 UTC on 03-09
    _paid_order(user, product, ny(2026, 3, 9, 0, 30), Decimal("8.00"))  # EDT: 04:30 UTC on 03-09

    chart = dashboard_revenue_chart_load(days=3, now=ny(2026, 3, 9, 12, 0))["chart"]
    assert chart == [
        {"date": "2026-03-07", "revenue": "1.00", "count": 1},
        {"date": "2026-03-08", "revenue": "6.00", "count": 2},
        {"date": "2026-03-09", "revenue": "8.00", "count": 1},
    ]
    assert dashboard_stats_load(now=ny(2026, 3, 8, 23, 45))["todayRevenue"] == "6.00"


def test_chart_days_start_at_local_midnight_across_fall_back():
    """2026-11-01 in New York has 25 hours (02:00 EDT → 01:00 EST)."""
    baker.make_recipe("shop.business", timezone="America/New_York")
    user = baker.make_recipe("shop.customer", email="dst@example.test")
    product = baker.make_recipe("products.product", name="Tea", category="drinks")
    _paid_order(user, product, ny(2026, 10, 31, 23, 30), Decimal("1.00"))  # EDT: 03:30 UTC on 11-01
    _paid_order(user, product, ny(2026, 11, 1, 0, 30), Decimal("2.00"))  # EDT: 04:30 UTC on 11-01
    _paid_order(
        user, product, ny(2026, 11, 1, 23, 30), Decimal("4.00")
    )  # EST: 04:30 UTC on 11-02, 24.5 h after midnight
    _paid_order(user, product, ny(2026, 11, 2, 0, 30), Decimal("8.00"))  # EST: 05:30 UTC on 11-02

    chart = dashboard_revenue_chart_load(days=3, now=ny(2026, 11, 2, 12, 0))["chart"]
    assert chart == [
        {"date": "2026-10-31", "revenue": "1.00", "count": 1},
        {"date": "2026-11-01", "revenue": "6.00", "count": 2},
        {"date": "2026-11-02", "revenue": "8.00", "count": 1},
    ]
    assert dashboard_stats_load(now=ny(2026, 11, 1, 23, 45))["todayRevenue"] == "6.00"


def test_without_a_business_row_days_follow_settings_time_zone(settings):
    settings.TIME_ZONE = "UTC"
    user = baker.make_recipe("shop.customer", email="utc@example.test")
    product = baker.make_recipe("products.product", name="Tea", category="drinks")
    _paid_order(user, product, ny(2026, 3, 5, 21, 0), Decimal("7.00"))  # 02:00 UTC on 03-06
    now = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    assert selectors.business_timezone().key == "UTC"
    assert dashboard_stats_load(now=now)["todayRevenue"] == "7.00"


def test_activities_newest_first_with_user_email_or_null():
    baker.make_recipe("shop.business", timezone="America/New_York")
    alice = baker.make_recipe("shop.customer", email="alice@example.test")
    first = baker.make_recipe(
        "shop.activity",
        action="order.placed",
        description="order.placed happened",
        user=alice,
        created_at=ny(2026, 3, 5, 9, 0),
    )
    second = baker.make_recipe(
        "shop.activity",
        action="product.updated",
        description="product.updated happened",
        created_at=ny(2026, 3, 5, 10, 0),
    )
    third = baker.make_recipe(
        "shop.activity",
        action="order.cancelled",
        description="order.cancelled happened",
        user=alice,
        created_at=ny(2026, 3, 5, 11, 0),
    )

    activities = dashboard_activities_load(limit=2)["activities"]
    assert [(a["id"], a["action"], a["user"]) for a in activities] == [
        (third.id, "order.cancelled", "alice@example.test"),
        (second.id, "product.updated", None),
    ]
    assert activities[0]["description"] == "order.cancelled happened"
    assert datetime.fromisoformat(activities[0]["created_at"]) == ny(2026, 3, 5, 11, 0)
    assert first.id not in {a["id"] for a in activities}


@pytest.mark.parametrize(
    "call",
    [
        lambda: cached.dashboard_top_products(limit=0),
        lambda: cached.dashboard_top_products(limit=51),
        lambda: cached.dashboard_activities(limit=True),
        lambda: cached.dashboard_revenue_chart(days=91),
        lambda: cached.dashboard_revenue_chart(days="7"),
    ],
)
def test_selectors_refuse_parameters_outside_the_bounded_key_space(call):
    with pytest.raises(ValueError):
        call()
