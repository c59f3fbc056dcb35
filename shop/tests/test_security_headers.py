"""Headers for browsers (issue 13 item 12, API.md Conventions): a Content-Security-Policy on every HTML
page that allows scripts and styles from the site itself only; the API docs served from the project
with nothing from another host; CORS only for the configured origins."""

import re

import pytest
from django.test import Client

from shop.models import User


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser(email="s@example.test", password="s-pass-1234", name="S"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/admin/login/",
        "/admin/records/",
        "/admin/products/product/",
        "/admin/shop/business/add/",
        "/dashboard/",
        "/dashboard/cache/",
        "/api/docs/",
        "/api/redoc/",
    ],
)
def test_every_html_page_sends_a_csp_with_scripts_and_styles_from_the_site_only(staff_client, url):
    response = (Client() if url.endswith("/login/") else staff_client).get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/html")
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"][0] == "'self'"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "https:", "http:"} & set(
        policy["style-src"] + policy["script-src"]
    )
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


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


@pytest.mark.django_db
def test_cross_origin_calls_are_refused_unless_the_origin_is_configured(client, settings):
    preflight = {"HTTP_ORIGIN": "https://app.example", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST"}
    response = client.options("/api/v1/orders", **preflight)
    assert "Access-Control-Allow-Origin" not in response

    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    response = client.options("/api/v1/orders", **preflight)
    assert response["Access-Control-Allow-Origin"] == "https://app.example"
    assert "authorization" in response["Access-Control-Allow-Headers"]
    response = client.get("/api/v1/health", HTTP_ORIGIN="https://app.example")
    assert response["Access-Control-Allow-Origin"] == "https://app.example"
    assert "ETag" in response["Access-Control-Expose-Headers"]

    response = client.get("/api/v1/health", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_cors_origins_come_from_the_environment(monkeypatch):
    from config.settings.base import env_list

    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example")
    assert env_list("CORS_ALLOWED_ORIGINS", []) == ["https://a.example", "https://b.example"]
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "")
    assert env_list("CORS_ALLOWED_ORIGINS", []) == []
