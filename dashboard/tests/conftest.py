import pytest

from orders.models import Order, Payment

from .builders import make_business, make_order, make_payment, make_product, make_user, ny

PENDING, PREPARING, OUT = Order.Status.PENDING, Order.Status.PREPARING, Order.Status.OUT_FOR_DELIVERY
DELIVERED, CANCELLED = Order.Status.DELIVERED, Order.Status.CANCELLED
COMPLETED, REFUNDED = Payment.Status.COMPLETED, Payment.Status.REFUNDED

# "Now" for the sample store: Thursday 2026-03-05, 15:00 in New York (EST, UTC-5).
SAMPLE_NOW = ny(2026, 3, 5, 15, 0)


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
    make_business("America/New_York")
    alice, bob = make_user("alice@example.test"), make_user("bob@example.test")
    make_user("gone@example.test", active=False)
    a, b, c = make_product("Apple", "fruit"), make_product("Bread", "bakery"), make_product("Cheese", "dairy")
    d, e = make_product("Dates", "fruit"), make_product("Eggs", "dairy")

    o1 = make_order(alice, ny(2026, 3, 5, 9, 0), DELIVERED, [(a, 2, "5.00")])
    make_payment(o1, "10.00", COMPLETED, ny(2026, 3, 5, 9, 5))
    o2 = make_order(bob, ny(2026, 3, 5, 10, 0), PENDING, [(b, 1, "20.00")])
    make_payment(o2, "20.00", Payment.Status.FAILED)
    make_order(alice, ny(2026, 3, 5, 11, 0), CANCELLED, [(a, 5, "5.00"), (d, 10, "1.00")])
    o4 = make_order(bob, ny(2026, 3, 4, 23, 59), PREPARING, [(c, 3, "4.00")])
    make_payment(o4, "12.00", COMPLETED, ny(2026, 3, 5, 0, 10))
    o5 = make_order(alice, ny(2026, 3, 3, 12, 0), OUT, [(b, 1, "20.00")])
    make_payment(o5, "20.00", REFUNDED, ny(2026, 3, 3, 12, 5))
    o6 = make_order(bob, ny(2026, 3, 4, 20, 0), DELIVERED, [(a, 1, "5.00")])
    make_payment(o6, "5.00", COMPLETED, ny(2026, 3, 4, 23, 59))
    o7 = make_order(alice, ny(2026, 2, 26, 12, 0), DELIVERED, [(e, 1, "99.00")])
    make_payment(o7, "99.00", COMPLETED, ny(2026, 2, 26, 23, 59))
    o8 = make_order(bob, ny(2026, 2, 27, 0, 0), DELIVERED, [(e, 1, "1.00")])
    make_payment(o8, "1.00", COMPLETED, ny(2026, 2, 27, 0, 0))
    return {"products": {"A": a, "B": b, "C": c, "D": d, "E": e}, "users": {"alice": alice, "bob": bob}}


@pytest.fixture
def recent_store(db):
    """Six weeks of orders up to now in New York, with orders and payments at 00:05 and 23:50 local
    (where UTC and New York days differ), every status, refunds and failed payments; a staff user."""
    from datetime import timedelta

    from django.utils import timezone

    from .builders import NEW_YORK

    make_business("America/New_York")
    staff = make_user("staff@example.test", staff=True)
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    shoppers = [make_user(f"shopper{i}@example.test") for i in range(3)]
    make_user("left@example.test", active=False)
    products = [
        make_product(f"Item {c}", "misc", price) for c, price in zip("ABCDE", ("2.50", "4.00", "7.25", "1.10", "12.00"))
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
            lines = [
                (products[n % 5], 1 + n % 3, str(products[n % 5].price)),
                (products[(n + 2) % 5], 1, str(products[(n + 2) % 5].price)),
            ]
            order = make_order(shoppers[n % 3], when, status, lines)
            if status == CANCELLED:
                if n % 2:
                    make_payment(order, str(order.total), REFUNDED, when + timedelta(minutes=1))
            elif n % 5 == 0:
                make_payment(order, str(order.total), Payment.Status.FAILED)
            elif status != PENDING:
                make_payment(order, str(order.total), COMPLETED, min(when + timedelta(minutes=20), now))
    for product, stock in zip(products, (0, 3, 5, 6, 50)):
        product.stock = stock
        product.save(update_fields=["stock"])
    return {"staff": staff, "products": products, "today": today}
