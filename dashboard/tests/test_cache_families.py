"""Writes clear the dashboard's families (the rows each depends on, declared in dashboard.cache_families)
after they commit, so the next read is a miss showing the write."""

from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from dashboard import cached, selectors
from dashboard.cache_families import DASHBOARD_ACTIVITIES, DASHBOARD_REVENUE_CHART, DASHBOARD_STATS
from orders.models import Order, Payment
from shop.activity import activity_log
from testing.cache import family_keys
from testing.orders import order_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_now(db):
    baker.make_recipe("shop.business", timezone=timezone.get_current_timezone_name())
    return {
        "user": baker.make_recipe("shop.customer", email="buyer@example.test"),
        "product": baker.make_recipe(
            "products.product", name="Soap", category="home", price=Decimal("3.00"), stock=100
        ),
    }


def placed_order(user, product, quantity):
    """An order row for `quantity` of the product at its price, made now (no order service)."""
    return order_with_lines([(product, quantity)], user=user, created_at=timezone.now(), status=Order.Status.PENDING)


def test_placing_an_order_makes_the_next_stats_read_a_miss_that_shows_it(store_now, django_capture_on_commit_callbacks):
    first = cached.dashboard_stats()
    assert not first.hit and first.data["todayOrders"] == 0
    assert cached.dashboard_stats().hit

    with django_capture_on_commit_callbacks(execute=True):
        placed_order(store_now["user"], store_now["product"], 2)

    after = cached.dashboard_stats()
    assert not after.hit
    assert (after.data["todayOrders"], after.data["activeOrders"]) == (1, 1)


def test_the_cache_is_not_cleared_before_the_order_commits(store_now, django_capture_on_commit_callbacks):
    cached.dashboard_stats()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        placed_order(store_now["user"], store_now["product"], 1)
    assert callbacks, "the order's save queued an invalidation"
    assert cached.dashboard_stats().hit


def test_completing_a_payment_clears_stats_and_revenue_chart(store_now, django_capture_on_commit_callbacks):
    order = placed_order(store_now["user"], store_now["product"], 1)
    payment = baker.make_recipe("orders.payment", order=order, amount=Decimal("3.00"), status=Payment.Status.PENDING)
    cached.dashboard_stats(), cached.dashboard_revenue_chart(days=7)
    assert cached.dashboard_revenue_chart(days=7).hit

    with django_capture_on_commit_callbacks(execute=True):
        payment.status, payment.completed_at = Payment.Status.COMPLETED, timezone.now()
        payment.save()

    chart, stats = cached.dashboard_revenue_chart(days=7), cached.dashboard_stats()
    assert not chart.hit and chart.data["chart"][-1] == {
        "date": timezone.localdate(payment.completed_at, selectors.business_timezone()).isoformat(),
        "revenue": "3.00",
        "count": 1,
    }
    assert not stats.hit and stats.data["todayRevenue"] == "3.00"


def test_logging_an_activity_makes_the_next_activities_read_a_miss(store_now, django_capture_on_commit_callbacks):
    assert cached.dashboard_activities(limit=20).data == {"activities": []}
    assert cached.dashboard_activities(limit=20).hit

    with django_capture_on_commit_callbacks(execute=True):
        activity_log(action="product.updated", description="Soap restocked", user=store_now["user"])

    after = cached.dashboard_activities(limit=20)
    assert not after.hit
    assert [(a["action"], a["user"]) for a in after.data["activities"]] == [("product.updated", "buyer@example.test")]


def test_reads_populate_one_key_per_parameter(store_now):
    cached.dashboard_activities(limit=5)
    cached.dashboard_activities(limit=20)
    cached.dashboard_revenue_chart(days=30)
    assert sorted(k["key"] for k in family_keys(DASHBOARD_ACTIVITIES)) == [
        "dashboard:activities:20",
        "dashboard:activities:5",
    ]
    assert [k["key"] for k in family_keys(DASHBOARD_REVENUE_CHART)] == ["dashboard:revenue-chart:30"]
    assert 0 < family_keys(DASHBOARD_REVENUE_CHART)[0]["ttl"] <= 300
    assert family_keys(DASHBOARD_STATS) == []


def test_an_order_placed_through_the_order_service_shows_in_the_next_stats_and_top_products(
    store_now, django_capture_on_commit_callbacks
):
    from orders.services import order_place

    assert cached.dashboard_stats().data["todayOrders"] == 0
    assert cached.dashboard_top_products(limit=5).data == {"products": []}

    with django_capture_on_commit_callbacks(execute=True):
        order_place(
            user=store_now["user"],
            items=[{"product_id": store_now["product"].id, "quantity": 2}],
            delivery_address="1 Main St",
            payment_method="cash",
        )

    stats, top = cached.dashboard_stats(), cached.dashboard_top_products(limit=5)
    assert not stats.hit and stats.data["todayOrders"] == 1
    assert not top.hit and [(p["name"], p["totalQuantity"]) for p in top.data["products"]] == [("Soap", 2)]
