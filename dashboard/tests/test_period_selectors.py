"""The dashboard page's period panels against figures worked out by hand from the fixture store
(see conftest.py: "now" is Thursday 2026-03-05 15:00 in New York)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from model_bakery import baker

from dashboard import cached, selectors
from dashboard.cache_families import DASHBOARD_PERIOD_SALES
from dashboard.periods import Period, PeriodError
from dashboard.selectors import (
    dashboard_period_activity_load,
    dashboard_period_products_load,
    dashboard_period_sales_load,
)
from orders.models import Order, Payment
from products.models import Product
from testing.cache import family_keys

from .clock import SAMPLE_NOW, ny

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 5)
LAST_7 = Period.ending(days=7, today=TODAY)  # 02-27 .. 03-05; the previous one is 02-20 .. 02-26


def test_sales_of_the_last_seven_days_and_of_the_seven_before(sample_store):
    sales = dashboard_period_sales_load(period=LAST_7, now=SAMPLE_NOW)
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
    sales = dashboard_period_sales_load(period=Period(first=date(2026, 3, 3), last=date(2026, 3, 4)), now=SAMPLE_NOW)
    # 03-03..03-04: o6's 5.00; orders o4 (03-04 23:59), o5 and o6. Before it, 03-01..03-02: nothing.
    assert (sales["current"]["revenue"], sales["current"]["payments"], sales["current"]["orders"]) == ("5.00", 1, 3)
    assert (sales["previous"]["revenue"], sales["previous"]["orders"]) == ("0.00", 0)
    assert [row["date"] for row in sales["chart"]] == ["2026-03-03", "2026-03-04"]


def test_top_products_of_the_period_by_sales_and_by_units(sample_store):
    p = sample_store["products"]
    data = dashboard_period_products_load(period=LAST_7, now=SAMPLE_NOW)
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

    today = dashboard_period_products_load(period=Period(first=TODAY, last=TODAY), now=SAMPLE_NOW)
    assert [(r["name"], r["units"]) for r in today["byUnits"]] == [("Apple", 2), ("Bread", 1)]


def test_low_stock_lists_products_on_sale_with_few_left_and_what_sold_in_the_period(sample_store):
    p = sample_store["products"]
    for key, stock in (("A", 2), ("B", 6), ("D", 0), ("E", 5)):
        Product.objects.filter(pk=p[key].pk).update(stock=stock)
    baker.make_recipe("products.product", name="Figs", category="fruit", stock=1, is_active=False)  # hidden

    low = dashboard_period_products_load(period=LAST_7, now=SAMPLE_NOW)["lowStock"]
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

    entries = dashboard_period_activity_load(period=LAST_7, now=SAMPLE_NOW)["activities"]
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


def test_the_cached_reads_refuse_periods_outside_the_bounds():
    today = timezone.localdate()
    for period in (
        Period(first=today - timedelta(days=90), last=today),  # 91 days
        Period(first=today, last=today + timedelta(days=1)),  # ends tomorrow
        Period(first=today - timedelta(days=400), last=today - timedelta(days=399)),  # too far back
    ):
        for read in (
            cached.dashboard_period_sales,
            cached.dashboard_period_products,
            cached.dashboard_period_activity,
        ):
            with pytest.raises(PeriodError):
                read(period=period, today=today)
    assert family_keys(DASHBOARD_PERIOD_SALES) == []


def test_a_period_read_is_cached_under_its_days_and_a_payment_clears_it(
    sample_store, django_capture_on_commit_callbacks
):
    today = timezone.now().astimezone(selectors.business_timezone()).date()
    period = Period.ending(days=7, today=today)
    assert not cached.dashboard_period_sales(period=period, today=today).hit
    assert cached.dashboard_period_sales(period=period, today=today).hit
    keys = [entry["key"] for entry in family_keys(DASHBOARD_PERIOD_SALES)]
    assert keys == [f"dashboard:period-sales:{period.first.isoformat()}:{today.isoformat()}"]

    order = Order.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        baker.make_recipe(
            "orders.payment",
            order=order,
            amount=Decimal("3.00"),
            method="card",
            status="completed",
            transaction_ref="tx-new",
            completed_at=timezone.now(),
        )
    again = cached.dashboard_period_sales(period=period, today=today)
    assert not again.hit
