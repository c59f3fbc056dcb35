"""The API docs pages (shop/api/docs.py) are served from the project with nothing from another host
(issue 13 item 12, issue 14). They render in headless Chromium with every request to another host
refused, and the site's Content-Security-Policy (scripts and styles from the site itself only) breaks
neither them nor the admin. Screenshots go to test-artifacts/.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from model_bakery import baker

from products.models import Product
from shop.baker_recipes import PASSWORD


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/?script=", "/api/redoc/"])
def test_the_api_docs_load_nothing_from_another_host(client, url):
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), text
    assert "googleapis" not in text and "jsdelivr" not in text and "unpkg" not in text
    assert "<script>" not in text and "<style" not in text  # no inline script or style either
    if url != "/api/docs/?script=":
        assert "/static/drf_spectacular_sidecar/" in text


@pytest.mark.django_db
def test_only_redoc_gets_the_nonce_and_hashes_for_its_bundles_styles(client):
    redoc = policy_of(client.get("/api/redoc/"))["style-src"]
    assert redoc[0] == "'self'" and any(source.startswith("'nonce-") for source in redoc)
    assert policy_of(client.get("/api/docs/"))["style-src"] == ["'self'"]


# --- in headless Chromium -----------------------------------------------------------------------
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
# Record CSP violations from the first script on: Playwright's init scripts are not subject to the page's CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def offline_page(browser, api_live_server):
    """A page that can reach the live server only; every other request is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    context.add_init_script(RECORD_VIOLATIONS)
    foreign = []

    def only_local(route):
        if route.request.url.startswith(api_live_server.url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.foreign_requests, page.console_errors = foreign, console_errors
    yield page
    context.close()


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def assert_clean(page, response, *, blocked_images=()):
    """Nothing left the machine, the CSP blocked nothing (but `blocked_images`), no script error."""
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self'" in policy, policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    assert page.foreign_requests == []
    violations = [
        v
        for v in page.evaluate("window.__cspViolations")
        if not any(v.startswith(f"img-src {url}") for url in blocked_images)
    ]
    assert violations == [], "\n".join(violations)
    errors = [e for e in page.console_errors if not any(url in e for url in blocked_images)]
    assert errors == [], "\n".join(errors)


@pytest.mark.browser
def test_swagger_ui_renders_offline_under_the_csp(offline_page, api_live_server):
    page = offline_page
    response = page.goto(f"{api_live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Store API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-tag-section").first.wait_for()
    tags = [t.strip() for t in page.locator(".opblock-tag-section h3 .nostyle span").all_inner_texts()]
    assert tags[:3] == ["auth", "business", "products"]
    assert page.locator(".opblock").count() >= 40

    # The order example places against the demo store: products that exist there, no coupon.
    page.locator("#operations-orders-orders_create").click()
    example = page.locator("#operations-orders-orders_create .body-param__example").inner_text()
    assert '"product_id": 1' in example and "coupon_code" not in example
    screenshot(page, "api-docs-swagger")
    assert_clean(page, response)


@pytest.mark.browser
def test_redoc_renders_offline_under_the_csp(offline_page, api_live_server):
    page = offline_page
    response = page.goto(f"{api_live_server.url}/api/redoc/")
    page.locator("h1").first.wait_for()
    assert "Store API" in page.locator("h1").first.inner_text()
    menu = page.locator("[role=menuitem], .menu-content li label").all_inner_texts()
    assert any("orders" in item.lower() for item in menu)
    page.locator("h2", has_text="Place an order").first.wait_for()
    screenshot(page, "api-docs-redoc")
    # ReDoc 2.x always shows its vendor's logo from cdn.redoc.ly; img-src stops it before any request.
    assert_clean(page, response, blocked_images=("https://cdn.redoc.ly/",))


@pytest.mark.browser
def test_the_admin_works_under_the_csp(offline_page, api_live_server):
    baker.make_recipe("shop.superuser", email="csp-admin@example.test")
    product = baker.make_recipe("products.product", name="Rye", slug="rye", price=Decimal("5.75"), stock=3)
    page = offline_page
    page.goto(f"{api_live_server.url}/admin/login/")
    page.fill("#id_username", "csp-admin@example.test")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/$"))  # the back office's home
    assert_clean(page, page.reload())

    response = page.goto(f"{api_live_server.url}/admin/products/product/{product.pk}/change/")
    page.fill("#id_stock", "4")
    page.click("input[name=_save]")
    page.wait_for_url(f"{api_live_server.url}/admin/products/product/")
    assert Product.objects.get(pk=product.pk).stock == 4
    screenshot(page, "admin-under-csp")
    assert_clean(page, response)
