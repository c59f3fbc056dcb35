"""Builds the demo store: the business row, accounts, products, coupons and weeks of orders.

Everything is written with bulk_create in batches inside one transaction (all or nothing). Bulk
writes send no signals, but the outbox triggers record them like any write, so nothing is cleared
by hand.
Orders are priced with orders.pricing and checked against orders.rules, the same rules the order
service uses, and numbered from the same per-day sequence (orders.services.order_numbers).
"""

import bisect
import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from demo import data as demo_data
from orders.models import Coupon, Order, OrderItem, Payment
from orders.pricing import coupon_discount, order_totals
from orders.rules import coupon_refusal
from orders.services import STATUS_MESSAGES, order_number_format, order_numbers_reserve
from products.models import Product
from shop.models import Activity, Business, Notification, User

Status = Order.Status
# The status an order had before its current one, for the activity log of the last days.
PREVIOUS_STATUS = {
    Status.PREPARING: Status.PENDING,
    Status.OUT_FOR_DELIVERY: Status.PREPARING,
    Status.DELIVERED: Status.OUT_FOR_DELIVERY,
    Status.CANCELLED: Status.PENDING,
}


@dataclass(frozen=True)
class DemoOptions:
    orders: int = 1500
    products: int = 60
    users: int = 200
    days: int = 28
    seed: int = 42
    batch_size: int = 5000
    admin_email: str = "admin@example.com"
    admin_password: str = "demo-admin-pass"
    customer_email: str = "customer@example.com"
    customer_password: str = "demo-customer-pass"


@dataclass(frozen=True)
class Customer:
    id: int
    joined: datetime
    email: str
    address: str


def store_has_data() -> bool:
    return Product.objects.exists() or Order.objects.exists()


def demo_store_seed(
    *,
    options: DemoOptions,
    log: Callable[[str], None] = lambda _: None,
    on_orders: Callable[[int], None] = lambda _: None,
) -> dict[str, int]:
    """Fill an empty store. Returns how many rows of each kind were written."""
    with transaction.atomic():
        return _DemoStoreBuilder(options, log, on_orders).build()


def _price(amount: Decimal) -> Decimal:
    """Shelf prices end in .49 or .99."""
    halves = (amount * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return max(halves / 2 - Decimal("0.01"), Decimal("0.49"))


class _DemoStoreBuilder:
    def __init__(self, options: DemoOptions, log, on_orders):
        self.o = options
        self.log = log
        self.on_orders = on_orders
        self.rng = random.Random(options.seed)
        self.now = timezone.now().replace(microsecond=0)
        self.counts: dict[str, int] = {}

    def build(self) -> dict[str, int]:
        self.business = self._business()
        self.tz = ZoneInfo(self.business.timezone)
        self.today = self.now.astimezone(self.tz).date()
        self.first_day = self.today - timedelta(days=max(self.o.days, 1) - 1)
        # In UTC: adding timedeltas to a zoned datetime is wall-clock arithmetic, off by an hour across DST.
        self.history_start = datetime.combine(self.first_day, time(), tzinfo=self.tz).astimezone(UTC)

        self.admin, self.demo_customer = self._accounts()
        self.log(f"Products: {self.o.products}")
        self.products = self._products()
        self.log(f"Customers: {self.o.users}")
        self.customers = self._customers()
        self.coupons = self._coupons()
        self.log(f"Orders: {self.o.orders} over {self.o.days} days")
        self._orders()
        return self.counts

    def _bulk(self, model, objects):
        created = model.objects.bulk_create(objects, batch_size=self.o.batch_size)
        key = model._meta.verbose_name_plural
        self.counts[key] = self.counts.get(key, 0) + len(created)
        return created

    # --- the business and the two accounts ----------------------------------------------------

    def _business(self) -> Business:
        business = Business.objects.first()
        if business is None:
            business = Business.objects.create(**demo_data.BUSINESS)
            self.counts["business"] = 1
        return business

    def _accounts(self) -> tuple[User, User]:
        admin = User.objects.filter(email__iexact=self.o.admin_email).first()
        if admin is None:
            admin = User.objects.create_superuser(
                email=self.o.admin_email,
                password=self.o.admin_password,
                name="Store Admin",
                date_joined=self.history_start - timedelta(days=120),
            )
        customer = User.objects.filter(email__iexact=self.o.customer_email).first()
        if customer is None:
            customer = User.objects.create_user(
                email=self.o.customer_email,
                password=self.o.customer_password,
                name="Demo Customer",
                phone="+1 917 555 0100",
                date_joined=self.history_start - timedelta(days=60),
            )
        return admin, customer

    # --- catalogue ----------------------------------------------------------------------------

    def _product_specs(self):
        """Every base product once, categories interleaved, then variants of them, as many as needed."""
        categories = list(demo_data.CATALOG.items())
        bases = []
        for i in range(max(len(items) for _, items in categories)):
            bases += [(category, *items[i]) for category, items in categories if i < len(items)]
        for category, name, price, description in bases:
            yield category, name, Decimal(price), description
        round_number = 0
        while True:
            round_number += 1
            for prefix, factor in demo_data.VARIANTS:
                label = prefix if round_number == 1 else f"{prefix} No. {round_number}"
                for category, name, price, description in bases:
                    yield category, f"{label} {name}", _price(Decimal(price) * Decimal(factor)), description

    def _products(self) -> list[tuple[Product, float]]:
        rng = self.rng
        products, slugs = [], set()
        specs = self._product_specs()
        for _ in range(self.o.products):
            category, name, price, description = next(specs)
            slug = slugify(name)
            while slug in slugs:
                slug = f"{slugify(name)}-{rng.randrange(100, 999)}"
            slugs.add(slug)
            roll = rng.random()
            stock = 0 if roll < 0.05 else rng.randint(1, 5) if roll < 0.14 else rng.randint(12, 250)
            products.append(
                Product(
                    name=name,
                    slug=slug,
                    description=description,
                    category=category,
                    price=price,
                    stock=stock,
                    is_active=rng.random() > 0.04,
                    created_at=self.history_start - timedelta(days=rng.uniform(5, 240)),
                )
            )
        products = self._bulk(Product, products)
        # A few favourites sell far more than the long tail.
        return [(p, 1 / (rank + 1) ** 0.9) for rank, p in enumerate(rng.sample(products, len(products)))]

    def _customers(self) -> list[Customer]:
        rng, o = self.rng, self.o
        shared_hash = self.demo_customer.password  # hashing thousands of passwords would take minutes
        if not self.demo_customer.check_password(o.customer_password):
            shared_hash = make_password(o.customer_password)
        window = (self.now - self.history_start).total_seconds()
        users = []
        for i in range(o.users):
            first, last = rng.choice(demo_data.FIRST_NAMES), rng.choice(demo_data.LAST_NAMES)
            if rng.random() < 0.85:
                joined = self.history_start - timedelta(days=rng.uniform(1, 365))
            else:
                joined = self.history_start + timedelta(seconds=rng.uniform(0, window))
            users.append(
                User(
                    email=f"{first}.{last}.{i + 1}@example.net".lower(),
                    name=f"{first} {last}",
                    phone=f"+1 917 555 {rng.randrange(10000):04d}",
                    password=shared_hash,
                    is_active=rng.random() > 0.02,
                    date_joined=joined.replace(microsecond=0),
                )
            )
        users = self._bulk(User, users)
        self.registrations = [u for u in users if u.date_joined >= self.history_start]
        customers = [Customer(u.id, u.date_joined, u.email, self._address()) for u in users if u.is_active]
        customers.sort(key=lambda c: c.joined)
        return customers

    def _address(self) -> str:
        rng = self.rng
        return (
            f"{rng.randint(1, 480)} {rng.choice(demo_data.STREETS)}, Apt {rng.randint(1, 30)}{rng.choice('ABCD')}, "
            f"New York, NY 100{rng.randint(1, 40):02d}"
        )

    def _coupons(self) -> list[Coupon]:
        start, now, day = self.history_start, self.now, timedelta(days=1)
        P, F = Coupon.DiscountType.PERCENT, Coupon.DiscountType.FIXED

        def coupon(code, description, kind, value, minimum, cap, valid_from, valid_until, **extra) -> Coupon:
            return Coupon(
                code=code,
                description=description,
                discount_type=kind,
                value=Decimal(value),
                min_order_amount=Decimal(minimum),
                max_discount=Decimal(cap) if cap else None,
                valid_from=valid_from,
                valid_until=valid_until,
                created_at=min(valid_from, now) - timedelta(days=2),
                **extra,
            )

        # code, description, type, value, min order, max discount, from, until, and limits
        coupons = [
            coupon(
                "WELCOME10",
                "10% off your first basket",
                P,
                "10",
                "0",
                "15",
                start - 90 * day,
                now + 180 * day,
                per_customer_limit=1,
            ),
            coupon("SAVE5", "$5 off orders over $30", F, "5", "30", None, start - 30 * day, now + 60 * day),
            coupon("LUNCH15", "15% off lunch", P, "15", "15", "10", start - 10 * day, now + 30 * day, usage_limit=5000),
            coupon(
                "BIGBASKET", "$12 off orders over $90", F, "12", "90", None, start, now + 20 * day, usage_limit=2000
            ),
            coupon("VIP30", "30% for our regulars", P, "30", "40", "25", start, now + 10 * day, usage_limit=150),
            coupon("SPRING20", "Spring sale, 20% off", P, "20", "25", "20", start - 60 * day, start + 9 * day),
            coupon(
                "FLASH8", "$8 off, flash sale", F, "8", "35", None, start + 4 * day, start + 6 * day, usage_limit=300
            ),
            coupon(
                "OLDPROMO", "Retired promotion", P, "25", "0", "10", start - 200 * day, now + 30 * day, is_active=False
            ),
            coupon(
                "NEXTWEEK",
                "Preview: 10% off next week",
                P,
                "10",
                "20",
                None,
                now + 3 * day,
                now + 10 * day,
                usage_limit=1000,
            ),
        ]
        return self._bulk(Coupon, coupons)

    # --- orders ------------------------------------------------------------------------------

    def _order_times(self) -> list[tuple[datetime, bool]]:
        """(created_at in UTC, is_recent) sorted by time; recent ones are left pending or preparing."""
        rng, o, now = self.rng, self.o, self.now
        now_local = now.astimezone(self.tz)
        recent = min(o.orders, max(3, o.orders // 500), 40)
        today_start = datetime.combine(self.today, time(), tzinfo=self.tz)
        low = max(today_start, now - timedelta(minutes=45))
        span = max((now - low).total_seconds() - 30, 1)
        times = [(now - timedelta(seconds=30 + rng.uniform(0, span)), True) for _ in range(recent)]

        hours = demo_data.HOURLY_WEIGHTS
        elapsed_today = sum(hours[: now_local.hour]) + hours[now_local.hour] * now_local.minute / 60
        days = [self.first_day + timedelta(days=d) for d in range(max(o.days, 1))]
        weights = []
        for index, day in enumerate(days):
            growth = 0.8 + 0.4 * index / max(len(days) - 1, 1)
            weight = demo_data.WEEKDAY_WEIGHTS[day.weekday()] * growth
            weights.append(weight * (elapsed_today / sum(hours) if day == self.today else 1))
        rest = o.orders - recent
        if rest and sum(weights):
            hours_today = hours[: now_local.hour + 1]
            for day in rng.choices(days, weights=weights, k=rest):
                is_today = day == self.today
                day_hours = hours_today if is_today else hours
                hour = rng.choices(range(len(day_hours)), weights=day_hours)[0]
                minute_limit = now_local.minute if is_today and hour == now_local.hour else 59
                local = datetime.combine(
                    day, time(hour, rng.randint(0, minute_limit), rng.randint(0, 59)), tzinfo=self.tz
                )
                times.append((min(local.astimezone(UTC), now - timedelta(seconds=1)), False))
        elif rest:  # history of zero weight (before opening on day one): spread over the last hours
            times += [(now - timedelta(minutes=rng.uniform(1, 600)), False) for _ in range(rest)]
        times.sort()
        return times

    def _status(self, age: timedelta, recent: bool) -> str:
        minutes, roll = age.total_seconds() / 60, self.rng.random()
        if recent:
            return Status.PENDING if minutes < 12 or roll < 0.3 else Status.PREPARING
        if minutes < 15:
            return Status.PENDING if roll < 0.6 else Status.PREPARING if roll < 0.95 else Status.CANCELLED
        if minutes < 40:
            return (
                Status.PENDING
                if roll < 0.1
                else Status.PREPARING
                if roll < 0.55
                else Status.OUT_FOR_DELIVERY
                if roll < 0.95
                else Status.CANCELLED
            )
        if minutes < 90:
            return (
                Status.PREPARING
                if roll < 0.05
                else Status.OUT_FOR_DELIVERY
                if roll < 0.4
                else Status.DELIVERED
                if roll < 0.95
                else Status.CANCELLED
            )
        return Status.DELIVERED if roll < 0.92 else Status.CANCELLED

    def _status_time(self, created: datetime, status: str) -> datetime:
        """When the order reached its current status (never in the future)."""
        minutes = {
            Status.PREPARING: (3, 10),
            Status.OUT_FOR_DELIVERY: (18, 35),
            Status.DELIVERED: (35, 75),
            Status.CANCELLED: (2, 15),
        }.get(status, (0, 0))
        reached = created + timedelta(minutes=self.rng.uniform(*minutes))
        return min(reached, self.now - timedelta(seconds=1)).replace(microsecond=0)

    def _pick_customer(self, created: datetime, force_demo: bool) -> Customer:
        if force_demo or not self.customers or self.rng.random() < self.demo_share:
            return self.demo_account
        joined_before = bisect.bisect_right(self.customer_joined, created)
        return self.customers[self.rng.randrange(max(joined_before, 1))]

    def _items(self) -> list[tuple[Product, int]]:
        rng = self.rng
        wanted = rng.choices((1, 2, 3, 4, 5), weights=(30, 30, 20, 12, 8))[0]
        picked = {}
        for product in rng.choices(self.sellable, cum_weights=self.sellable_weights, k=wanted):
            picked.setdefault(product.id, [product, 0])
        for entry in picked.values():
            entry[1] = rng.choices((1, 2, 3, 4), weights=(70, 20, 7, 3))[0]
        items = [tuple(entry) for entry in picked.values()]
        while sum(p.price * q for p, q in items) < self.business.min_order_amount:
            product, quantity = items[0]
            items[0] = (product, quantity + 1)
        return items

    def _coupon_for(self, created: datetime, subtotal: Decimal, customer: Customer) -> Coupon | None:
        """A coupon the order service would have accepted for this customer's order."""
        if self.rng.random() > 0.18:
            return None
        coupon = self.rng.choice(self.coupons)
        uses = self.customer_coupon_uses[customer.id, coupon.id]
        if coupon_refusal(coupon=coupon, subtotal=subtotal, now=created, customer_uses=uses):
            return None
        return coupon

    def _coupon_use(self, coupon: Coupon, customer: Customer, status: str) -> None:
        """Counted as the service counts it: a cancelled order gave its use back."""
        if status != Status.CANCELLED:
            coupon.used_count += 1
            self.customer_coupon_uses[customer.id, coupon.id] += 1

    def _orders(self) -> None:
        sellable = [(p, w) for p, w in self.products if p.is_active] or self.products
        self.sellable = [p for p, _ in sellable]
        self.sellable_weights = list(itertools.accumulate(w for _, w in sellable))
        self.customer_joined = [c.joined for c in self.customers]
        demo = self.demo_customer
        self.demo_account = Customer(demo.id, demo.date_joined, demo.email, self._address())
        self.demo_share = min(0.02, 12 / max(self.o.orders, 1))
        self.customer_coupon_uses: Counter[tuple[int, int]] = Counter()

        times = self._order_times()
        last_recent = max((i for i, (_, recent) in enumerate(times) if recent), default=None)
        for start in range(0, len(times), self.o.batch_size):
            batch = times[start : start + self.o.batch_size]
            plans = [
                self._order_plan(created, recent, force_demo=(start + i == last_recent))
                for i, (created, recent) in enumerate(batch)
            ]
            self._write_orders(plans)
            self.on_orders(len(batch))

        Coupon.objects.bulk_update(self.coupons, ["used_count"])
        self._bulk(
            Activity,
            [
                Activity(
                    action="user.registered", description=f"{u.email} registered", user=u, created_at=u.date_joined
                )
                for u in self.registrations
            ],
        )

    def _number(self, orders: list[Order]) -> None:
        """Number a batch (in time order) from the per-day sequences the order service uses: one
        reservation per local day in the batch."""
        days = [order.created_at.astimezone(self.tz).date() for order in orders]
        following = {day: order_numbers_reserve(day=day, count=n) for day, n in sorted(Counter(days).items())}
        for order, day in zip(orders, days, strict=True):
            order.number = order_number_format(day, following[day])
            following[day] += 1

    def _order_plan(self, created: datetime, recent: bool, force_demo: bool) -> dict:
        rng = self.rng
        customer = self._pick_customer(created, force_demo)
        items = self._items()
        subtotal = sum((p.price * q for p, q in items), Decimal("0"))
        coupon = self._coupon_for(created, subtotal, customer)
        discount = coupon_discount(coupon=coupon, subtotal=subtotal) if coupon else Decimal("0")
        totals = order_totals(
            subtotal=subtotal,
            discount=discount,
            delivery_fee=self.business.delivery_fee,
            tax_rate=self.business.tax_rate,
        )
        status = self._status(self.now - created, recent)
        if coupon:
            self._coupon_use(coupon, customer, status)
        status_changed_at = self._status_time(created, status)
        method = Order.PaymentMethod.CARD if rng.random() < 0.65 else Order.PaymentMethod.CASH
        order = Order(
            user_id=customer.id,
            coupon=coupon,
            coupon_code=coupon.code if coupon else "",
            **asdict(totals),
            status=status,
            payment_method=method,
            delivery_address=customer.address,
            notes=rng.choice(demo_data.ORDER_NOTES) if rng.random() < 0.15 else "",
            created_at=created,
        )
        payments = self._payments(order, status_changed_at)
        if any(p.status == Payment.Status.COMPLETED for p in payments):
            order.payment_status = Order.PaymentStatus.PAID
        elif any(p.status == Payment.Status.REFUNDED for p in payments):
            order.payment_status = Order.PaymentStatus.REFUNDED
        return {
            "order": order,
            "customer": customer,
            "items": items,
            "payments": payments,
            "status_changed_at": status_changed_at,
        }

    def _payments(self, order: Order, status_changed_at: datetime) -> list[Payment]:
        """Cards pay when ordering (refunded if cancelled); cash is collected on delivery."""
        rng, created, status = self.rng, order.created_at, order.status

        def payment(status, at, completed=None):
            return Payment(
                amount=order.total,
                method=order.payment_method,
                status=status,
                transaction_ref=f"pay_{rng.getrandbits(96):024x}",
                created_at=at,
                completed_at=completed,
            )

        if order.payment_method == Order.PaymentMethod.CASH:
            if status != Status.DELIVERED:
                return []
            return [payment(Payment.Status.COMPLETED, status_changed_at, status_changed_at)]
        paid_at = min(created + timedelta(seconds=rng.randint(8, 40)), self.now)
        attempts = []
        if rng.random() < 0.03:
            attempts.append(payment(Payment.Status.FAILED, created + timedelta(seconds=3)))
        if status == Status.PENDING and rng.random() < 0.4:
            attempts.append(payment(Payment.Status.PENDING, paid_at))
        elif status == Status.CANCELLED:
            attempts.append(payment(Payment.Status.REFUNDED, paid_at, paid_at))
        else:
            attempts.append(payment(Payment.Status.COMPLETED, paid_at, paid_at))
        return attempts

    def _write_orders(self, plans: list[dict]) -> None:
        orders = [plan["order"] for plan in plans]
        self._number(orders)
        self._bulk(Order, orders)
        items, payments, notifications, activities = [], [], [], []
        recent_cutoff = self.now - timedelta(days=2)
        for plan in plans:
            order, customer = plan["order"], plan["customer"]
            for product, quantity in plan["items"]:
                items.append(
                    OrderItem(
                        order=order,
                        product=product,
                        name=product.name,
                        unit_price=product.price,
                        quantity=quantity,
                        line_total=product.price * quantity,
                    )
                )
            for payment in plan["payments"]:
                payment.order = order
                payments.append(payment)
                if payment.created_at >= recent_cutoff and payment.status != Payment.Status.PENDING:
                    activities.append(
                        Activity(
                            action=f"payment.{payment.status}",
                            description=(
                                f"Payment {payment.transaction_ref} ({payment.amount}) for order {order.number}: "
                                f"{payment.status}"
                            ),
                            created_at=payment.completed_at or payment.created_at,
                        )
                    )
            activities.append(
                Activity(
                    action="order.placed",
                    description=f"{customer.email} placed order {order.number} ({order.total})",
                    user_id=customer.id,
                    created_at=order.created_at,
                )
            )
            if order.status != Status.PENDING:
                changed = plan["status_changed_at"]
                notifications.append(self._notification(order, customer, changed))
                if changed >= recent_cutoff:
                    cancelled = order.status == Status.CANCELLED
                    activities.append(
                        Activity(
                            action="order.cancelled" if cancelled else "order.status_changed",
                            description=f"Order {order.number}: {PREVIOUS_STATUS[order.status]} → {order.status}",
                            user_id=self.admin.id,
                            created_at=changed,
                        )
                    )
        self._bulk(OrderItem, items)
        self._bulk(Payment, payments)
        self._bulk(Notification, notifications)
        self._bulk(Activity, activities)

    def _notification(self, order: Order, customer: Customer, at: datetime) -> Notification:
        return Notification(
            user_id=customer.id,
            order=order,
            kind="order_status",
            title=f"Order {order.number}: {order.get_status_display().lower()}",
            message=STATUS_MESSAGES[order.status],
            is_read=at < self.now - timedelta(days=3) or self.rng.random() < 0.4,
            created_at=at,
            delivery_status=Notification.Delivery.DELIVERED,
            delivery_attempts=1,
            delivered_at=at + timedelta(seconds=2),
        )
