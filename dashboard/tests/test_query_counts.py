"""Each loader costs the same few queries with 10 orders as with 1,000: aggregation happens in the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from model_bakery import baker

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
from shop.models import Activity

from .clock import SAMPLE_NOW

pytestmark = pytest.mark.django_db

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
    "period-sales": (lambda: dashboard_period_sales_load(period=NINETY_DAYS, now=SAMPLE_NOW), 3),
    # timezone, top by sales, top by units, products to restock: how many and the first ten.
    "period-products": (lambda: dashboard_period_products_load(period=NINETY_DAYS, now=SAMPLE_NOW), 5),
    # timezone, the entries with their users, the orders their descriptions name (one query for all).
    "period-activity": (lambda: dashboard_period_activity_load(period=NINETY_DAYS, now=SAMPLE_NOW), 3),
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
