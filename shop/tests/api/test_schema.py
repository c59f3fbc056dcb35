"""The OpenAPI schema at /api/schema/ tells the truth (issue 13 item 18, issue 14 API docs): enums, bounds,
which routes need no login, errors with their `code` per status, tags, ids, descriptions, and examples
that are valid and, for placing an order, work against the demo store.

And it describes what the server really answers: Schemathesis generates requests from the schema against
a live server on the test database, with every check (`--checks all`: no 5xx, statuses, content types,
headers and bodies as documented, schema-valid input accepted and schema-invalid input refused, auth
enforced, ...) and every phase (examples, coverage, fuzzing, stateful), once as an admin and once as a
customer. The few rules a JSON schema cannot state are listed in shop/tests/schemathesis.toml.

`SCHEMATHESIS_MAX_EXAMPLES` (default 12) trades depth for time; `SCHEMATHESIS_EXTRA_ARGS` is appended
to the command line (e.g. "--include-tag products --report ndjson").
"""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from model_bakery import baker
from rest_framework_simplejwt.tokens import RefreshToken

from orders.models import Coupon, Order, Payment
from shop.api.responses import ERROR_OF_STATUS

RESOURCES = [
    "auth",
    "business",
    "products",
    "coupons",
    "orders",
    "payments",
    "notifications",
    "dashboard",
    "operations",
]
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).resolve().parents[1] / "schemathesis.toml"
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES") or "12"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/?format=json").json()


def operations(schema):
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield route, method, operation


def resolve(schema, node):
    while "$ref" in node or len(node.get("allOf", [])) == 1:
        node = node["allOf"][0] if "allOf" in node else schema["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


def as_json_schema(node):
    """OpenAPI 3.0 → JSON Schema: `nullable` becomes a null alternative."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items() if key not in ("example", "examples")}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def validator_for(schema, target):
    root = {**as_json_schema(target), "components": as_json_schema(schema["components"])}
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_every_operation_is_tagged_by_resource_with_a_consistent_id_and_a_description(schema):
    assert [tag["name"] for tag in schema["tags"]] == RESOURCES
    ids = []
    for route, method, operation in operations(schema):
        (tag,) = operation["tags"]
        assert tag in RESOURCES, (route, tag)
        assert operation["operationId"].startswith(f"{tag}_"), (route, method, operation["operationId"])
        assert operation.get("summary") and len(operation.get("description", "")) > 20, (route, method)
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids)) >= 40


def test_payments_and_the_webhook_use_the_payment_status_enum(schema):
    payment_statuses = sorted(Payment.Status.values)
    assert payment_statuses == ["completed", "failed", "pending", "refunded"]
    for route, method in [("/api/v1/payments/{payment_id}", "patch"), ("/api/v1/payments/webhook", "post")]:
        body = resolve(schema, schema["paths"][route][method]["requestBody"]["content"]["application/json"]["schema"])
        assert body["required"] == ["status", "transaction_ref"] or "status" in body["required"]
        assert sorted(resolve(schema, body["properties"]["status"])["enum"]) == payment_statuses
    payment = schema["components"]["schemas"]["PaymentOutput"]
    assert sorted(resolve(schema, payment["properties"]["status"])["enum"]) == payment_statuses
    order = schema["components"]["schemas"]["OrderOutput"]
    assert sorted(resolve(schema, order["properties"]["payment_status"])["enum"]) == sorted(Order.PaymentStatus.values)


@pytest.mark.parametrize(
    "route, method",
    [
        ("/api/v1/products", "get"),
        ("/api/v1/products/{product_id}", "get"),
        ("/api/v1/business", "get"),
        ("/api/v1/coupons/active", "get"),
        ("/api/v1/health", "get"),
        ("/api/v1/auth/login", "post"),
    ],
)
def test_public_routes_are_declared_as_needing_no_login(schema, route, method):
    security = schema["paths"][route][method].get("security", [])
    assert security == [] or {} in security, security


@pytest.mark.parametrize(
    "route, method",
    [
        ("/api/v1/orders", "get"),
        ("/api/v1/products", "post"),
        ("/api/v1/business", "patch"),
        ("/api/v1/auth/me", "get"),
    ],
)
def test_routes_that_need_a_login_say_so(schema, route, method):
    security = schema["paths"][route][method]["security"]
    assert security and {} not in security
    assert "401" in schema["paths"][route][method]["responses"]


def test_every_error_response_documents_its_code(schema):
    for route, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            body = resolve(schema, response["content"]["application/json"]["schema"])
            assert resolve(schema, body["properties"]["code"])["enum"] == [ERROR_OF_STATUS[int(status)][0]], (
                route,
                method,
                status,
            )
        assert {"400", "500", "503"} <= set(operation["responses"]), (route, method)
        if "requestBody" in operation:
            assert {"413", "415"} <= set(operation["responses"]), (route, method)


def request_properties(schema):
    for route, method, operation in operations(schema):
        if "requestBody" in operation:
            body = resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])
            stack = [(route, method, body)]
            while stack:
                route, method, node = stack.pop()
                node = resolve(schema, node)
                assert node.get("additionalProperties") is False or "properties" not in node, (route, method)
                for name, prop in node.get("properties", {}).items():
                    prop = resolve(schema, prop)
                    yield route, method, name, prop
                    if prop.get("type") == "object":
                        stack.append((route, method, prop))
                    if prop.get("type") == "array":
                        stack.append((route, method, prop["items"]))


def test_every_number_a_client_sends_is_bounded(schema):
    numbers = 0
    for route, method, name, prop in request_properties(schema):
        if prop.get("type") == "integer":
            assert "minimum" in prop and "maximum" in prop, (route, method, name, prop)
            numbers += 1
        if prop.get("format") == "decimal":
            assert prop["type"] == "string" and prop["pattern"].startswith("^"), (route, method, name, prop)
            numbers += 1
    for route, _method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["schema"].get("type") == "integer":
                assert "minimum" in parameter["schema"] and "maximum" in parameter["schema"], (route, parameter)
                numbers += 1
    assert numbers > 25


def test_the_order_body_states_its_bounds(schema):
    body = schema["components"]["schemas"]["OrderPlaceInputRequest"]
    assert (body["properties"]["items"]["minItems"], body["properties"]["items"]["maxItems"]) == (1, 100)
    line = resolve(schema, body["properties"]["items"]["items"])
    assert (line["properties"]["quantity"]["minimum"], line["properties"]["quantity"]["maximum"]) == (1, 1000)
    price = schema["components"]["schemas"]["ProductInputRequest"]["properties"]["price"]
    assert price["pattern"] == r"^(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?$"  # ≥ 0, 8 digits before the point


def test_every_operation_has_valid_examples(schema):
    checked = 0
    for route, method, operation in operations(schema):
        if "requestBody" in operation:
            content = operation["requestBody"]["content"]["application/json"]
            assert content.get("examples"), (route, method)
            for example in content["examples"].values():
                validator_for(schema, content["schema"]).validate(example["value"])
                checked += 1
        success = [s for s in operation["responses"] if s.startswith("2")]
        answers = {s: operation["responses"][s]["content"]["application/json"] for s in success}
        assert any(a.get("examples") for a in answers.values()), (route, method)
        for content in answers.values():
            for example in content.get("examples", {}).values():
                validator_for(schema, content["schema"]).validate(example["value"])
                checked += 1
    assert checked >= 55  # an answer for every operation, every request body


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_order_example_places_against_the_demo_store(schema, anon_api):
    call_command("seed_demo", "--no-progress")
    example = schema["paths"]["/api/v1/orders"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    body = next(iter(example.values()))["value"]
    assert "coupon_code" not in body
    login = anon_api.post(
        "/api/v1/auth/login", {"email": "customer@example.com", "password": "demo-customer-pass"}, format="json"
    )
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['data']['access']}")

    response = anon_api.post("/api/v1/orders", body, format="json")

    assert response.status_code == 201, response.json()
    order = response.json()["data"]["order"]
    assert [(i["product_id"], i["quantity"]) for i in order["items"]] == [(1, 1), (9, 2)]
    assert order["subtotal"] == "13.00"


# --- Schemathesis: generated requests against a live server ---------------------------------------
@pytest.fixture
def store(transactional_db, settings, staff_user, customer):
    """A store with a product, a coupon, an order, its payment and a notification; throttles out of the way."""
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/min"),
    }
    baker.make_recipe("shop.business", name="Shop", min_order_amount=Decimal("0.00"))
    products = baker.make_recipe("products.product", price=Decimal("2.00"), stock=10_000, _quantity=3)
    baker.make_recipe(
        "orders.coupon",
        code="TEN",
        discount_type=Coupon.DiscountType.PERCENT,
        value=Decimal("10.00"),
        valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        valid_until=datetime(2099, 1, 1, tzinfo=UTC),
    )
    order = baker.make_recipe(
        "orders.order",
        user=customer,
        status=Order.Status.PENDING,
        payment_status=Order.PaymentStatus.UNPAID,
        subtotal=Decimal("2.00"),
        total=Decimal("2.00"),
    )
    baker.make_recipe(
        "orders.order_item",
        order=order,
        product=products[0],
        name="P",
        unit_price=Decimal("2.00"),
        quantity=1,
        line_total=Decimal("2.00"),
    )
    baker.make_recipe("orders.payment", order=order, amount=Decimal("2.00"), status=Payment.Status.PENDING)
    baker.make_recipe("shop.notification", user=customer, title="Hello", message="m", order=order)
    return {"admin": staff_user, "customer": customer}


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
