"""The OpenAPI schema at /api/schema/ describes what the server really answers.

Schemathesis generates requests from the schema (as an admin), against a live server on the test
database, and checks that nothing is a 5xx and every documented response matches its schema.
It covers every route in the schema, the other apps' included.
"""

import os
import subprocess
import sys
from pathlib import Path

from model_bakery import baker
from rest_framework_simplejwt.tokens import RefreshToken

from shop.models import Business, User

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# The coverage phase (boundary and negative cases) adds about two minutes; run it with
# SCHEMATHESIS_PHASES=coverage,fuzzing,stateful.
PHASES = os.environ.get("SCHEMATHESIS_PHASES") or "fuzzing,stateful"


def test_schema_conformance_under_generated_requests(live_server, tmp_path):
    admin = User.objects.create_user(email="st-admin@example.test", password="st-admin-pass-1", name="A", is_staff=True)
    Business.objects.create(name="Shop")
    baker.make("products.Product", price="2.00", stock=3, _quantity=3)
    token = RefreshToken.for_user(admin).access_token

    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--phases",
        PHASES,
        "--max-examples",
        "20",
        "--seed",
        "1",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--no-color",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    print(result.stdout[-6000:])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
