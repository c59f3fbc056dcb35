"""Staff pages: the dashboard and the cache monitor (Django session, staff only)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import user_passes_test
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from shop import services as shop_services
from shop.errors import NotFound

from . import links, selectors
from .charts import NARROW, WIDE, revenue_bar_chart
from .forms import DashboardPeriodForm
from .periods import PRESET_DAYS, Period


def is_staff(user) -> bool:
    return user.is_active and user.is_staff


# Anyone not logged in as staff (anonymous or a customer) is sent to the login page.
staff_required = user_passes_test(is_staff, login_url=settings.LOGIN_URL)


@dataclass(frozen=True)
class Figure:
    """A number on the dashboard, the admin list it counts, and the previous period's number."""

    key: str
    label: str
    value: str
    url: str  # empty when the user may not open that list
    previous: str
    previous_url: str
    change: str  # "+12.5 %", "−3.0 %", "same", "up from 0"
    tone: str  # "good", "bad" or "flat": more cancellations is not good news
    note: str = ""


def change_between(current: Decimal, previous: Decimal) -> tuple[str, int]:
    """The change in words, and its direction (1 up, -1 down, 0 none)."""
    if current == previous:
        return "same", 0
    if previous == 0:
        return "up from 0", 1
    percent = (current - previous) / previous * 100
    return f"{'+' if percent > 0 else '−'}{abs(percent):.1f} %", 1 if percent > 0 else -1


# (key, label, value in a period's totals, link to the list it counts, model of that list, note, more is good)
FIGURES = (
    ("revenue", "Revenue", "revenue", "payments", "orders.payment", "completed payments", True),
    ("payments", "Payments", "payments", "payments", "orders.payment", "completed", True),
    ("orders", "Orders placed", "orders", "orders", "orders.order", "", True),
    ("delivered", "Delivered", "delivered", "delivered", "orders.order", "of the orders placed", True),
    ("cancelled", "Cancelled", "cancelled", "cancelled", "orders.order", "of the orders placed", False),
)


def _list_url(kind: str, period: Period) -> str:
    if kind == "payments":
        return links.completed_payments(period.first, period.last)
    return links.orders_placed(period, status=None if kind == "orders" else kind)


def period_figures(sales: dict, period: Period, *, currency: str, may_view) -> list[Figure]:
    figures = []
    for key, label, total, kind, model, note, more_is_good in FIGURES:
        now_value, then_value = str(sales["current"][total]), str(sales["previous"][total])
        change, direction = change_between(Decimal(now_value), Decimal(then_value))
        visible = may_view(model)
        figures.append(
            Figure(
                key=key,
                label=f"{label} ({currency})" if key == "revenue" and currency else label,
                value=now_value,
                url=_list_url(kind, period) if visible else "",
                previous=then_value,
                previous_url=_list_url(kind, period.previous) if visible else "",
                change=change,
                tone="flat" if direction == 0 else ("good" if (direction > 0) == more_is_good else "bad"),
                note=note,
            )
        )
    return figures


def preset_links(period: Period, today: date) -> list[dict]:
    current = period.preset(today)
    return [
        {
            "days": days,
            "label": "Today" if days == 1 else f"{days} days",
            "url": f"?days={days}",
            "current": days == current,
        }
        for days in PRESET_DAYS
    ]


def viewable(user):
    """`may_view("orders.order")`: whether the user may open that model's admin list."""

    def may_view(model: str) -> bool:
        app_label, model_name = model.split(".")
        return user.has_perm(f"{app_label}.view_{model_name}") or user.has_perm(f"{app_label}.change_{model_name}")

    return may_view


def _admin_model(url: str | None) -> str | None:
    """ "/admin/orders/order/3/change/" → "orders.order"."""
    parts = (url or "").strip("/").split("/")
    return f"{parts[1]}.{parts[2]}" if len(parts) > 2 and parts[0] == "admin" else None


@require_GET
@staff_required
def dashboard_home(request):
    store = request.store  # dashboard.middleware.StoreTimezoneMiddleware; the store's timezone is active
    may_view = viewable(request.user)
    today = selectors.store_today(store.timezone)
    form = DashboardPeriodForm(request.GET or None, today=today)
    period = form.period()
    panels = selectors.dashboard_overview(period=period, today=today)
    sales = panels["sales"].data

    def day_url(iso_day: str) -> str:
        day = date.fromisoformat(iso_day)
        return links.completed_payments(day, day) if may_view("orders.payment") else ""

    charts = {
        name: revenue_bar_chart(sales["chart"], canvas, today=today, day_url=day_url)
        for name, canvas in (("wide", WIDE), ("narrow", NARROW))
    }
    activities = [
        {**entry, "url": entry["url"] if may_view(_admin_model(entry["url"]) or "-.-") else None}
        for entry in panels["activity"].data["activities"]
    ]
    context = {
        "panels": panels,
        "now_stats": panels["now"].data,
        "period": period,
        "period_label": period.label(today),
        "previous_label": period.previous.label(today),
        "period_includes_today": period.last == today,
        "presets": preset_links(period, today),
        "form": form,
        "period_problems": form.problems(),
        "figures": period_figures(sales, period, currency=store.currency, may_view=may_view),
        "charts": charts,
        "chart": charts["wide"],
        "currency": store.currency,
        "links": {
            "active_orders": links.active_orders() if may_view("orders.order") else "",
            "active_accounts": links.active_accounts() if may_view("shop.user") else "",
            "restock": links.products_to_restock() if may_view("products.product") else "",
            "activity": links.activity_log(period) if may_view("shop.activity") else "",
        },
        "top_rankings": _top_rankings(panels["products"].data, period, may_view),
        "low_stock": _low_stock(panels["products"].data, may_view),
        "activities": activities,
    }
    return render(request, "dashboard/home.html", context)


def _top_rankings(data: dict, period: Period, may_view) -> list[dict]:
    products, orders = may_view("products.product"), may_view("orders.order")

    def linked(rows):
        return [
            {
                **row,
                "url": links.product(row["product_id"]) if products else "",
                "orders_url": links.orders_placed(period, status="not_cancelled", product_id=row["product_id"])
                if orders
                else "",
            }
            for row in rows
        ]

    return [
        {"key": "sales", "title": "By sales value", "rows": linked(data["bySales"])},
        {"key": "units", "title": "By units sold", "rows": linked(data["byUnits"])},
    ]


def _low_stock(data: dict, may_view) -> dict:
    low = data["lowStock"]
    products = may_view("products.product")
    return {
        **low,
        "label": f"{low['count']:,} product{'' if low['count'] == 1 else 's'}",
        "products": [{**p, "url": links.product(p["product_id"]) if products else ""} for p in low["products"]],
    }


@require_GET
@staff_required
def cache_monitor(request):
    return render(request, "dashboard/cache_monitor.html", {"monitor": selectors.cache_monitor_overview()})


@require_POST
@staff_required
def cache_clear(request):
    family = request.POST.get("family", "")
    try:
        cleared = shop_services.cache_clear(selector=family, user=request.user, source="cache monitor")
    except NotFound:
        messages.error(request, f"There is no cache family called “{family}”.")
    else:
        what = "every family" if family == "all" else family
        messages.success(request, f"Cleared {what} ({len(cleared)} famil{'y' if len(cleared) == 1 else 'ies'}).")
    return redirect("dashboard:cache")
