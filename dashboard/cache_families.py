"""The dashboard's cache families and which changed rows make each stale."""

from products.selectors import LOW_STOCK_LEVEL
from shop.cache import Change, Rows, declare

ORDER, ITEM, PAYMENT = "orders.Order", "orders.OrderItem", "orders.Payment"
HOUSEKEEPING = "cache."
USER, BUSINESS, ACTIVITY, PRODUCT = "shop.User", "shop.Business", "shop.Activity", "products.Product"


def _touches(*columns: str):
    return lambda change: change.touches(*columns)


def housekeeping(change: Change) -> bool:
    """Cache housekeeping ("cache.cleared") is logged, but kept out of the dashboard's activity feed."""
    return all(str(row.get("action", "")).startswith(HOUSEKEEPING) for row in change.rows)


def _cancellation_changed(change: Change) -> bool:
    """Top products leave cancelled orders out: only a move into or out of `cancelled` counts."""
    return change.touches("status") and "cancelled" in {row.get("status") for row in change.rows}


DASHBOARD_STATS = declare(
    "dashboard:stats",
    pattern="dashboard:stats:today",
    ttl=120,
    depends_on=[
        Rows(ORDER, when=_touches("status", "created_at")),
        Rows(PAYMENT, when=_touches("status", "amount", "completed_at")),
        Rows(USER, when=_touches("is_active")),
        Rows(BUSINESS, when=_touches("timezone")),  # it decides when "today" starts
    ],
)
DASHBOARD_TOP_PRODUCTS = declare(
    "dashboard:top-products",
    pattern="dashboard:top-products:{limit}",
    ttl=300,
    depends_on=[
        Rows(ITEM),
        Rows(ORDER, when=_cancellation_changed),
        Rows(PRODUCT, when=_touches("name", "category")),
    ],
)
DASHBOARD_REVENUE_CHART = declare(
    "dashboard:revenue-chart",
    pattern="dashboard:revenue-chart:{days}",
    ttl=300,
    depends_on=[
        Rows(PAYMENT, when=_touches("status", "amount", "completed_at")),
        Rows(BUSINESS, when=_touches("timezone")),
    ],
)
DASHBOARD_ACTIVITIES = declare(
    "dashboard:activities",
    pattern="dashboard:activities:{limit}",
    ttl=60,
    depends_on=[Rows(ACTIVITY, when=lambda change: not housekeeping(change)), Rows(USER, when=_touches("email"))],
)


def _named_or_restocking(change: Change) -> bool:
    """Product rows matter to the period's products when their name or category changes (the lists
    show them), or when a stock or on-sale change concerns a product that is or was to be restocked
    (the low-stock panel): a stock change of a well-stocked product leaves the family alone."""
    if change.touches("name", "category"):
        return True
    return change.touches("stock", "is_active") and any(
        row.get("is_active") and row.get("stock") is not None and row["stock"] <= LOW_STOCK_LEVEL for row in change.rows
    )


# The /dashboard/ page's period panels. A period is explicit local days (dashboard.periods: 1 to 90
# days, starting at most a year back), so the key space is finite and "last 7 days" moves to a new
# key at the store's midnight by itself. Each period key holds the period before it too (sales), so
# a change clears the family rather than guessing which periods a row falls in.
DASHBOARD_PERIOD_SALES = declare(
    "dashboard:period-sales",
    pattern="dashboard:period-sales:{first}:{last}",
    ttl=300,
    depends_on=[
        Rows(ORDER, when=_touches("status", "created_at")),
        Rows(PAYMENT, when=_touches("status", "amount", "completed_at")),
        Rows(BUSINESS, when=_touches("timezone")),
    ],
)
DASHBOARD_PERIOD_PRODUCTS = declare(
    "dashboard:period-products",
    pattern="dashboard:period-products:{first}:{last}",
    ttl=300,
    depends_on=[
        Rows(ITEM),
        Rows(ORDER, when=_touches("status", "created_at")),
        Rows(PRODUCT, when=_named_or_restocking),
        Rows(BUSINESS, when=_touches("timezone")),
    ],
)
DASHBOARD_PERIOD_ACTIVITY = declare(
    "dashboard:period-activity",
    pattern="dashboard:period-activity:{first}:{last}",
    ttl=60,
    depends_on=[
        Rows(ACTIVITY, when=lambda change: not housekeeping(change)),
        Rows(USER, when=_touches("email", "is_staff")),  # "by x@example.com (staff)"
        Rows(BUSINESS, when=_touches("timezone")),
    ],
)
