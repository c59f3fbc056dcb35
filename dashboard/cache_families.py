from shop.cache import declare

DASHBOARD_STATS = declare(
    "dashboard:stats",
    pattern="dashboard:stats:today",
    ttl=120,
    # The business row holds the timezone that decides when "today" starts.
    clears_on=["orders.Order", "orders.Payment", "shop.User", "shop.Business"],
)
DASHBOARD_TOP_PRODUCTS = declare(
    "dashboard:top-products", pattern="dashboard:top-products:{limit}", ttl=300, clears_on=["orders.Order"]
)
DASHBOARD_REVENUE_CHART = declare(
    "dashboard:revenue-chart",
    pattern="dashboard:revenue-chart:{days}",
    ttl=300,
    clears_on=["orders.Payment", "shop.Business"],
)
DASHBOARD_ACTIVITIES = declare(
    "dashboard:activities", pattern="dashboard:activities:{limit}", ttl=60, clears_on=["shop.Activity"]
)
