"""With DEBUG=0 every HTML page works before anyone has run collectstatic (issue 13, item 11): the
production storage links files it has no manifest entry for by their plain names, and whitenoise
serves them from the apps' static folders."""

import re

import pytest
from django.test import Client, override_settings

from config.settings.base import STORAGES as PRODUCTION_STORAGES

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:No directory at")]

PAGES = [
    ("/accounts/login/", False),
    ("/admin/login/", False),
    ("/admin/records/", True),  # the admin's own index (/admin/ opens the dashboard)
    ("/admin/shop/user/", True),
    ("/dashboard/", True),
    ("/dashboard/cache/", True),
]


@pytest.fixture
def production_static(tmp_path):
    """DEBUG off, the production storage, and a STATIC_ROOT that collectstatic never filled."""
    with override_settings(
        DEBUG=False,
        STORAGES=PRODUCTION_STORAGES,
        STATIC_ROOT=tmp_path / "staticfiles",
        WHITENOISE_AUTOREFRESH=False,
    ):
        yield


@pytest.mark.parametrize("page, as_staff", PAGES, ids=[page for page, _ in PAGES])
def test_pages_are_not_a_500_before_collectstatic_with_debug_off(production_static, admin_user, page, as_staff):
    client = Client(raise_request_exception=False)
    if as_staff:
        client.force_login(admin_user)

    response = client.get(page)

    assert response.status_code == 200, response.content[:300]
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', response.content.decode())
    assert assets, "the page links its stylesheet"
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content), asset


def test_the_lockout_page_renders_with_debug_off(production_static, customer, settings):
    client = Client(raise_request_exception=False)
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": customer.email, "password": f"guess-{n}"})
    assert response.status_code == 429 and b"Too many failed login attempts" in response.content
