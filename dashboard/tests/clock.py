"""Explicit builders for the dashboard's fixture stores: every figure a test expects is computable by hand."""

import itertools
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from orders.models import Order, OrderItem, Payment
from products.models import Product
from shop.models import Activity, Business, User

NEW_YORK = ZoneInfo("America/New_York")
_serial = itertools.count(1)


def ny(year, month, day, hour=12, minute=0, second=0) -> datetime:
    """A wall-clock time in New York (the fixture store's timezone)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=NEW_YORK)


def make_business(tz: str = "America/New_York") -> Business:
    return Business.objects.create(name="Corner Store", timezone=tz, currency="USD")


def make_user(email: str, *, active: bool = True, staff: bool = False) -> User:
    return User.objects.create_user(
        email=email, password="pass-1234-word", name=email.split("@")[0], is_active=active, is_staff=staff
    )


def make_product(name: str, category: str, price: str = "5.00") -> Product:
    return Product.objects.create(
        name=name, slug=f"{name.lower()}-{next(_serial)}", category=category, price=Decimal(price), stock=100
    )


def make_order(user: User, created_at: datetime, status: str, items: list[tuple[Product, int, str]]) -> Order:
    """items: (product, quantity, unit price). Totals are the plain sum of line totals."""
    lines = [(product, quantity, Decimal(price), Decimal(price) * quantity) for product, quantity, price in items]
    subtotal = sum((line_total for *_, line_total in lines), Decimal("0"))
    order = Order.objects.create(
        number=f"T-{next(_serial):06d}",
        user=user,
        subtotal=subtotal,
        total=subtotal,
        status=status,
        payment_method=Order.PaymentMethod.CARD,
        delivery_address="1 Main St",
        created_at=created_at,
    )
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order, product=product, name=product.name, unit_price=price, quantity=quantity, line_total=line_total
        )
        for product, quantity, price, line_total in lines
    )
    return order


def make_payment(order: Order, amount: str, status: str, completed_at: datetime | None = None) -> Payment:
    return Payment.objects.create(
        order=order,
        amount=Decimal(amount),
        method=order.payment_method,
        status=status,
        transaction_ref=f"tx-{next(_serial):08d}",
        completed_at=completed_at,
    )


def make_activity(action: str, created_at: datetime, user: User | None = None) -> Activity:
    return Activity.objects.create(action=action, description=f"{action} happened", user=user, created_at=created_at)
