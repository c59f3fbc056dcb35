"""The dashboard's scenario stores, built by the apps' model-bakery recipes with every figure written out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Order, Payment
from testing.orders import order_with_lines

from .clock import NEW_YORK, ny

PENDING, PREPARING, OUT = Order.Status.PENDING, Order.Status.PREPARING, Order.Status.OUT_FOR_DELIVERY
DELIVERED, CANCELLED = Order.Status.DELIVERED, Order.Status.CANCELLED
COMPLETED, REFUNDED, FAILED = Payment.Status.COMPLETED, Payment.Status.REFUNDED, Payment.Status.FAILED


@pytest.fixture
def sample_store(db):
    """A small store in New York whose dashboard figures are worked out by hand in the tests.

    Orders (created at, status, items) and payments:
      o1  03-05 09:00  delivered         A×2 @5.00            completed 03-05 09:05   10.00
      o2  03-05 10:00  pending           B×1 @20.00           failed                 20.00
      o3  03-05 11:00  cancelled         A×5 @5.00, D×10 @1   (none)
      o4  03-04 23:59  preparing         C×3 @4.00            completed 03-05 00:10   12.00
      o5  03-03 12:00  out-for-delivery  B×1 @20.00           refunded (completed 03-03) 20.00
      o6  03-04 20:00  delivered         A×1 @5.00            completed 03-04 23:59   5.00
      o7  02-26 12:00  delivered         E×1 @99.00           completed 02-26 23:59   99.00
      o8  02-27 00:00  delivered         E×1 @1.00            completed 02-27 00:00   1.00
    Users: two active customers, one inactive.
    """
    baker.make_recipe("shop.business", name="Corner Store", timezone="America/New_York")
    alice = baker.make_recipe("shop.customer", email="alice@example.test", name="alice")
    bob = baker.make_recipe("shop.customer", email="bob@example.test", name="bob")
    baker.make_recipe("shop.customer", email="gone@example.test", name="gone", is_active=False)
    a, b, c, d, e = (
        baker.make_recipe("products.product", name=name, category=category, price=Decimal("5.00"), stock=100)
        for name, category in (
            ("Apple", "fruit"),
            ("Bread", "bakery"),
            ("Cheese", "dairy"),
            ("Dates", "fruit"),
            ("Eggs", "dairy"),
        )
    )

    def order(user, created_at, status, total):
        return baker.make_recipe(
            "orders.order", user=user, created_at=created_at, status=status, subtotal=total, total=total
        )

    def line(order, product, quantity, unit_price, line_total):
        baker.make_recipe(
            "orders.order_item",
            order=order,
            product=product,
            name=product.name,
            quantity=quantity,
            unit_price=unit_price,
            line_total=line_total,
        )

    def payment(order, amount, status, completed_at=None):
        baker.make_recipe("orders.payment", order=order, amount=amount, status=status, completed_at=completed_at)

    o1 = order(alice, ny(2026, 3, 5, 9, 0), DELIVERED, Decimal("10.00"))
    line(o1, a, 2, Decimal("5.00"), Decimal("10.00"))
    payment(o1, Decimal("10.00"), COMPLETED, ny(2026, 3, 5, 9, 5))

    o2 = order(bob, ny(2026, 3, 5, 10, 0), PENDING, Decimal("20.00"))
    line(o2, b, 1, Decimal("20.00"), Decimal("20.00"))
    payment(o2, Decimal("20.00"), FAILED)

    o3 = order(alice, ny(2026, 3, 5, 11, 0), CANCELLED, Decimal("35.00"))
    line(o3, a, 5, Decimal("5.00"), Decimal("25.00"))
    line(o3, d, 10, Decimal("1.00"), Decimal("10.00"))

    o4 = order(bob, ny(2026, 3, 4, 23, 59), PREPARING, Decimal("12.00"))
    line(o4, c, 3, Decimal("4.00"), Decimal("12.00"))
    payment(o4, Decimal("12.00"), COMPLETED, ny(2026, 3, 5, 0, 10))

    o5 = order(alice, ny(2026, 3, 3, 12, 0), OUT, Decimal("20.00"))
    line(o5, b, 1, Decimal("20.00"), Decimal("20.00"))
    payment(o5, Decimal("20.00"), REFUNDED, ny(2026, 3, 3, 12, 5))

    o6 = order(bob, ny(2026, 3, 4, 20, 0), DELIVERED, Decimal("5.00"))
    line(o6, a, 1, Decimal("5.00"), Decimal("5.00"))
    payment(o6, Decimal("5.00"), COMPLETED, ny(2026, 3, 4, 23, 59))

    o7 = order(alice, ny(2026, 2, 26, 12, 0), DELIVERED, Decimal("99.00"))
    line(o7, e, 1, Decimal("99.00"), Decimal("99.00"))
    payment(o7, Decimal("99.00"), COMPLETED, ny(2026, 2, 26, 23, 59))

    o8 = order(bob, ny(2026, 2, 27, 0, 0), DELIVERED, Decimal("1.00"))
    line(o8, e, 1, Decimal("1.00"), Decimal("1.00"))
    payment(o8, Decimal("1.00"), COMPLETED, ny(2026, 2, 27, 0, 0))

    return {"products": {"A": a, "B": b, "C": c, "D": d, "E": e}, "users": {"alice": alice, "bob": bob}}


@pytest.fixture
def recent_store(db):
    """Six weeks of orders up to now in New York, with orders and payments at 00:05 and 23:50 local
    (where UTC and New York days differ), every status, refunds and failed payments. It has no staff:
    tests look at it as `admin_client` (a superuser, who may open every admin list) or `staff_client`."""
    baker.make_recipe("shop.business", name="Corner Store", timezone="America/New_York")
    shoppers = [baker.make_recipe("shop.customer", email=f"shopper{i}@example.test") for i in range(3)]
    baker.make_recipe("shop.customer", email="left@example.test", is_active=False)
    # Stock 0, 3 and 5 need restocking; 6 and 50 do not.
    products = [
        baker.make_recipe("products.product", name=f"Item {letter}", category="misc", price=Decimal(price), stock=stock)
        for letter, price, stock in zip("ABCDE", ("2.50", "4.00", "7.25", "1.10", "12.00"), (0, 3, 5, 6, 50))
    ]
    statuses = [DELIVERED, DELIVERED, CANCELLED, PREPARING, PENDING, OUT, DELIVERED]
    today = timezone.now().astimezone(NEW_YORK).date()
    now = timezone.now()
    n = 0
    for back in range(0, 42):
        day = today - timedelta(days=back)
        for hour, minute in ((0, 5), (12, 30), (23, 50)):
            when = ny(day.year, day.month, day.day, hour, minute)
            if when > now:
                continue
            n += 1
            status = statuses[n % len(statuses)]
            lines = [(products[n % 5], 1 + n % 3), (products[(n + 2) % 5], 1)]
            order = order_with_lines(lines, user=shoppers[n % 3], created_at=when, status=status)
            total = order.total
            if status == CANCELLED:
                if n % 2:
                    baker.make_recipe(
                        "orders.payment",
                        order=order,
                        amount=total,
                        status=REFUNDED,
                        completed_at=when + timedelta(minutes=1),
                    )
            elif n % 5 == 0:
                baker.make_recipe("orders.payment", order=order, amount=total, status=FAILED)
            elif status != PENDING:
                baker.make_recipe(
                    "orders.payment",
                    order=order,
                    amount=total,
                    status=COMPLETED,
                    completed_at=min(when + timedelta(minutes=20), now),
                )
    return {"products": products, "today": today}
