"""Hostile input at the API's edge (shop/api/middleware.py; issue 13 items 2, 7, 10, 16, 17): refused in the
envelope with a 4xx, before any view reads it, never a 500. (Past the edge: numbers beyond a field's range
in api/test_inputs.py, opening hours beyond their shape in test_opening_hours.py.)

Each test is named after the attack; each failed on main at b878c10.
"""

import json

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from model_bakery import baker

from orders.models import Order
from testing.envelope import assert_envelope, nested

BIG = 3_000_000  # over 2.5 MiB, Django's own cap: a 500 with a traceback before


# --- bodies ------------------------------------------------------------------------------------------
@pytest.fixture
def no_body_reader(monkeypatch):
    """Fails the test if anything parses a body or checks a webhook signature."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the body was read")

    monkeypatch.setattr("shop.api.middleware.parse_json_body", forbidden)
    monkeypatch.setattr("orders.api.payments.webhook_signature_valid", forbidden)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/payments/webhook",
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/auth/refresh",
        "/api/v1/products",
        "/api/v1/orders/1/cancel",
    ],
)
def test_a_3_mb_body_is_413_in_the_envelope_before_anything_reads_it(staff_api, no_body_reader, url):
    body = b'{"email": "' + b"a" * BIG + b'"}'
    response = staff_api.generic("POST", url, body, content_type="application/json")
    envelope = assert_envelope(response, 413, "payload_too_large")
    assert "limit is 1048576" in envelope["errors"]["body"][0]


@pytest.mark.django_db
def test_the_body_limit_is_a_setting_and_holds_to_the_byte(anon_api, settings):
    settings.MAX_REQUEST_BODY_BYTES = 64
    at_limit = json.dumps({"refresh": "x" * 49}).encode()
    assert len(at_limit) == 64
    response = anon_api.generic("POST", "/api/v1/auth/refresh", at_limit, content_type="application/json")
    assert response.status_code == 401  # read and judged: a bad token
    response = anon_api.generic("POST", "/api/v1/auth/refresh", at_limit + b" ", content_type="application/json")
    assert_envelope(response, 413, "payload_too_large")


@pytest.mark.django_db
def test_a_3_mb_form_post_to_the_login_pages_is_413(no_body_reader):
    for url in ("/accounts/login/", "/admin/login/"):
        response = Client().post(url, {"username": "a" * BIG, "password": "x"})
        assert response.status_code == 413, url


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [33, 1000, 100_000])
@pytest.mark.parametrize("url", ["/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/payments/webhook"])
def test_json_nested_deeper_than_32_levels_is_400(anon_api, url, depth):
    body = json.dumps({"email": nested(depth - 1)}) if depth < 900 else "[" * depth + "]" * depth
    response = anon_api.generic("POST", url, body, content_type="application/json")
    envelope = assert_envelope(response, 400, "validation_error")
    assert "nested deeper than 32" in envelope["errors"]["body"][0]


@pytest.mark.django_db
def test_json_nested_32_levels_is_read(staff_api):
    response = staff_api.patch("/api/v1/business", {"opening_hours": nested(31)}, format="json")
    envelope = assert_envelope(response, 400, "validation_error")
    assert "opening_hours" in envelope["errors"] and "body" not in envelope["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"email": "a\u0000@example.test", "password": "x"},
        {"email\u0000": "a@example.test", "password": "x"},
        {"email": "a@example.test", "password": "x", "extra": [{"k": ["\u0000"]}]},
    ],
    ids=["in a string", "in a key", "deep inside"],
)
def test_nul_characters_anywhere_in_json_are_400(anon_api, body):
    response = anon_api.generic("POST", "/api/v1/auth/login", json.dumps(body), content_type="application/json")
    envelope = assert_envelope(response, 400, "validation_error")
    assert envelope["errors"] == {"body": ["Null characters are not allowed."]}


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b'{"a": 1e400}', b'{"a": NaN}', b'{"a": -Infinity}', b'{"a": 1' + b"0" * 5000 + b"}"])
def test_numbers_json_cannot_hold_are_400(anon_api, body):
    response = anon_api.generic("POST", "/api/v1/payments/webhook", body, content_type="application/json")
    assert_envelope(response, 400, "validation_error")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type, body",
    [("text/plain", b'{"transaction_ref": "x", "status": "completed"}'), ("application/x-www-form-urlencoded", b"a=1")],
)
def test_a_body_that_is_not_json_is_415_even_where_the_view_reads_raw_bytes(anon_api, content_type, body):
    response = anon_api.generic("POST", "/api/v1/payments/webhook", body, content_type=content_type)
    assert_envelope(response, 415, "unsupported_media_type")


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_415_even_where_the_view_reads_no_body(customer_api, customer):
    order = baker.make_recipe("orders.order", user=customer, status=Order.Status.PENDING)
    response = customer_api.generic("POST", f"/api/v1/orders/{order.pk}/cancel", b"x=1", content_type="text/plain")
    assert_envelope(response, 415, "unsupported_media_type")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


# --- every response under /api/v1/ is the envelope, DEBUG on and off ------------------------------------
def boom(request):
    raise RuntimeError("secret detail: SELECT * FROM shop_user")


def plain_teapot(request):
    return HttpResponse("<h1>I'm a teapot</h1>", status=418)


urlpatterns = [path("api/v1/boom", boom), path("api/v1/teapot", plain_teapot)]

DEBUG_MODES = pytest.mark.parametrize("debug", [False, True], ids=["DEBUG=0", "DEBUG=1"])


@pytest.mark.django_db
@DEBUG_MODES
def test_a_bad_host_header_is_a_400_envelope(settings, debug):
    settings.DEBUG = debug
    response = Client().get("/api/v1/products", HTTP_HOST="evil.example")
    assert_envelope(response, 400, "validation_error")


@pytest.mark.django_db
@DEBUG_MODES
@pytest.mark.parametrize(
    "url", ["/api/v1/nope", "/api/v1/products/", "/api/v1/products/1/extra", "/api/v1/", "/api/v1"]
)
def test_unknown_urls_are_404_envelopes(settings, debug, url):
    settings.DEBUG = debug
    assert_envelope(Client().get(url), 404, "not_found")


@pytest.mark.django_db
@DEBUG_MODES
@pytest.mark.parametrize("method", ["delete", "options", "trace"])
def test_a_method_a_route_lacks_is_a_405_envelope(settings, debug, method):
    settings.DEBUG = debug
    response = getattr(Client(), method)("/api/v1/products")
    assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


@pytest.mark.django_db
@DEBUG_MODES
def test_an_error_outside_the_api_views_is_a_500_envelope_without_a_trace(settings, debug):
    settings.ROOT_URLCONF, settings.DEBUG = __name__, debug
    response = Client(raise_request_exception=False).get("/api/v1/boom")
    body = assert_envelope(response, 500, "server_error")
    assert body == {"success": False, "code": "server_error", "message": "Internal server error", "errors": None}
    assert b"secret" not in response.content


@pytest.mark.django_db
def test_an_html_error_page_under_the_api_becomes_the_envelope(settings):
    settings.ROOT_URLCONF = __name__
    response = Client().get("/api/v1/teapot")
    assert_envelope(response, 418, "validation_error")


@pytest.mark.django_db
@DEBUG_MODES
def test_pages_outside_the_api_keep_djangos_error_pages(settings, debug):
    settings.DEBUG = debug
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
