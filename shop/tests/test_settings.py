"""The project's settings (config/settings/) against what a hostile client or a careless deployment could
exploit.

Start-up settings (issue 13, items 9, 15 and 20): each of those tests runs the settings in a fresh Python
process, with the environment it names.

Headers for browsers (issue 13 item 12, API.md Conventions): a Content-Security-Policy on every HTML page
that allows scripts and styles from the site itself only; CORS only for the configured origins. (The API
docs under that policy: api/test_docs.py.)
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    """`python *args` in the project, with the test run's environment changed by `env` (None: unset)."""
    environment = {k: v for k, v in os.environ.items() if k not in env}
    environment.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def run_python(code: str, **env: str | None) -> subprocess.CompletedProcess:
    return run("-c", code, **env)


def run_manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    return run("manage.py", *args, **env)


def test_debug_off_without_a_secret_key_refuses_to_start_even_with_the_old_dev_switch():
    """Item 9: no publicly known fallback key (the removed SHOP_ALLOW_DEV_SECRET=1 does nothing)."""
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="0",
        SECRET_KEY=None,
        SHOP_ALLOW_DEV_SECRET="1",
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_debug_off_with_a_secret_key_starts():
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="0", SECRET_KEY="a-real-secret-" + "x" * 40
    )
    assert result.returncode == 0, result.stderr


def test_the_test_suite_refuses_an_exported_sqlite_database_url_with_a_clear_message(tmp_path):
    """Item 20: tests do not follow DATABASE_URL to SQLite (where the concurrency tests fail misleadingly)."""
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    result = run_python(
        "import django; django.setup()", DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=url
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: The test suite runs on PostgreSQL" in result.stderr
    assert url in result.stderr and "django.db.backends.sqlite3" in result.stderr
    assert not (tmp_path / "shop.sqlite3").exists()


IS_SECURE = (
    "import django; django.setup()\n"
    "from django.test import RequestFactory\n"
    "print(RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https').is_secure())\n"
)


def test_a_client_sent_x_forwarded_proto_is_not_trusted_without_proxies():
    """Item 15: with NUM_PROXIES=0 (the default) a client cannot claim its plain-HTTP request is HTTPS."""
    result = run_python(IS_SECURE, DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="1", NUM_PROXIES=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_x_forwarded_proto_is_trusted_behind_a_configured_proxy():
    result = run_python(IS_SECURE, DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="1", NUM_PROXIES="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


# --- headers for browsers -------------------------------------------------------------------------
def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


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
def test_every_html_page_sends_a_csp_with_scripts_and_styles_from_the_site_only(client, admin_client, url):
    response = (client if url.endswith("/login/") else admin_client).get(url)
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
