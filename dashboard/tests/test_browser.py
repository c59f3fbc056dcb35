"""The staff pages in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Screenshots of each page are saved to test-artifacts/ at the repository root.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import sync_playwright

from orders.models import Order, Payment
from shop.activity import activity_log
from shop.models import User

from .builders import make_business, make_order, make_payment, make_product

# Playwright's sync API keeps an event loop in this thread; the ORM calls made here are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
STAFF = ("staff@example.test", "staff-pass-123")
CUSTOMER = ("shopper@example.test", "shopper-pass-123")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def store(transactional_db):
    """A few days of sales in New York time, a staff account and a customer."""
    make_business("America/New_York")
    User.objects.create_user(email=STAFF[0], password=STAFF[1], name="Staff", is_staff=True)
    shopper = User.objects.create_user(email=CUSTOMER[0], password=CUSTOMER[1], name="Shopper")
    products = [
        make_product(name, category, price)
        for name, category, price in [
            ("Espresso beans", "coffee", "14.50"),
            ("Oat milk", "dairy", "3.20"),
            ("Croissant", "bakery", "2.80"),
            ("Green tea", "tea", "6.00"),
        ]
    ]
    now = timezone.now()
    for day in range(12):
        for n in range(1 + day % 3):
            product = products[(day + n) % len(products)]
            when = now - timedelta(days=day, hours=n)
            status = Order.Status.DELIVERED if day else Order.Status.PREPARING
            order = make_order(shopper, when, status, [(product, 1 + n, str(product.price))])
            make_payment(order, str(order.total), Payment.Status.COMPLETED, when + timedelta(minutes=3))
    activity_log(action="order.placed", description="Order T-000001 placed", user=shopper)
    activity_log(action="product.updated", description="Oat milk restocked")


def log_in(page, base_url, email, password, next_path="/dashboard/"):
    page.goto(f"{base_url}{next_path}")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_staff_sees_stat_cards_and_the_chart_and_switches_to_30_days(page, live_server, store):
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "login")
    log_in(page, live_server.url, *STAFF)

    assert page.url == f"{live_server.url}/dashboard/"
    assert page.locator(".stat-card").count() == 6
    assert page.locator('[data-stat="todayOrders"] .stat-value').inner_text().strip() != ""
    assert page.locator("svg.revenue-chart rect.bar").count() == 7
    assert page.locator("#chart-panel .cache-badge").inner_text() == "fresh from database"
    assert page.locator("#top-products-panel tbody tr").count() == 4
    assert page.locator(".activity-list li").count() == 2
    screenshot(page, "dashboard")

    page.get_by_role("link", name="30 days").click()
    page.wait_for_url(re.compile(r"/dashboard/\?days=30$"))
    assert page.locator("svg.revenue-chart rect.bar").count() == 30
    assert page.locator("#chart-title").inner_text() == "Revenue, last 30 days"
    screenshot(page, "dashboard-30-days")

    page.reload()
    assert re.fullmatch(r"cached · \d+ s old", page.locator("#stats-panel .cache-badge").inner_text())

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    no_horizontal_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_horizontal_scroll, "the dashboard fits a phone's width"
    screenshot(page, "dashboard-phone")


def test_staff_clears_a_family_from_the_cache_monitor(page, live_server, store):
    log_in(page, live_server.url, *STAFF)  # loading /dashboard/ fills the dashboard families
    page.get_by_role("link", name="Cache monitor").click()
    page.wait_for_url(re.compile(r"/dashboard/cache/$"))

    family = page.locator('[data-family="dashboard:stats"]')
    assert family.locator(".key-count").inner_text() == "1"
    assert "dashboard:stats:today" in family.inner_text()
    assert page.locator("[data-redis-status]").inner_text().lower() == "up"
    screenshot(page, "cache-monitor")

    family.get_by_role("button", name="Clear dashboard:stats").click()
    page.wait_for_load_state()
    assert "Cleared dashboard:stats" in page.locator(".messages").inner_text()
    assert page.locator('[data-family="dashboard:stats"] .key-count').inner_text() == "0"
    assert page.locator('[data-family="dashboard:activities"] .key-count').inner_text() == "1"
    screenshot(page, "cache-monitor-cleared")


def test_a_customer_is_refused(page, live_server, store):
    log_in(page, live_server.url, *CUSTOMER)
    assert "/accounts/login/" in page.url
    assert "not a staff account" in page.locator("#not-staff").inner_text()
    assert page.locator(".stat-card").count() == 0
    screenshot(page, "customer-refused")

    page.goto(f"{live_server.url}/dashboard/cache/")
    assert "/accounts/login/" in page.url and page.locator(".family").count() == 0


def test_staff_logs_out_with_the_nav_button(page, live_server, store):
    log_in(page, live_server.url, *STAFF)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/dashboard/")
    assert "/accounts/login/" in page.url
