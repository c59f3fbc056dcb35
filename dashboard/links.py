"""Where each dashboard figure leads: the admin list filtered to exactly the rows it counts.

The filters are the admin's own (shop.admin_filters.StoreDayRangeFilter for store days,
orders.admin.filters.OrderStatusFilter for "active", ...), so the list shows the same count as the figure
(dashboard/tests/test_links.py checks each one against the admin's own count).
"""

from datetime import date
from urllib.parse import urlencode

from django.urls import reverse

from dashboard.periods import Period
from shop.admin_filters import day_range_params


def changelist(model: str, **params) -> str:
    """`model` as "app_label.modelname"; `params` the list's query string."""
    app_label, model_name = model.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return f"{url}?{urlencode(sorted(params.items()))}" if params else url


def change_page(model: str, pk: int) -> str:
    app_label, model_name = model.split(".")
    return reverse(f"admin:{app_label}_{model_name}_change", args=[pk])


def completed_payments(first: date, last: date) -> str:
    """Revenue: completed payments by the store day they completed."""
    return changelist("orders.payment", status__exact="completed", **day_range_params("completed_at", first, last))


def orders_placed(period: Period, *, status: str | None = None, product_id: int | None = None) -> str:
    """Orders created in the period's store days; `status` a status or a group (active, not_cancelled)."""
    params = day_range_params("created_at", period.first, period.last)
    if status:
        params["status"] = status
    if product_id is not None:
        params["product"] = str(product_id)
    return changelist("orders.order", **params)


def active_orders() -> str:
    return changelist("orders.order", status="active")


def active_accounts() -> str:
    return changelist("shop.user", is_active__exact="1")


def products_to_restock() -> str:
    return changelist("products.product", stock_level="restock", is_active__exact="1")


def product(pk: int) -> str:
    return change_page("products.product", pk)


def activity_log(period: Period) -> str:
    return changelist("shop.activity", **day_range_params("created_at", period.first, period.last))
