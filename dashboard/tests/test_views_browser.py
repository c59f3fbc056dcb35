"""The back office in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Screenshots (desktop 1366 px wide, phone 390 px) are saved to test-artifacts/ at the repository root.
"""

import csv
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from model_bakery import baker
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from orders.models import Order, Payment
from products.models import Product
from shop.activity import activity_log
from shop.baker_recipes import PASSWORD
from testing.orders import order_with_lines

from .clock import NEW_YORK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
STAFF = ("staff@example.test", PASSWORD)  # the store's superuser: the admin pages need model permissions
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# What every HTML page will be sent with (another engineer is adding it): same-origin scripts and styles only.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'"


class Tab:
    """A page that records the console's errors (CSP refusals among them)."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture
def open_tab(browser, live_server):
    contexts = []

    def open_(viewport=DESKTOP, csp=True):
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = Tab(context)
        if csp:

            def with_csp(route):
                try:
                    response = route.fetch(max_redirects=0)
                    route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})
                except PlaywrightError:  # the page moved on or closed while this response was in flight
                    pass

            tab.page.route(f"{live_server.url}/**", with_csp)
        return tab

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def store(transactional_db, customer):
    """Twelve days of sales in New York time, a few products running low, staff and a customer."""
    baker.make_recipe("shop.business", name="Corner Store", timezone="America/New_York")
    baker.make_recipe("shop.superuser", email=STAFF[0], name="Staff")
    shopper = customer
    products = [
        baker.make_recipe("products.product", name=name, category=category, price=Decimal(price), stock=stock)
        for name, category, price, stock in [
            ("Espresso beans", "coffee", "14.50", 100),
            ("Oat milk", "dairy", "3.20", 2),
            ("Croissant", "bakery", "2.80", 2),
            ("Green tea", "tea", "6.00", 100),
        ]
    ]
    now = timezone.now()
    for day in range(12):
        for n in range(1 + day % 3):
            product = products[(day + n) % len(products)]
            quantity = 1 + n
            when = now - timedelta(days=day, hours=n)
            status = [Order.Status.DELIVERED, Order.Status.DELIVERED, Order.Status.CANCELLED][(day + n) % 3]
            status = Order.Status.PREPARING if day == 0 else status
            order = order_with_lines([(product, quantity)], user=shopper, created_at=when, status=status)
            total = order.total
            if status != Order.Status.CANCELLED:
                baker.make_recipe(
                    "orders.payment",
                    order=order,
                    amount=total,
                    status=Payment.Status.COMPLETED,
                    completed_at=when + timedelta(minutes=3),
                )
    pending = order_with_lines(
        [(products[0], 2, "14.50")], user=shopper, created_at=now - timedelta(minutes=5), status=Order.Status.PENDING
    )
    activity_log(action="order.placed", description=f"{shopper.email} placed order {pending.number}", user=shopper)
    activity_log(action="cache.cleared", description="Cache cleared: all")
    return {"pending": pending, "products": products}


def log_in(page, base_url, email, password, next_path="/dashboard/"):
    page.goto(f"{base_url}{next_path}")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def screenshot(page, name, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


CONTRAST_JS = """([textSelector, bandSelector]) => {
  const rgb = (color) => color.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = (c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
    const [R, G, B] = [r, g, b].map(linear);
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  return [...document.querySelectorAll(textSelector)].map((element) => {
    const text = luminance(rgb(getComputedStyle(element).color));
    const band = luminance(rgb(getComputedStyle(element.closest(bandSelector)).backgroundColor));
    return [element.textContent.trim(), (Math.max(text, band) + 0.05) / (Math.min(text, band) + 0.05)];
  });
}"""


def contrast_ratios(page, text_selector: str, band_selector: str) -> list[tuple[str, float]]:
    """(text, WCAG contrast ratio) of each element's text colour against its band's background."""
    ratios = page.evaluate(CONTRAST_JS, [text_selector, band_selector])
    assert ratios, f"nothing matches {text_selector}"
    return ratios


def nav_labels(page) -> list[str]:
    return [text.strip() for text in page.locator("nav.bo-nav a").all_inner_texts()]


def count_of(text: str) -> int:
    return int(text.replace(",", "").strip())


def test_one_navigation_and_one_clock_across_the_dashboard_and_the_admin(open_tab, live_server, store):
    tab = open_tab()
    page = tab.page
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "login-desktop")
    log_in(page, live_server.url, *STAFF)
    assert page.url == f"{live_server.url}/dashboard/"
    dashboard_nav = nav_labels(page)
    clock = page.locator("#store-clock")
    assert clock.get_attribute("data-store-timezone") == "America/New_York"
    local_now = timezone.now().astimezone(NEW_YORK)
    assert local_now.strftime("%a") in clock.inner_text() and "America/New_York" in clock.inner_text()

    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Orders").click()
    page.wait_for_url(re.compile(r"/admin/orders/order/$"))
    assert nav_labels(page) == dashboard_nav, "the admin has the dashboard's navigation"
    assert page.locator('nav.bo-nav a[aria-current="page"]').inner_text() == "Orders"
    assert page.locator("#store-clock").get_attribute("data-store-timezone") == "America/New_York"
    screenshot(page, "admin-orders-desktop", full_page=False)

    page.locator("div.breadcrumbs").get_by_role("link", name="Home").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))  # the admin's home is the dashboard

    page.get_by_role("link", name="All records").click()
    page.wait_for_url(re.compile(r"/admin/records/$"))
    expect(page.get_by_role("link", name="Notifications")).to_be_visible()
    for caption, ratio in contrast_ratios(page, ".module caption a.section", ".module caption"):
        assert ratio >= 4.5, f"the app name {caption!r} is hard to read on its band (contrast {ratio:.1f}:1)"
    screenshot(page, "admin-all-records-desktop", full_page=False)

    page.get_by_role("link", name="Store settings").click()
    page.get_by_role("link", name="Corner Store", exact=True).click()
    expect(page.locator('table.opening-hours tr[data-day="fri"]')).to_be_visible()
    page.locator("#id_opening_hours_fri_closed").uncheck()
    page.locator("#id_opening_hours_fri_open").fill("09:30")
    page.locator("#id_opening_hours_fri_close").fill("21:00")
    screenshot(page, "admin-store-settings-desktop")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    from shop.models import Business

    assert Business.objects.get().opening_hours["fri"] == "09:30-21:00"

    for url in ("/admin/orders/payment/", "/admin/orders/coupon/", "/admin/products/product/"):
        page.goto(f"{live_server.url}{url}")
        assert nav_labels(page) == dashboard_nav
    assert tab.errors == [], tab.errors  # nothing refused by the Content-Security-Policy, no script errors


@pytest.mark.parametrize("viewport_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_period_selector_changes_and_names_every_panel(open_tab, live_server, store, viewport_name, viewport):
    tab = open_tab(viewport)
    page = tab.page
    log_in(page, live_server.url, *STAFF)
    chart = "svg.revenue-chart-wide" if viewport_name == "desktop" else "svg.revenue-chart-narrow"
    headings = ["#sales-title", "#top-title", "#activities-title"]

    for link, label, bars in (
        ("Today", "today", 1),
        ("7 days", "last 7 days", 7),
        ("30 days", "last 30 days", 30),
        ("90 days", "last 90 days", 90),
    ):
        page.get_by_role("navigation", name="Period").get_by_role("link", name=link, exact=True).click()
        page.wait_for_load_state()
        assert page.locator("#period-name").inner_text() == f"· {label}"
        for heading in headings:
            assert page.locator(heading).inner_text().endswith(f", {label}"), heading
        assert f"sold {label}." in page.locator("#low-stock-panel").inner_text()
        assert page.locator(f"{chart} rect.bar").count() == bars
        assert page.locator(f"{chart} rect.bar-partial").count() == 1, "today's bar is marked as under way"
        screenshot(page, f"dashboard-{label.replace(' ', '-')}-{viewport_name}")

    today = timezone.now().astimezone(NEW_YORK).date()
    first, last = today - timedelta(days=9), today - timedelta(days=3)
    page.locator("#id_start").fill(first.isoformat())
    page.locator("#id_end").fill(last.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"start="))
    label = f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    for heading in headings:
        assert page.locator(heading).inner_text().endswith(label), heading
    assert page.locator(f"{chart} rect.bar").count() == 7
    assert page.locator(f"{chart} rect.bar-partial").count() == 0
    screenshot(page, f"dashboard-custom-range-{viewport_name}")

    if viewport_name == "phone":
        no_horizontal_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert no_horizontal_scroll, "the dashboard fits a phone's width"
    assert tab.errors == [], tab.errors


def test_on_a_phone_the_whole_chart_with_its_y_axis_is_on_screen(open_tab, live_server, store):
    page = open_tab(PHONE).page
    log_in(page, live_server.url, *STAFF)
    page.goto(f"{live_server.url}/dashboard/?days=30")
    narrow = page.locator("svg.revenue-chart-narrow")
    expect(narrow).to_be_visible()
    expect(page.locator("svg.revenue-chart-wide")).to_be_hidden()
    narrow.scroll_into_view_if_needed()
    box = narrow.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    labels = narrow.locator(".y-axis text.axis-label")
    assert labels.count() >= 2
    for index in range(labels.count()):
        label = labels.nth(index).bounding_box()
        assert label["x"] >= 0 and label["x"] + label["width"] <= PHONE["width"], "y-axis label off screen"
        assert label["height"] >= 9, "y-axis label too small to read"
    screenshot(page, "dashboard-chart-phone", full_page=False)


def test_a_figures_link_lands_on_the_admin_list_with_the_same_count(open_tab, live_server, store):
    tab = open_tab()
    page = tab.page
    log_in(page, live_server.url, *STAFF)
    page.goto(f"{live_server.url}/dashboard/?days=30")

    for figure in ("orders", "cancelled", "payments"):
        shown = count_of(page.locator(f'a[data-figure="{figure}"]').inner_text())
        page.locator(f'a[data-figure="{figure}"]').click()
        page.wait_for_url(re.compile(r"/admin/orders/"))
        assert count_of(page.locator("#list-summary strong[data-count]").inner_text()) == shown, figure
        page.go_back()

    revenue = page.locator('a[data-figure="revenue"]').inner_text()
    page.locator('a[data-figure="revenue"]').click()
    page.wait_for_url(re.compile(r"/admin/orders/payment/"))
    assert page.locator("#list-summary strong[data-total]").inner_text() == revenue
    screenshot(page, "admin-payments-from-revenue-desktop", full_page=False)
    page.go_back()

    active = count_of(page.locator('a[data-figure="activeOrders"]').inner_text())
    page.locator('a[data-figure="activeOrders"]').click()
    page.wait_for_url(re.compile(r"status=active"))
    assert count_of(page.locator("#list-summary strong[data-count]").inner_text()) == active == 2
    page.go_back()

    restock = page.locator("[data-restock-count]")
    shown = count_of(restock.inner_text().split()[0])
    restock.click()
    page.wait_for_url(re.compile(r"stock_level=restock"))
    assert page.locator("#result_list tbody tr").count() == shown == 2
    assert tab.errors == [], tab.errors


def test_the_order_page_changes_status_and_asks_before_cancelling(open_tab, live_server, store):
    tab = open_tab()
    page = tab.page
    order = store["pending"]
    log_in(page, live_server.url, *STAFF)
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    expect(page.locator("#order-status-title .status-badge")).to_have_text("Pending")
    screenshot(page, "admin-order-page-desktop", full_page=False)

    page.get_by_role("button", name="Start preparing").click()
    expect(page.locator("ul.messagelist")).to_contain_text(f"Order {order.number} is now preparing.")
    expect(page.locator("#order-status-title .status-badge")).to_have_text("Preparing")

    page.get_by_role("link", name="Cancel order…").click()
    page.wait_for_url(re.compile(r"/cancel/$"))
    expect(page.locator("h1")).to_have_text(f"Cancel order {order.number}?")
    screenshot(page, "admin-order-cancel-confirmation-desktop", full_page=False)
    page.get_by_role("link", name="No, keep it").click()
    expect(page.locator("#order-status-title .status-badge")).to_have_text("Preparing")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PREPARING

    page.get_by_role("link", name="Cancel order…").click()
    page.get_by_role("button", name=f"Yes, cancel order {order.number}").click()
    expect(page.locator("#order-status-title .status-badge")).to_have_text("Cancelled")
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert Product.objects.get(pk=store["products"][0].pk).stock == 100 + 2

    page.get_by_role("link", name="History").click()
    history = page.locator("#change-history").inner_text()
    assert "Status: pending → preparing" in history and "Status: preparing → cancelled" in history
    screenshot(page, "admin-order-history-desktop", full_page=False)
    assert tab.errors == [], tab.errors

    phone = open_tab(PHONE).page
    phone.goto(f"{live_server.url}/accounts/login/")
    screenshot(phone, "login-phone")
    log_in(phone, live_server.url, *STAFF)
    phone.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    expect(phone.locator("#order-status-title .status-badge")).to_have_text("Cancelled")
    screenshot(phone, "admin-order-page-phone", full_page=False)


def test_the_csv_export_holds_the_filtered_list(open_tab, live_server, store):
    tab = open_tab()
    page = tab.page
    log_in(page, live_server.url, *STAFF)
    page.goto(f"{live_server.url}/admin/orders/order/")
    page.locator("#changelist-filter").get_by_role("link", name="Delivered", exact=True).click()
    page.wait_for_url(re.compile(r"status=delivered"))
    page.locator("#changelist-filter").get_by_role("link", name="Last 7 days").click()
    page.wait_for_url(re.compile(r"created_at__from="))
    listed = count_of(page.locator("#list-summary strong[data-count]").inner_text())
    numbers_on_screen = set(page.locator("#result_list tbody th.field-number a").all_inner_texts())

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    path = download.value.path()
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == listed > 0
    assert {row["status"] for row in rows} == {"delivered"}
    assert {row["number"] for row in rows} == numbers_on_screen
    week_ago = (timezone.now().astimezone(NEW_YORK) - timedelta(days=6)).date().isoformat()
    assert all(row["created_at"][:10] >= week_ago for row in rows)
    assert tab.errors == [], tab.errors


@pytest.mark.parametrize("url", ["/admin/orders/order/", "/admin/orders/payment/", "/admin/orders/coupon/"])
def test_admin_lists_fit_1366_pixels_one_line_per_row(open_tab, live_server, store, url):
    now = timezone.now()
    baker.make_recipe(
        "orders.coupon",
        code="WELCOME10",
        discount_type="percent",
        value=Decimal("10"),
        max_discount=Decimal("15"),
        valid_from=now,
        valid_until=now + timedelta(days=60),
        usage_limit=100,
    )
    page = open_tab().page
    log_in(page, live_server.url, *STAFF)
    page.goto(f"{live_server.url}{url}")
    fits = page.evaluate(
        "() => { const t = document.querySelector('#result_list');"
        " return t.scrollWidth <= t.parentElement.clientWidth; }"
    )
    assert fits, "the list's columns fit without scrolling sideways"
    heights = page.evaluate(
        "() => [...document.querySelectorAll('#result_list tbody tr')].map(r => r.getBoundingClientRect().height)"
    )
    assert heights and max(heights) < 2 * min(heights), "every row is one line"
    name = url.strip("/").split("/")[-1]
    screenshot(page, f"admin-{name}-list-desktop", full_page=False)
    phone = open_tab(PHONE).page
    log_in(phone, live_server.url, *STAFF)
    phone.goto(f"{live_server.url}{url}")
    screenshot(phone, f"admin-{name}-list-phone", full_page=False)


def test_staff_clears_a_family_from_the_cache_monitor(open_tab, live_server, store):
    page = open_tab().page
    log_in(page, live_server.url, *STAFF)  # loading /dashboard/ fills the dashboard families
    page.get_by_role("link", name="Cache monitor").click()
    page.wait_for_url(re.compile(r"/dashboard/cache/$"))

    family = page.locator('[data-family="dashboard:stats"]')
    assert family.locator(".key-count").inner_text() == "1"
    assert "dashboard:stats:today" in family.inner_text()
    assert page.locator("[data-redis-status]").inner_text().lower() == "up"
    screenshot(page, "cache-monitor-desktop")

    family.get_by_role("button", name="Clear dashboard:stats").click()
    page.wait_for_load_state()
    assert "Cleared dashboard:stats" in page.locator(".messages").inner_text()
    assert page.locator('[data-family="dashboard:stats"] .key-count').inner_text() == "0"
    assert page.locator('[data-family="dashboard:period-activity"] .key-count').inner_text() == "1"


def test_a_customer_is_refused(open_tab, live_server, store, customer):
    page = open_tab().page
    log_in(page, live_server.url, customer.email, PASSWORD)
    assert "/accounts/login/" in page.url
    assert "not a staff account" in page.locator("#not-staff").inner_text()
    assert page.locator(".stat-card").count() == 0
    screenshot(page, "customer-refused-desktop")

    page.goto(f"{live_server.url}/dashboard/cache/")
    assert "/accounts/login/" in page.url and page.locator(".family").count() == 0


def test_staff_logs_out_with_the_nav_button(open_tab, live_server, store):
    page = open_tab().page
    log_in(page, live_server.url, *STAFF)
    page.goto(f"{live_server.url}/admin/orders/order/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/dashboard/")
    assert "/accounts/login/" in page.url
