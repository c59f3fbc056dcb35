"""The back office's navigation and clock, for every staff page (admin and dashboard alike)."""

from django.urls import reverse

# (label, url name, permission needed or None); the first matching prefix of the path is the current page.
NAVIGATION = (
    ("Dashboard", "dashboard:home", None),
    ("Orders", "admin:orders_order_changelist", "orders.view_order"),
    ("Payments", "admin:orders_payment_changelist", "orders.view_payment"),
    ("Products", "admin:products_product_changelist", "products.view_product"),
    ("Coupons", "admin:orders_coupon_changelist", "orders.view_coupon"),
    ("Customers", "admin:shop_user_changelist", "shop.view_user"),
    ("Activity", "admin:shop_activity_changelist", "shop.view_activity"),
    ("Store settings", "admin:shop_business_changelist", "shop.view_business"),
    ("Cache monitor", "dashboard:cache", None),
    ("All records", "admin:records", None),
)


def backoffice_navigation(request) -> list[dict]:
    user = request.user
    items = [
        {"label": label, "url": reverse(name)}
        for label, name, permission in NAVIGATION
        if permission is None or user.has_perm(permission)
    ]
    # The longest URL that starts the path is the page we are on ("/dashboard/cache/" over "/dashboard/").
    current = max(
        (item for item in items if request.path.startswith(item["url"])), key=lambda i: len(i["url"]), default=None
    )
    for item in items:
        item["current"] = item is current
    return items


def backoffice(request) -> dict:
    store = getattr(request, "store", None)
    user = getattr(request, "user", None)
    if store is None or user is None or not (user.is_active and user.is_staff):
        return {}
    return {"store": store, "backoffice_nav": backoffice_navigation(request)}
