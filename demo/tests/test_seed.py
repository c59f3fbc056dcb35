"""The demo store (demo.seed) as `seed_demo` writes it: accounts, catalogue, coupons, orders priced like
the order service, payments, notifications, activities; the same seed gives the same store."""

from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count, F, Q
from django.utils import timezone

from orders.models import Coupon, Order, OrderItem, Payment
from orders.pricing import to_cents
from products.cache_families import PRODUCTS_ALL
from products.models import Product
from shop.models import Activity, Business, Notification, User
from testing.cache import read

from .seeding import SMALL, seed

pytestmark = pytest.mark.django_db


def test_seed_creates_the_business_and_two_accounts_that_can_log_in():
    seed()

    assert Business.objects.count() == 1
    admin = authenticate(username="admin@example.com", password="demo-admin-pass")
    customer = authenticate(username="customer@example.com", password="demo-customer-pass")
    assert admin is not None and admin.is_staff and admin.is_superuser
    assert customer is not None and not customer.is_staff
    assert User.objects.filter(is_staff=False).count() == SMALL["users"] + 1


def test_seed_fills_a_catalogue_in_several_categories():
    seed()

    assert Product.objects.count() == SMALL["products"]
    assert Product.objects.values("category").distinct().count() >= 5
    assert Product.objects.filter(is_active=True, stock__gt=0).exists()
    assert len(set(Product.objects.values_list("slug", flat=True))) == SMALL["products"]


def test_seed_creates_active_and_expired_coupons_of_both_kinds():
    seed()
    now = timezone.now()

    assert Coupon.objects.filter(is_active=True, valid_from__lte=now, valid_until__gt=now).exists()
    assert Coupon.objects.filter(valid_until__lte=now).exists()
    assert set(Coupon.objects.values_list("discount_type", flat=True)) == {"percent", "fixed"}


def test_orders_have_items_and_totals_computed_like_the_order_service():
    seed()
    business = Business.objects.get()

    orders = Order.objects.prefetch_related("items")
    assert orders.count() == SMALL["orders"]
    for order in orders:
        items = list(order.items.all())
        assert items, order.number
        assert all(item.line_total == item.unit_price * item.quantity for item in items)
        assert order.subtotal == sum(item.line_total for item in items)
        assert order.tax == to_cents((order.subtotal - order.discount) * business.tax_rate / 100)
        assert order.total == order.subtotal - order.discount + order.delivery_fee + order.tax
        assert order.subtotal >= business.min_order_amount


def test_coupon_use_is_counted_and_within_limits():
    seed(orders=400)

    with_coupon = Order.objects.exclude(coupon=None).exclude(status="cancelled")  # cancelling gives the use back
    uses = Counter(with_coupon.values_list("coupon__code", flat=True))
    assert uses, "some orders use a coupon"
    for coupon in Coupon.objects.all():
        assert coupon.used_count == uses.get(coupon.code, 0)
        assert coupon.usage_limit is None or coupon.used_count <= coupon.usage_limit
    per_customer = Counter(with_coupon.values_list("coupon__code", "user_id"))
    welcome = Coupon.objects.get(code="WELCOME10")
    assert welcome.per_customer_limit == 1, "the first-order coupon is once per customer"
    assert max(n for (code, _), n in per_customer.items() if code == "WELCOME10") == 1
    for order in Order.objects.exclude(coupon=None).select_related("coupon"):
        assert order.coupon.valid_from <= order.created_at < order.coupon.valid_until
        assert order.discount > 0 and order.coupon_code == order.coupon.code


def test_statuses_spread_over_the_flow_with_some_orders_in_progress_today():
    seed()
    tz = ZoneInfo(Business.objects.get().timezone)
    today = timezone.now().astimezone(tz).date()

    assert {"pending", "preparing", "delivered", "cancelled"} <= set(Order.objects.values_list("status", flat=True))
    today_statuses = {o.status for o in Order.objects.all() if o.created_at.astimezone(tz).date() == today}
    assert today_statuses & {"pending", "preparing"}
    assert not Order.objects.filter(created_at__gt=timezone.now()).exists()
    days = {o.created_at.astimezone(tz).date() for o in Order.objects.all()}
    assert len(days) >= SMALL["days"] - 1


def test_payments_match_the_orders_they_pay_for():
    seed()

    assert Payment.objects.filter(status="completed").exists()
    assert Payment.objects.filter(status__in=["refunded", "failed"]).exists()
    assert not Payment.objects.filter(status="completed", completed_at=None).exists()
    paid = Order.objects.filter(payment_status="paid")
    assert paid.exists()
    assert not paid.exclude(payments__status="completed").exists()
    assert not Order.objects.filter(status="delivered", payment_status="unpaid").exists()
    assert not Payment.objects.exclude(amount=F("order__total")).exists()


def test_notifications_and_activities_are_written():
    seed()

    assert Notification.objects.filter(order__isnull=False).exists()
    assert Activity.objects.filter(action="order.placed").count() == SMALL["orders"]


def test_order_numbers_are_unique_and_follow_time():
    seed()

    numbers = list(Order.objects.order_by("created_at", "id").values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert numbers == sorted(numbers)


def test_the_seeds_bulk_writes_reach_the_cache_through_the_outbox(django_capture_on_commit_callbacks):
    read(PRODUCTS_ALL, {}, lambda: {"products": []})
    assert read(PRODUCTS_ALL, {}, lambda: {"products": []}).hit

    with django_capture_on_commit_callbacks(execute=True):
        seed(orders=5)

    assert not read(PRODUCTS_ALL, {}, lambda: {"products": []}).hit


def test_same_seed_gives_the_same_catalogue_and_customers():
    def snapshot():
        products = list(Product.objects.order_by("slug").values_list("name", "price", "stock", "is_active"))
        emails = sorted(User.objects.values_list("email", flat=True))
        return products, emails

    seed(orders=0)
    first = snapshot()
    for model in (Activity, Notification, Payment, OrderItem, Order, Coupon, Product, User, Business):
        model.objects.all().delete()
    seed(orders=0)

    assert snapshot() == first
    assert Product.objects.aggregate(n=Count("id", filter=Q(price__gt=Decimal("0"))))["n"] == SMALL["products"]
