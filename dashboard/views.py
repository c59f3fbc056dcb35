"""Staff pages: the dashboard and the cache monitor (Django session, staff only)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import user_passes_test
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shop import services as shop_services
from shop.errors import NotFound
from shop.selectors import store_settings

from . import selectors
from .charts import revenue_bar_chart
from .forms import CHART_PERIODS, ChartPeriodForm


def is_staff(user) -> bool:
    return user.is_active and user.is_staff


# Anyone not logged in as staff (anonymous or a customer) is sent to the login page.
staff_required = user_passes_test(is_staff, login_url=settings.LOGIN_URL)


@require_GET
@staff_required
def dashboard_home(request):
    period = ChartPeriodForm(request.GET)
    days = period.days_or_default()
    panels = selectors.dashboard_overview(days=days)
    store = store_settings()
    context = {
        "panels": panels,
        "stats": panels["stats"].data,
        "chart": revenue_bar_chart(panels["chart"].data["chart"]),
        "days": days,
        "periods": CHART_PERIODS,
        "period_rejected": "days" in request.GET and not period.is_valid(),
        "currency": store.currency,
        "timezone_name": store.timezone.key,
    }
    # Times on the page are the store's local times, like its "today".
    with timezone.override(store.timezone):
        return render(request, "dashboard/home.html", context)


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
