"""The dashboard's reads: today's figures, top products, the revenue chart, recent activity.

Each public selector reads through its cache family and returns `Cached` (the stored JSON bytes
and whether they came from Redis). The `*_load` functions build the payload from the database in a
fixed number of queries, whatever the store's size; they take `now` so tests can pin the clock.

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
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from orders.models import Order, OrderItem, Payment
from shop.cache import Cached, all_families, pending, stats
from shop.models import Activity, User
from shop.selectors import store_settings

from .cache_families import HOUSEKEEPING

LIMIT_RANGE = (1, 50)
DAYS_RANGE = (1, 90)


# --- time and money helpers ------------------------------------------------------------------
def business_timezone() -> ZoneInfo:
    """The store's timezone (read through business:info); settings.TIME_ZONE when unset or unknown."""
    return store_settings().timezone


def dashboard_currency() -> str:
    """The store's currency code for labelling amounts ("" before the business row exists)."""
    return store_settings().currency


def local_day_start(day: date, tz: ZoneInfo) -> datetime:
    """The aware instant a local calendar day begins (23 or 25 hours before the next, across DST)."""
    return datetime.combine(day, time.min, tzinfo=tz)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as aware datetimes."""
    return local_day_start(day, tz), local_day_start(day + timedelta(days=1), tz)


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


def dashboard_revenue_chart_load(*, days: int, now: datetime) -> dict:
    tz = business_timezone()
    last_day = now.astimezone(tz).date()
    first_day = last_day - timedelta(days=days - 1)
    start, end = local_day_start(first_day, tz), local_day_start(last_day + timedelta(days=1), tz)

    totals = {
        row["day"]: row
        for row in Payment.objects.filter(
            status=Payment.Status.COMPLETED, completed_at__gte=start, completed_at__lt=end
        )
        .annotate(day=TruncDate("completed_at", tzinfo=tz))
        .values("day")
        .annotate(revenue=Sum("amount"), count=Count("id"))
        .order_by("day")
    }
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
                "created_at": timezone.localtime(entry.created_at).isoformat(),
            }
            for entry in entries
        ]
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


def dashboard_overview(*, days: int, top_limit: int = 5, activities_limit: int = 10) -> dict[str, Panel]:
    """Every panel of /dashboard/, with its age from the entry itself (no extra round trip)."""
    from dashboard import cached

    return {
        "stats": dashboard_panel(cached.dashboard_stats()),
        "chart": dashboard_panel(cached.dashboard_revenue_chart(days=days)),
        "top_products": dashboard_panel(cached.dashboard_top_products(limit=top_limit)),
        "activities": dashboard_panel(cached.dashboard_activities(limit=activities_limit)),
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
