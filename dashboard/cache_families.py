"""The dashboard's cache families and which changed rows make each stale."""

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
