"""The back office's admin (dashboard/sites.py, dashboard/context_processors.py): the dashboard as its home,
one navigation, one clock (the store's)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from model_bakery import baker

from orders.models import Order

pytestmark = pytest.mark.django_db


def test_the_admins_home_is_the_dashboard_and_all_records_moved(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    records = admin_client.get("/admin/records/")
    assert records.status_code == 200
    html = records.content.decode()
    for model in ("Orders", "Payments", "Coupons", "Products", "Users", "Activities"):
        assert f">{model}</a>" in html


def test_anonymous_visitors_of_the_admin_home_go_to_the_admin_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    login = client.get("/admin/login/").content.decode()
    assert 'name="username"' in login and 'name="password"' in login  # the form other doors rely on


@pytest.mark.parametrize("url", ["/dashboard/", "/admin/orders/order/", "/admin/products/product/", "/admin/records/"])
def test_every_staff_page_has_the_same_navigation_and_the_store_clock(admin_client, url):
    baker.make_recipe("shop.business", timezone="America/New_York")
    html = admin_client.get(url).content.decode()
    nav = re.search(r'<nav class="bo-nav" aria-label="Back office">(.*?)</nav>', html, re.S).group(1)
    labels = re.findall(r">([^<]+)</a>", nav)
    assert labels == [
        "Dashboard",
        "Orders",
        "Payments",
        "Products",
        "Coupons",
        "Customers",
        "Activity",
        "Store settings",
        "Cache monitor",
        "All records",
    ]
    current = re.findall(r'aria-current="page">([^<]+)<', nav)
    assert len(current) == 1
    clock = re.search(r'<p class="bo-clock" id="store-clock" data-store-timezone="([^"]+)">', html)
    assert clock.group(1) == "America/New_York"
    assert re.search(r"<span class=\"bo-tz\">E[SD]T · America/New_York</span>", html)


def test_the_navigation_leaves_out_what_the_user_may_not_see(staff_client):
    html = staff_client.get("/dashboard/").content.decode()
    nav = re.search(r'<nav class="bo-nav" aria-label="Back office">(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r">([^<]+)</a>", nav) == ["Dashboard", "Cache monitor", "All records"]


def test_staff_pages_use_no_inline_scripts_or_styles(admin_client):
    """A Content-Security-Policy allowing only same-origin scripts and styles is coming to every page."""
    business = baker.make_recipe("shop.business", timezone="America/New_York")
    order = baker.make_recipe(
        "orders.order", status=Order.Status.PENDING, subtotal=Decimal("2.00"), total=Decimal("2.00")
    )
    baker.make_recipe(
        "orders.order_item", order=order, name="Tea", unit_price=Decimal("2.00"), line_total=Decimal("2.00")
    )
    for url in (
        "/dashboard/",
        "/dashboard/cache/",
        "/admin/orders/order/",
        f"/admin/orders/order/{order.pk}/change/",
        f"/admin/orders/order/{order.pk}/cancel/",
        f"/admin/shop/business/{business.pk}/change/",
        "/admin/products/product/",
        "/admin/records/",
    ):
        html = admin_client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"<style", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert not re.search(r'(src|href)="(https?:)?//', html), url  # nothing from another host


def test_the_records_page_needs_staff(client):
    response = client.get(reverse("admin:records"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
