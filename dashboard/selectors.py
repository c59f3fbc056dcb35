"""The dashboard's reads: today's figures, top products, the revenue chart, recent activity, and the
page's period panels.

The `*_load` functions build each payload from the database in a fixed number of queries, whatever
the store's size; they take `now` (or a period) so tests can pin the clock. Their cached reads are
declared in dashboard/cached.py.

Definitions (the contract leaves these to us):
- "Today" and every chart day run from local midnight to the next local midnight in the
  business's timezone (Business.timezone, else settings.TIME_ZONE), DST days included.
- Revenue is the sum of payments with status `completed`, on the local day of `completed_at`;
  refunded, failed and pending payments are not revenue. A chart row's `count` is the number
  of those payments.
- todayOrders, completedOrders and cancelledOrders count orders *created* today (local), the
  latter two among them by their current status; activeOrders counts every pending, preparing
  or out-for-delivery order whenever it was created; totalUsers counts active users.
- Top products rank all-time sales on orders that are not cancelled, by quantity then revenue;
  items whose product was deleted are left out (they have no product_id to show).
- An activity's `user` is the email of the user who acted, or null.

The /dashboard/ page reads a period (dashboard.periods): its sales and the previous period's,
its top products and the products to restock, its activity in words; see the loaders below.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, Lower, TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from orders.models import Coupon, Order, OrderItem, Payment
from products.models import Product
from products.selectors import LOW_STOCK_LEVEL
from shop.cache import Cached, all_families, pending, stats
from shop.clock import local_day_bounds, local_day_start
from shop.models import Activity, User
from shop.selectors import store_settings

from .cache_families import HOUSEKEEPING
from .periods import DAYS_RANGE, Period

__all__ = ["DAYS_RANGE", "LIMIT_RANGE", "local_day_bounds", "local_day_start"]

LIMIT_RANGE = (1, 50)


# --- time and money helpers ------------------------------------------------------------------
def business_timezone() -> ZoneInfo:
    """The store's timezone (read through business:info); settings.TIME_ZONE when unset or unknown."""
    return store_settings().timezone


def store_today(tz: ZoneInfo) -> date:
    return timezone.now().astimezone(tz).date()


def money(value: Decimal | None) -> str:
    return f"{(value or Decimal('0')):.2f}"


# --- loaders (database only) -------------------------------------------------------------------
def dashboard_stats_load(*, now: datetime) -> dict:
    tz = business_timezone()
    today_start, today_end = local_day_bounds(now.astimezone(tz).date(), tz)
    created_today = Q(created_at__gte=today_start, created_at__lt=today_end)

    revenue = Payment.objects.filter(
        status=Payment.Status.COMPLETED, completed_at__gte=today_start, completed_at__lt=today_end
    ).aggregate(total=Sum("amount"))["total"]
    today = Order.objects.filter(created_today).aggregate(
        placed=Count("id"),
        delivered=Count("id", filter=Q(status=Order.Status.DELIVERED)),
        cancelled=Count("id", filter=Q(status=Order.Status.CANCELLED)),
    )
    active = Order.objects.filter(status__in=Order.ACTIVE_STATUSES).count()
    users = User.objects.filter(is_active=True).count()

    return {
        "todayRevenue": money(revenue),
        "todayOrders": today["placed"],
        "totalUsers": users,
        "activeOrders": active,
        "completedOrders": today["delivered"],
        "cancelledOrders": today["cancelled"],
        "lastUpdated": now.astimezone(tz).isoformat(),
    }


def dashboard_top_products_load(*, limit: int) -> dict:
    rows = (
        OrderItem.objects.filter(product__isnull=False)
        .exclude(order__status=Order.Status.CANCELLED)
        .values("product_id", "product__name", "product__category")
        .annotate(quantity=Sum("quantity"), revenue=Sum("line_total"))
        .order_by("-quantity", "-revenue", "product_id")[:limit]
    )
    return {
        "products": [
            {
                "product_id": row["product_id"],
                "name": row["product__name"],
                "category": row["product__category"],
                "totalQuantity": row["quantity"],
                "totalRevenue": money(row["revenue"]),
            }
            for row in rows
        ]
    }


def completed_payments_per_day(start: datetime, end: datetime, tz: ZoneInfo) -> dict[date, dict]:
    """Local day → {revenue, count} of the payments completed in [start, end): revenue's one definition."""
    return {
        row["day"]: row
        for row in Payment.objects.filter(
            status=Payment.Status.COMPLETED, completed_at__gte=start, completed_at__lt=end
        )
        .annotate(day=TruncDate("completed_at", tzinfo=tz))
        .values("day")
        .annotate(revenue=Sum("amount"), count=Count("id"))
    }


def dashboard_revenue_chart_load(*, days: int, now: datetime) -> dict:
    tz = business_timezone()
    last_day = now.astimezone(tz).date()
    first_day = last_day - timedelta(days=days - 1)
    start, end = local_day_start(first_day, tz), local_day_start(last_day + timedelta(days=1), tz)

    totals = completed_payments_per_day(start, end, tz)
    chart = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        row = totals.get(day, {})
        chart.append({"date": day.isoformat(), "revenue": money(row.get("revenue")), "count": row.get("count", 0)})
    return {"chart": chart}


def dashboard_activities_load(*, limit: int) -> dict:
    entries = (
        Activity.objects.exclude(action__startswith=HOUSEKEEPING)
        .select_related("user")
        .order_by("-created_at", "-id")[:limit]
    )
    return {
        "activities": [
            {
                "id": entry.id,
                "action": entry.action,
                "description": entry.description,
                "user": entry.user.email if entry.user else None,
                # The API's clock (settings.TIME_ZONE), whichever page's request happened to build the entry.
                "created_at": timezone.localtime(entry.created_at, timezone.get_default_timezone()).isoformat(),
            }
            for entry in entries
        ]
    }


# --- the page's period panels (loaders) ---------------------------------------------------------
def dashboard_period_sales_load(*, period: Period) -> dict:
    """Revenue (completed payments by the local day they completed) per day of the period, and the
    period's and the previous period's totals: revenue, payments, and orders placed in the period
    with how many of them are delivered or cancelled now. Two queries."""
    tz = business_timezone()
    previous = period.previous
    start, end = local_day_start(previous.first, tz), local_day_start(period.last + timedelta(days=1), tz)
    per_day = completed_payments_per_day(start, end, tz)

    def created_in(p: Period) -> Q:
        first, last = p.bounds(tz)
        return Q(created_at__gte=first, created_at__lt=last)

    counts = Order.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        **{
            f"{name}_{what}": Count("id", filter=created_in(p) & extra)
            for name, p in (("current", period), ("previous", previous))
            for what, extra in (
                ("orders", Q()),
                ("delivered", Q(status=Order.Status.DELIVERED)),
                ("cancelled", Q(status=Order.Status.CANCELLED)),
            )
        }
    )

    def totals(name: str, p: Period) -> dict:
        rows = [per_day.get(day, {}) for day in p.dates()]
        return {
            "first": p.first.isoformat(),
            "last": p.last.isoformat(),
            "revenue": money(sum((row.get("revenue") or Decimal("0") for row in rows), Decimal("0"))),
            "payments": sum(row.get("count", 0) for row in rows),
            "orders": counts[f"{name}_orders"],
            "delivered": counts[f"{name}_delivered"],
            "cancelled": counts[f"{name}_cancelled"],
        }

    chart = []
    for day in period.dates():
        row = per_day.get(day, {})
        chart.append({"date": day.isoformat(), "revenue": money(row.get("revenue")), "count": row.get("count", 0)})
    return {
        "current": totals("current", period),
        "previous": totals("previous", previous),
        "chart": chart,
    }


def dashboard_period_products_load(*, period: Period, limit: int = 5, low_stock_shown: int = 10) -> dict:
    """Top products of the orders placed in the period (cancelled ones left out), by sales value and
    by units, each with how many orders had them; and the active products that need restocking
    (stock at or below LOW_STOCK_LEVEL), fewest first, with the units sold in the period."""
    tz = business_timezone()
    start, end = period.bounds(tz)
    in_period = Q(order__created_at__gte=start, order__created_at__lt=end) & ~Q(order__status=Order.Status.CANCELLED)
    sold = (
        OrderItem.objects.filter(in_period, product__isnull=False)
        .values("product_id", "product__name", "product__category")
        .annotate(units=Sum("quantity"), sales=Sum("line_total"), orders=Count("order_id", distinct=True))
    )

    def rows(ordering: tuple[str, ...]) -> list[dict]:
        return [
            {
                "product_id": row["product_id"],
                "name": row["product__name"],
                "category": row["product__category"],
                "units": row["units"],
                "sales": money(row["sales"]),
                "orders": row["orders"],
            }
            for row in sold.order_by(*ordering)[:limit]
        ]

    restock = Product.objects.filter(is_active=True, stock__lte=LOW_STOCK_LEVEL)
    sold_in_period = Q(order_items__order__created_at__gte=start, order_items__order__created_at__lt=end) & ~Q(
        order_items__order__status=Order.Status.CANCELLED
    )
    low_stock = restock.annotate(sold=Coalesce(Sum("order_items__quantity", filter=sold_in_period), 0)).order_by(
        "stock", "-sold", "name", "id"
    )[:low_stock_shown]
    return {
        "bySales": rows(("-sales", "-units", "product_id")),
        "byUnits": rows(("-units", "-sales", "product_id")),
        "lowStock": {
            "level": LOW_STOCK_LEVEL,
            "count": restock.count(),
            "products": [
                {"product_id": p.id, "name": p.name, "category": p.category, "stock": p.stock, "sold": p.sold}
                for p in low_stock
            ],
        },
    }


ACTIVITY_TITLES = {
    "order.placed": "New order",
    "order.status_changed": "Order status changed",
    "order.cancelled": "Order cancelled",
    "payment.created": "Payment started",
    "payment.completed": "Payment received",
    "payment.failed": "Payment failed",
    "payment.refunded": "Payment refunded",
    "product.created": "Product added",
    "product.updated": "Product changed",
    "product.deleted": "Product deleted",
    "product.bulk_activated": "Products put on sale",
    "product.bulk_deactivated": "Products hidden",
    "coupon.created": "Coupon created",
    "coupon.updated": "Coupon changed",
    "coupon.deleted": "Coupon deleted",
    "coupons.expired": "Coupons expired",
    "user.registered": "New customer",
    "business.updated": "Store settings changed",
    "notification.bulk_read": "Notifications marked read",
}
STATUS_WORDS = {status: label.lower() for status, label in Order.Status.choices}
TOKEN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+")


def activity_title(action: str) -> str:
    """ "order.status_changed" → "Order status changed" for actions without a title of their own."""
    return ACTIVITY_TITLES.get(action) or action.replace(".", " ").replace("_", " ").capitalize()


def _admin_url(obj) -> str | None:
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


def _activity_targets(entries: list[Activity]) -> dict[int, object]:
    """The row each entry is about: its recorded target, else the order, payment, coupon or user its
    description names (writers that record no target name their row: "Order ORD-…: …").
    At most one query per kind of row, whatever the number of entries."""
    found: dict[int, object] = {}
    by_type: dict[int, dict[int, list[int]]] = {}
    for entry in entries:
        if entry.target_type_id and entry.target_id:
            by_type.setdefault(entry.target_type_id, {}).setdefault(entry.target_id, []).append(entry.id)
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        rows = model._default_manager.select_related("order") if model is Payment else model._default_manager
        for pk, obj in rows.in_bulk(list(ids)).items():
            for entry_id in ids[pk]:
                found[entry_id] = obj

    named = [entry for entry in entries if entry.id not in found]
    tokens = {entry.id: TOKEN.findall(entry.description) for entry in named}
    kinds = {
        "order": lambda words: {o.number: o for o in Order.objects.filter(number__in=words)},
        "payment": lambda words: {
            p.transaction_ref: p for p in Payment.objects.select_related("order").filter(transaction_ref__in=words)
        },
        "coupon": lambda words: {
            c.code.lower(): c
            for c in Coupon.objects.annotate(code_lower=Lower("code")).filter(code_lower__in=[w.lower() for w in words])
        },
        "user": lambda words: {u.email: u for u in User.objects.filter(email__in=[w for w in words if "@" in w])},
    }
    for kind, load in kinds.items():
        mine = [entry for entry in named if entry.action.split(".")[0] in (kind, f"{kind}s")]
        words = {word for entry in mine for word in tokens[entry.id]}
        if not words:
            continue
        rows = load(words)
        for entry in mine:
            for word in tokens[entry.id]:
                obj = rows.get(word.lower() if kind == "coupon" else word)
                if obj is not None:
                    found[entry.id] = obj
                    break
    return found


def activity_text(entry: Activity, target) -> str:
    """The entry in words: payments by amount and order rather than by their provider reference,
    order statuses as words."""
    if isinstance(target, Payment) and entry.action.startswith("payment."):
        return f"{target.get_method_display()} payment of {target.amount:.2f} for order {target.order.number}"
    text = entry.description
    for status, words in STATUS_WORDS.items():
        text = re.sub(rf"(?<![\w-]){re.escape(status)}(?![\w-])", words, text)
    return text


def dashboard_period_activity_load(*, period: Period, limit: int = 10) -> dict:
    """The period's latest activity (housekeeping left out), in words, each with a link to the admin
    page of the row it is about when there is one."""
    tz = business_timezone()
    start, end = period.bounds(tz)
    entries = list(
        Activity.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(action__startswith=HOUSEKEEPING)
        .select_related("user")
        .order_by("-created_at", "-id")[:limit]
    )
    targets = _activity_targets(entries)
    return {
        "activities": [
            {
                "id": entry.id,
                "action": entry.action,
                "title": activity_title(entry.action),
                "text": activity_text(entry, targets.get(entry.id)),
                "url": _admin_url(targets[entry.id]) if entry.id in targets else None,
                "actor": entry.user.email if entry.user else None,
                "actorIsStaff": bool(entry.user and entry.user.is_staff),
                "created_at": entry.created_at.astimezone(tz).isoformat(),
            }
            for entry in entries
        ],
    }


# --- what the HTML pages show about the cache ---------------------------------------------------
@dataclass(frozen=True)
class Panel:
    """A dashboard panel's data, whether it came from Redis, and how old it is."""

    data: dict
    from_cache: bool
    age_seconds: int


def dashboard_panel(cached: Cached) -> Panel:
    return Panel(data=cached.data, from_cache=cached.hit, age_seconds=cached.age_seconds)


def dashboard_overview(*, period: Period, today: date) -> dict[str, Panel]:
    """Every panel of /dashboard/ for a period (checked against the bounds, with the store's `today`),
    each with its age from the entry itself: four cache reads."""
    from dashboard import cached

    return {
        "now": dashboard_panel(cached.dashboard_stats()),
        "sales": dashboard_panel(cached.dashboard_period_sales(period=period, today=today)),
        "products": dashboard_panel(cached.dashboard_period_products(period=period, today=today)),
        "activity": dashboard_panel(cached.dashboard_period_activity(period=period, today=today)),
    }


# --- the cache monitor ---------------------------------------------------------------------------
def cache_monitor_overview(*, keys_shown: int = 100) -> dict:
    """Redis status and memory, the outbox, and per family its declaration, counters and live keys."""
    stats_now = stats(include_keys=True)
    families = []
    for family in sorted(all_families(), key=lambda f: f.name):
        counters = stats_now["families"][family.name]
        entries = counters["entries"]
        hit_rate = counters["hitRate"]
        families.append(
            {
                "name": family.name,
                "pattern": family.pattern,
                "ttl": family.effective_ttl,
                "clears_on": family.models,
                "key_count": len(entries),
                "entries": entries[:keys_shown],
                "entries_hidden": max(0, len(entries) - keys_shown),
                "hits": counters["hits"],
                "misses": counters["misses"],
                "hit_rate_percent": None if hit_rate is None else round(hit_rate * 100, 1),
                "invalidations": counters["invalidations"],
                "errors": counters["errors"],
            }
        )
    return {"redis": stats_now["redis"], "outbox": pending(), "families": families}
