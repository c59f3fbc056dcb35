"""The OpenAPI schema at /api/schema/ describes what the server really answers.

Schemathesis generates requests from the schema against a live server on the test database, with
every check (`--checks all`: no 5xx, statuses, content types, headers and bodies as documented,
schema-valid input accepted and schema-invalid input refused, auth enforced, ...) and every phase
(examples, coverage, fuzzing, stateful), once as an admin and once as a customer. The few rules a
JSON schema cannot state are listed in schemathesis.toml beside this file.

`SCHEMATHESIS_MAX_EXAMPLES` (default 12) trades depth for time; `SCHEMATHESIS_EXTRA_ARGS` is appended
to the command line (e.g. "--include-tag products --report ndjson").
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from model_bakery import baker
from rest_framework_simplejwt.tokens import RefreshToken

from shop.models import Business, Notification, User

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES") or "12"


@pytest.fixture
def store(transactional_db, settings):
    """A store with a product, a coupon, an order, its payment and a notification; throttles out of the way."""
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/min"),
    }
    Business.objects.create(name="Shop", min_order_amount="0.00")
    admin = User.objects.create_user(email="st-admin@example.test", password="st-admin-pass-1", name="A", is_staff=True)
    customer = User.objects.create_user(email="st-customer@example.test", password="st-customer-pass-1", name="C")
    products = baker.make("products.Product", price="2.00", stock=10_000, is_active=True, _quantity=3)
    baker.make(
        "orders.Coupon",
        code="TEN",
        discount_type="percent",
        value="10.00",
        valid_from="2020-01-01T00:00:00Z",
        valid_until="2099-01-01T00:00:00Z",
        is_active=True,
    )
    order = baker.make(
        "orders.Order", user=customer, status="pending", payment_status="unpaid", payment_method="card", total="2.00"
    )
    baker.make("orders.OrderItem", order=order, product=products[0], name="P", unit_price="2.00", quantity=1)
    baker.make("orders.Payment", order=order, amount="2.00", method="card", status="pending")
    Notification.objects.create(user=customer, title="Hello", message="m", order=order)
    return {"admin": admin, "customer": customer}


def run_schemathesis(url: str, user, workdir: Path) -> subprocess.CompletedProcess:
    token = RefreshToken.for_user(user).access_token
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/api/schema/",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        "1",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--no-color",
        *os.environ.get("SCHEMATHESIS_EXTRA_ARGS", "").split(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=workdir)


@pytest.mark.parametrize("role", ["admin", "customer"])
def test_the_schema_holds_under_generated_requests(role, store, api_live_server, tmp_path):
    result = run_schemathesis(api_live_server.url, store[role], tmp_path)
    summary = result.stdout[result.stdout.rfind("SUMMARY") - 40 :]
    print(summary)
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
    assert re.search(r"\d+ generated", summary), summary
