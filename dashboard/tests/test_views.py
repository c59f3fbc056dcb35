"""The staff pages with Django's test client: access, panels, cache badges, the monitor's clear buttons."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from dashboard import cached
from dashboard.cache_families import DASHBOARD_ACTIVITIES, DASHBOARD_PERIOD_SALES, DASHBOARD_STATS
from dashboard.periods import Period
from shop import cache
from shop.activity import activity_log
from shop.baker_recipes import PASSWORD
from testing.cache import RoundTrips, family_keys, make_older

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/cache/"])
def test_anonymous_is_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/cache/"])
def test_a_customer_is_sent_to_the_login_page_with_an_explanation(client, customer, url):
    client.force_login(customer)
    response = client.get(url, follow=True)
    assert response.redirect_chain == [(f"/accounts/login/?next={url}", 302)]
    assert b"not a staff account" in response.content
    assert b"stat-card" not in response.content


PANELS = ("now-panel", "sales-panel", "top-products-panel", "low-stock-panel", "activities-panel")


def panel_html(html: str, panel_id: str) -> str:
    start = html.index(f'id="{panel_id}"')
    following = [html.index(f'id="{p}"') for p in PANELS if html.find(f'id="{p}"') > start]
    return html[start : min(following, default=len(html))]


def test_the_dashboard_shows_every_panel_from_the_database_then_from_the_cache(admin_client, recent_store):
    first = admin_client.get("/dashboard/")
    assert first.status_code == 200
    html = first.content.decode()
    for panel in PANELS:
        assert f'id="{panel}"' in html
    # Right now, sales, products (top products and low stock share it), activity: four reads.
    assert html.count('data-cache="miss"') == 5 and "fresh from database" in html
    assert len(re.findall(r'<rect class="bar', html)) == 2 * 7  # the wide chart and the phone's
    assert "Item A" in html

    second = admin_client.get("/dashboard/").content.decode()
    assert second.count('data-cache="hit"') == 5
    assert re.search(r"cached · \d+ s old", second)


def test_a_cached_panel_says_how_old_it_is(admin_client, recent_store):
    admin_client.get("/dashboard/")
    today = recent_store["today"]
    make_older(DASHBOARD_PERIOD_SALES, Period.ending(days=7, today=today).key(), 125)
    html = admin_client.get("/dashboard/").content.decode()
    assert "cached · 2 min 5 s old" in panel_html(html, "sales-panel")


@pytest.mark.parametrize(
    "query, label, bars",
    [
        ("", "last 7 days", 7),
        ("?days=1", "today", 1),
        ("?days=30", "last 30 days", 30),
        ("?days=90", "last 90 days", 90),
        ("?days=abc", "last 7 days", 7),
        ("?days=500", "last 7 days", 7),
    ],
)
def test_the_period_switch_changes_and_names_every_panel(admin_client, recent_store, query, label, bars):
    html = admin_client.get(f"/dashboard/{query}").content.decode()
    assert len(re.findall(r'<rect class="bar', panel_html(html, "sales-panel"))) == 2 * bars
    assert f'data-days="{bars}"' in html
    assert f"Sales, {label}</h2>" in html
    assert f"Top products, {label}</h2>" in html
    assert f"Activity, {label}</h2>" in html
    assert f"sold {label}." in panel_html(html, "low-stock-panel")
    assert f"· {label}</span>" in html  # the page's title
    assert ("Showing the last 7 days." in html) == (query in ("?days=abc", "?days=500"))


def test_a_custom_range_is_named_by_its_dates(admin_client, recent_store):
    today = recent_store["today"]
    first, last = today - timedelta(days=13), today - timedelta(days=7)
    html = admin_client.get(f"/dashboard/?start={first}&end={last}").content.decode()
    label = f"{first.day} {first:%b} – {last.day} {last:%b %Y}" if first.year == last.year else None
    assert label and f"Sales, {label}</h2>" in html and f"Activity, {label}</h2>" in html
    assert len(re.findall(r'<rect class="bar', panel_html(html, "sales-panel"))) == 2 * 7
    assert 'data-partial="true"' not in html  # a period in the past has no day under way
    assert f'value="{first}"' in html and f'value="{last}"' in html  # the form keeps the range


@pytest.mark.parametrize(
    "query", ["?start=2020-01-01&end=2020-01-31", "?start=2099-01-01&end=2099-01-02", "?start=x&end=y"]
)
def test_a_range_outside_the_bounds_is_refused_with_a_message(admin_client, recent_store, query):
    response = admin_client.get(f"/dashboard/{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "period-problem" in html and "Sales, last 7 days</h2>" in html


def test_todays_bar_is_marked_as_under_way(admin_client, recent_store):
    html = admin_client.get("/dashboard/?days=7").content.decode()
    today = recent_store["today"].isoformat()
    partial = re.findall(r'<rect class="bar bar-partial"[^>]*data-date="([\d-]+)"[^>]*data-partial="true"', html)
    assert partial == [today, today]  # the wide chart and the phone's
    assert "Today so far: the day isn" in html and "(so far)" in html


def test_the_comparison_names_the_previous_period(admin_client, recent_store):
    html = admin_client.get("/dashboard/?days=7").content.decode()
    previous = recent_store["today"] - timedelta(days=13), recent_store["today"] - timedelta(days=7)
    assert f"Compared with {previous[0].day} {previous[0]:%b}" in html
    assert len(re.findall(r'class="stat-compare tone-(?:good|bad|flat)"', html)) == 5


def test_recent_activity_is_in_words_links_its_rows_and_leaves_housekeeping_out(admin_client, recent_store, staff_user):
    product = recent_store["products"][0]
    activity_log(action="cache.cleared", description="Cache cleared: all", user=staff_user)
    activity_log(
        action="product.updated",
        description=f"Product {product.name}: price 2.50 → 2.75",
        user=staff_user,
        target=product,
    )
    html = panel_html(admin_client.get("/dashboard/").content.decode(), "activities-panel")
    assert "Cache cleared" not in html and 'data-action="cache.cleared"' not in html
    assert (
        f'<a href="/admin/products/product/{product.pk}/change/">Product {product.name}: price 2.50 → 2.75</a>' in html
    )
    assert "Product changed" in html and "by staff@example.test (staff)" in html
    assert "product.updated</span>" not in html  # no raw codes


def test_the_cache_monitor_lists_families_keys_and_counters(staff_client, staff_user):
    cached.dashboard_stats()
    cached.dashboard_stats()
    html = staff_client.get("/dashboard/cache/").content.decode()
    assert 'data-redis-status="up"' in html
    for family in cache.all_families():
        assert f'data-family="{family.name}"' in html
    stats_section = html[
        html.index('data-family="dashboard:stats"') : html.index('data-family="dashboard:top-products"')
    ]
    assert "dashboard:stats:today" in stats_section
    assert 'data-key-count="1"' in stats_section
    assert "50.0 %" in stats_section  # one miss, one hit


def test_clearing_a_family_from_the_monitor(staff_client, staff_user):
    cached.dashboard_stats()
    cached.dashboard_activities(limit=20)
    response = staff_client.post("/dashboard/cache/clear", {"family": "dashboard:stats"}, follow=True)
    assert response.redirect_chain == [("/dashboard/cache/", 302)]
    assert "Cleared dashboard:stats" in response.content.decode()
    assert family_keys(DASHBOARD_STATS) == []
    assert len(family_keys(DASHBOARD_ACTIVITIES)) == 1, "other families are left alone"


def test_clear_all_from_the_monitor(staff_client):
    cached.dashboard_stats()
    cached.dashboard_activities(limit=20)
    staff_client.post("/dashboard/cache/clear", {"family": "all"})
    assert family_keys(DASHBOARD_STATS) == [] and family_keys(DASHBOARD_ACTIVITIES) == []


def test_clearing_an_unknown_family_clears_nothing(staff_client):
    cached.dashboard_stats()
    response = staff_client.post("/dashboard/cache/clear", {"family": "dashboard:nonsense"}, follow=True)
    assert "There is no cache family" in response.content.decode()
    assert len(family_keys(DASHBOARD_STATS)) == 1


def test_clearing_needs_post_with_csrf_and_staff(staff_user, customer):
    cached.dashboard_stats()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff_user)
    assert strict.post("/dashboard/cache/clear", {"family": "all"}).status_code == 403
    assert strict.get("/dashboard/cache/clear").status_code == 405

    as_customer = Client()
    as_customer.force_login(customer)
    assert as_customer.post("/dashboard/cache/clear", {"family": "all"}).status_code == 302
    assert len(family_keys(DASHBOARD_STATS)) == 1


def test_login_page_labels_the_field_email(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">Email</label>' in html
    assert 'type="email" name="username"' in html


def test_staff_logs_in_with_email_and_password(client, staff_user):
    response = client.post(
        "/accounts/login/", {"username": staff_user.email, "password": PASSWORD, "next": "/dashboard/"}
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_logout_is_a_post_form_in_the_nav(staff_client):
    html = staff_client.get("/dashboard/").content.decode()
    assert re.search(
        r'<form method="post" action="/accounts/logout/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', html
    )
    staff_client.post("/accounts/logout/")
    assert staff_client.get("/dashboard/").status_code == 302


def test_a_warm_dashboard_costs_five_redis_round_trips_and_only_the_sessions_sql(
    admin_client, recent_store, django_assert_num_queries, monkeypatch
):
    """Warm: the business row (the store's clock) and the four panels, one round trip each; the SQL
    is the session and its user, whatever the period."""
    admin_client.get("/dashboard/?days=30")
    trips = RoundTrips(monkeypatch)
    with django_assert_num_queries(2), trips:
        html = admin_client.get("/dashboard/?days=30").content.decode()
    assert html.count('data-cache="hit"') == 5
    assert trips.count == 5
