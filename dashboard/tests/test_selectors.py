"""The dashboard's loaders (dashboard.selectors) against figures worked out by hand from the fixture store
(see conftest.py: "now" is Thursday 2026-03-05 15:00 in New York): the API's aggregations, the page's
period panels, and what each costs in queries."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from model_bakery import baker

from dashboard import selectors
from dashboard.periods import Period
from dashboard.selectors import (
    dashboard_activities_load,
    dashboard_period_activity_load,
    dashboard_period_products_load,
    dashboard_period_sales_load,
    dashboard_revenue_chart_load,
    dashboard_stats_load,
    dashboard_top_products_load,
)
from orders.models import Order, OrderItem, Payment
from products.models import Product
from shop.models import Activity
from testing.orders import order_with_lines

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
    order = order_with_lines([(product, 1, amount)], user=user, created_at=completed_at, status=Order.Status.DELIVERED)
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


# The dashboard page's period panels.

TODAY = date(2026, 3, 5)
LAST_7 = Period.ending(days=7, today=TODAY)  # 02-27 .. 03-05; the previous one is 02-20 .. 02-26


def test_sales_of_the_last_seven_days_and_of_the_seven_before(sample_store):
    sales = dashboard_period_sales_load(period=LAST_7)
    assert sales["current"] == {
        "first": "2026-02-27",
        "last": "2026-03-05",
        "revenue": "28.00",  # o8 1.00 (02-27 00:00) + o6 5.00 (03-04 23:59) + o1 10.00 + o4 12.00; not o5 (refunded)
        "payments": 4,
        "orders": 7,  # o1..o6 and o8 were placed in these days; o7 on 02-26
        "delivered": 3,  # o1, o6, o8
        "cancelled": 1,  # o3
    }
    assert sales["previous"] == {
        "first": "2026-02-20",
        "last": "2026-02-26",
        "revenue": "99.00",  # o7, completed 02-26 23:59 local
        "payments": 1,
        "orders": 1,
        "delivered": 1,
        "cancelled": 0,
    }
    assert sales["chart"] == [
        {"date": "2026-02-27", "revenue": "1.00", "count": 1},
        {"date": "2026-02-28", "revenue": "0.00", "count": 0},
        {"date": "2026-03-01", "revenue": "0.00", "count": 0},
        {"date": "2026-03-02", "revenue": "0.00", "count": 0},
        {"date": "2026-03-03", "revenue": "0.00", "count": 0},
        {"date": "2026-03-04", "revenue": "5.00", "count": 1},
        {"date": "2026-03-05", "revenue": "22.00", "count": 2},
    ]


def test_sales_of_a_custom_range_in_the_past(sample_store):
    sales = dashboard_period_sales_load(period=Period(first=date(2026, 3, 3), last=date(2026, 3, 4)))
    # 03-03..03-04: o6's 5.00; orders o4 (03-04 23:59), o5 and o6. Before it, 03-01..03-02: nothing.
    assert (sales["current"]["revenue"], sales["current"]["payments"], sales["current"]["orders"]) == ("5.00", 1, 3)
    assert (sales["previous"]["revenue"], sales["previous"]["orders"]) == ("0.00", 0)
    assert [row["date"] for row in sales["chart"]] == ["2026-03-03", "2026-03-04"]


def test_top_products_of_the_period_by_sales_and_by_units(sample_store):
    p = sample_store["products"]
    data = dashboard_period_products_load(period=LAST_7)
    # Not cancelled, placed 02-27..03-05: o1 A×2 10.00, o2 B×1 20.00, o4 C×3 12.00, o5 B×1 20.00, o6 A×1 5.00,
    # o8 E×1 1.00. Dates (D) were only in the cancelled o3; o7's eggs were placed on 02-26.
    rows = {
        name: [(r["name"], r["units"], r["sales"], r["orders"]) for r in data[name]] for name in ("bySales", "byUnits")
    }
    assert rows["bySales"] == [
        ("Bread", 2, "40.00", 2),
        ("Apple", 3, "15.00", 2),
        ("Cheese", 3, "12.00", 1),
        ("Eggs", 1, "1.00", 1),
    ]
    assert rows["byUnits"] == [
        ("Apple", 3, "15.00", 2),
        ("Cheese", 3, "12.00", 1),
        ("Bread", 2, "40.00", 2),
        ("Eggs", 1, "1.00", 1),
    ]
    assert data["bySales"][0]["product_id"] == p["B"].id and data["bySales"][0]["category"] == "bakery"

    today = dashboard_period_products_load(period=Period(first=TODAY, last=TODAY))
    assert [(r["name"], r["units"]) for r in today["byUnits"]] == [("Apple", 2), ("Bread", 1)]


def test_low_stock_lists_products_on_sale_with_few_left_and_what_sold_in_the_period(sample_store):
    p = sample_store["products"]
    for key, stock in (("A", 2), ("B", 6), ("D", 0), ("E", 5)):
        Product.objects.filter(pk=p[key].pk).update(stock=stock)
    baker.make_recipe("products.product", name="Figs", category="fruit", stock=1, is_active=False)  # hidden

    low = dashboard_period_products_load(period=LAST_7)["lowStock"]
    assert low["level"] == 5 and low["count"] == 3  # A, D, E; not B (6 left) nor the hidden figs
    assert [(r["name"], r["stock"], r["sold"]) for r in low["products"]] == [
        ("Dates", 0, 0),  # its only sale was cancelled
        ("Apple", 2, 3),
        ("Eggs", 5, 1),  # o8's; o7's egg was sold before the period
    ]


def test_activity_of_the_period_in_words_with_links_and_without_housekeeping(sample_store):
    staff = baker.make_recipe("shop.staff", email="boss@example.test")
    o1 = Order.objects.get(created_at=ny(2026, 3, 5, 9, 0))
    payment = Payment.objects.get(order=o1)
    apple = sample_store["products"]["A"]

    def log(action, description, when, user=None, target=None):
        return baker.make_recipe(
            "shop.activity",
            action=action,
            description=description,
            user=user,
            created_at=when,
            target_type=ContentType.objects.get_for_model(target) if target else None,
            target_id=target.pk if target else None,
        )

    log("order.status_changed", f"Order {o1.number}: out-for-delivery → delivered", ny(2026, 3, 5, 10), staff)
    log(
        "payment.completed",
        f"Payment {payment.transaction_ref} (10.00) for order {o1.number}: completed",
        ny(2026, 3, 5, 9, 5),
    )
    log("product.updated", "Product Apple: price 4.50 → 5.00", ny(2026, 3, 5, 8), staff, target=apple)
    log("cache.cleared", "Cache cleared: all", ny(2026, 3, 5, 11), staff)
    log("user.registered", "alice@example.test registered", ny(2026, 2, 27, 0, 0), sample_store["users"]["alice"])
    log("order.placed", "Before the period", ny(2026, 2, 26, 23, 59))

    entries = dashboard_period_activity_load(period=LAST_7)["activities"]
    assert [(e["title"], e["text"], e["url"], e["actor"], e["actorIsStaff"]) for e in entries] == [
        (
            "Order status changed",
            f"Order {o1.number}: out for delivery → delivered",
            f"/admin/orders/order/{o1.pk}/change/",
            "boss@example.test",
            True,
        ),
        (
            "Payment received",
            f"Card payment of 10.00 for order {o1.number}",
            f"/admin/orders/payment/{payment.pk}/change/",
            None,
            False,
        ),
        (
            "Product changed",
            "Product Apple: price 4.50 → 5.00",
            f"/admin/products/product/{apple.pk}/change/",
            "boss@example.test",
            True,
        ),
        (
            "New customer",
            "alice@example.test registered",
            f"/admin/shop/user/{sample_store['users']['alice'].pk}/change/",
            "alice@example.test",
            False,
        ),
    ]
    assert entries[0]["created_at"] == "2026-03-05T10:00:00-05:00"


# Each loader costs the same few queries with 10 orders as with 1,000: aggregation happens in the database.

STATUSES = list(Order.Status.values)


def bulk_store(size: int) -> None:
    """`size` orders over the last 30 days, each with two items, a payment and an activity. The rows are
    bulk-created on purpose: a thousand orders through the recipes one by one would be most of the test's time."""
    baker.make_recipe("shop.business", timezone="America/New_York")
    users = [baker.make_recipe("shop.customer", email=f"user{i}@example.test") for i in range(5)]
    products = [baker.make_recipe("products.product", name=f"Product{i}", category=f"cat{i % 3}") for i in range(8)]
    orders = Order.objects.bulk_create(
        Order(
            number=f"B-{i:06d}",
            user=users[i % 5],
            subtotal=Decimal("10.00"),
            total=Decimal("10.00"),
            status=STATUSES[i % len(STATUSES)],
            payment_method=Order.PaymentMethod.CARD,
            delivery_address="x",
            created_at=SAMPLE_NOW - timedelta(hours=(i * 7) % (30 * 24)),
        )
        for i in range(size)
    )
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            product=products[(i + k) % 8],
            name="p",
            unit_price=Decimal("5.00"),
            quantity=1 + k,
            line_total=Decimal("5.00") * (1 + k),
        )
        for i, order in enumerate(orders)
        for k in range(2)
    )
    Payment.objects.bulk_create(
        Payment(
            order=order,
            amount=order.total,
            method=order.payment_method,
            status=[Payment.Status.COMPLETED, Payment.Status.REFUNDED, Payment.Status.PENDING][i % 3],
            transaction_ref=f"bulk-{i}",
            completed_at=order.created_at + timedelta(minutes=5),
        )
        for i, order in enumerate(orders)
    )
    Activity.objects.bulk_create(
        Activity(action="order.placed", description=f"order {i}", user=users[i % 5], created_at=order.created_at)
        for i, order in enumerate(orders)
    )


NINETY_DAYS = Period.ending(days=90, today=SAMPLE_NOW.date())

LOADERS = {
    "stats": (lambda: dashboard_stats_load(now=SAMPLE_NOW), 5),  # timezone, revenue, today's orders, active, users
    "top-products": (lambda: dashboard_top_products_load(limit=50), 1),
    "revenue-chart": (lambda: dashboard_revenue_chart_load(days=90, now=SAMPLE_NOW), 2),  # timezone, grouped sums
    "activities": (lambda: dashboard_activities_load(limit=50), 1),  # users joined, not fetched one by one
    # The page's period panels over 90 days: timezone, revenue per day, orders counted for both periods.
    "period-sales": (lambda: dashboard_period_sales_load(period=NINETY_DAYS), 3),
    # timezone, top by sales, top by units, products to restock: how many and the first ten.
    "period-products": (lambda: dashboard_period_products_load(period=NINETY_DAYS), 5),
    # timezone, the entries with their users, the orders their descriptions name (one query for all).
    "period-activity": (lambda: dashboard_period_activity_load(period=NINETY_DAYS), 3),
}


@pytest.mark.parametrize("size", [10, 1000])
@pytest.mark.parametrize("name", list(LOADERS))
def test_query_count_does_not_grow_with_the_store(name, size, django_assert_num_queries):
    bulk_store(size)
    load, queries = LOADERS[name]
    with django_assert_num_queries(queries):
        payload = load()
    assert payload  # the loaders did read the data they were given
    if name == "activities":
        assert len(payload["activities"]) == min(size, 50)
    if name == "period-activity":
        assert len(payload["activities"]) == min(size, 10)


def test_payment_entries_with_a_recorded_target_cost_one_query_for_all(db):
    """The payment services log `target=payment`; the entry's text names the payment's order, which comes
    with the payments (joined), not one query per entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(n: int) -> int:
        Activity.objects.all().delete()
        for i in range(n):
            payment = baker.make_recipe("orders.payment", status=Payment.Status.COMPLETED)
            baker.make_recipe(
                "shop.activity",
                action="payment.completed",
                description=f"Payment {payment.transaction_ref} completed",
                created_at=SAMPLE_NOW - timedelta(hours=i + 1),
                target_type=ContentType.objects.get_for_model(payment),
                target_id=payment.pk,
            )
        with CaptureQueriesContext(connection) as captured:
            entries = dashboard_period_activity_load(period=LAST_7)["activities"]
        assert len(entries) == n
        return len(captured)

    baker.make_recipe("shop.business", timezone="America/New_York")
    queries_for(1)  # the content type's own lookup, cached after the first
    assert queries_for(2) == queries_for(6)
