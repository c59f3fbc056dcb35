from shop.cache import declare

DASHBOARD_STATS = declare(
    "dashboard:stats",
    pattern="dashboard:stats:today",
    ttl=120,
    clears_on=["orders.Order", "orders.Payment", "shop.User"],
)
DASHBOARD_TOP_PRODUCTS = declare(
    "dashboard:top-products", pattern="dashboard:top-products:{limit}", ttl=300, clears_on=["orders.Order"]
)
DASHBOARD_REVENUE_CHART = declare(
    "dashboard:revenue-chart", pattern="dashboard:revenue-chart:{days}", ttl=300, clears_on=["orders.Payment"]
)
DASHBOARD_ACTIVITIES = declare(
    "dashboard:activities", pattern="dashboard:activities:{limit}", ttl=60, clears_on=["shop.Activity"]
)
