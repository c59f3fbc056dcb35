"""Every dashboard figure links to the admin list it counts, and that list shows the same count."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'<a href="([^"]+)" class="stat-value" data-figure="(\w+)">([^<]+)</a>')
PREVIOUS = re.compile(r'<a href="([^"]+)" data-previous="(\w+)">([^<]+)</a>')
ORDERS_OF_PRODUCT = re.compile(r'<a href="([^"]+)" data-orders="(\d+)">')
RESTOCK = re.compile(r'<a href="([^"]+)" data-restock-count="(\d+)">')


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip())


def admin_list(client, url):
    response = client.get(url.replace("&amp;", "&"))
    assert response.status_code == 200, url
    return response.context["cl"], response.context.get("list_total")


@pytest.mark.parametrize("query", ["", "?days=1", "?days=30", "?days=90", "custom"])
def test_each_figure_and_its_previous_value_lead_to_a_list_with_the_same_count(admin_client, recent_store, query):
    if query == "custom":
        today = recent_store["today"]
        query = f"?start={today - timedelta(days=20)}&end={today - timedelta(days=6)}"
    html = admin_client.get(f"/dashboard/{query}").content.decode()

    figures = FIGURE.findall(html)
    assert [key for _, key, _ in figures] == [
        "activeOrders",
        "totalUsers",
        "revenue",
        "payments",
        "orders",
        "delivered",
        "cancelled",
    ]
    figures = figures[2:]  # the period's; "right now" is checked below
    checked = 0
    for url, key, value in figures:
        changelist, total = admin_list(admin_client, url)
        if key == "revenue":
            assert number(total["value"]) == number(value), url
        else:
            assert changelist.result_count == number(value), (key, url)
        checked += 1
    previous = PREVIOUS.findall(html)
    assert len(previous) == 5
    for url, key, value in previous:
        changelist, total = admin_list(admin_client, url)
        assert (number(total["value"]) if key == "revenue" else changelist.result_count) == number(value), (key, url)
    assert checked == 5
    assert number(figures[2][2]) > 0, "the store has orders in every period looked at"  # orders placed


def test_the_right_now_figures_top_products_and_low_stock_lead_to_lists_with_the_same_count(admin_client, recent_store):
    html = admin_client.get("/dashboard/?days=30").content.decode()

    now = [figure for figure in FIGURE.findall(html) if figure[1] in ("activeOrders", "totalUsers")]
    assert len(now) == 2
    for url, _, value in now:
        assert admin_list(admin_client, url)[0].result_count == number(value), url

    orders = ORDERS_OF_PRODUCT.findall(html)
    assert len(orders) == 10  # five by sales, five by units
    for url, count in orders:
        assert admin_list(admin_client, url)[0].result_count == int(count), url

    [(url, count)] = RESTOCK.findall(html)
    assert int(count) == 3  # stock 0, 3 and 5; not 6 or 50
    assert admin_list(admin_client, url)[0].result_count == 3


def test_a_chart_bar_leads_to_that_days_completed_payments(admin_client, recent_store):
    html = admin_client.get("/dashboard/?days=7").content.decode()
    bars = re.findall(r'<a href="([^"]+)" class="bar-link"><rect class="bar[^"]*"[^>]*data-revenue="([\d.]+)"', html)
    assert len(bars) == 14  # the wide and the narrow chart
    for url, revenue in bars[:7]:
        assert number(admin_list(admin_client, url)[1]["value"]) == Decimal(revenue), url


def test_figures_link_only_to_lists_the_user_may_open(staff_client, staff_user, recent_store):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(Permission.objects.get(codename="view_order"))  # staff, not a superuser
    html = staff_client.get("/dashboard/?days=30").content.decode()
    linked = {key for _, key, _ in FIGURE.findall(html)}
    assert linked == {"activeOrders", "orders", "delivered", "cancelled"}
    assert "/admin/orders/payment/" not in html and "/admin/products/product/" not in html
    assert '<span class="stat-value" data-figure="revenue">' in html  # shown, not linked
