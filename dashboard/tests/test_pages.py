"""The staff pages with Django's test client: access, panels, cache badges, the monitor's clear buttons."""

import re

import pytest
from django.test import Client

from dashboard import cached
from dashboard.cache_families import DASHBOARD_ACTIVITIES, DASHBOARD_REVENUE_CHART, DASHBOARD_STATS
from shop import cache
from testing.cache import family_keys, make_older

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


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


def test_the_dashboard_shows_every_panel_from_the_database_then_from_the_cache(staff_client, sample_store):
    first = staff_client.get("/dashboard/")
    assert first.status_code == 200
    html = first.content.decode()
    for panel in ("stats-panel", "chart-panel", "top-products-panel", "activities-panel"):
        assert f'id="{panel}"' in html
    assert html.count('data-cache="miss"') == 4 and "fresh from database" in html
    assert html.count('class="stat-card') == 6
    assert len(re.findall(r'<rect class="bar"', html)) == 7
    assert "Apple" in html and "Cheese" in html

    second = staff_client.get("/dashboard/").content.decode()
    assert second.count('data-cache="hit"') == 4
    assert re.search(r"cached · \d+ s old", second)


def test_a_cached_panel_says_how_old_it_is(staff_client, admin_user):
    cached.dashboard_revenue_chart(days=7)
    make_older(DASHBOARD_REVENUE_CHART, {"days": 7}, 125)
    html = staff_client.get("/dashboard/").content.decode()
    chart_panel = html[html.index('id="chart-panel"') : html.index('id="top-products-panel"')]
    assert "cached · 2 min 5 s old" in chart_panel


@pytest.mark.parametrize("days, bars", [("30", 30), ("90", 90), ("1", 1), ("abc", 7), ("500", 7)])
def test_the_period_switch_changes_the_number_of_bars(staff_client, days, bars):
    html = staff_client.get(f"/dashboard/?days={days}").content.decode()
    assert len(re.findall(r'<rect class="bar"', html)) == bars
    assert f'data-days="{bars}"' in html


def test_the_cache_monitor_lists_families_keys_and_counters(staff_client, admin_user):
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


def test_clearing_a_family_from_the_monitor(staff_client, admin_user):
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


def test_clearing_needs_post_with_csrf_and_staff(admin_user, customer):
    cached.dashboard_stats()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
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


def test_staff_logs_in_with_email_and_password(client, admin_user):
    response = client.post(
        "/accounts/login/", {"username": "admin@example.test", "password": "admin-pass-123", "next": "/dashboard/"}
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
