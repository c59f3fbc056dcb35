"""Start-up settings that a hostile client or a careless deployment could exploit (issue 13, items 9,
15 and 20). Each runs the settings in a fresh Python process, with the environment it names."""

import os
import subprocess
import sys
from pathlib import Path

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
