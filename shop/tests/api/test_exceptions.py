"""Every error under /api/v1/ is the envelope with the contract's status, never a stack trace."""

import pytest
from django.db import OperationalError, connection

from products.cache_families import PRODUCTS_ALL
from testing.cache import family_keys
from testing.envelope import ERROR_KEYS


def assert_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS and body["success"] is False and body["message"]
    return body


@pytest.mark.django_db
def test_validation_error_is_400_with_an_errors_dict(staff_api):
    body = assert_error(staff_api.post("/api/v1/products", {"name": "x"}, format="json"), 400)
    assert body["message"] == "Validation failed"
    assert set(body["errors"]) >= {"price", "category"}


@pytest.mark.django_db
def test_malformed_json_is_400(staff_api):
    body = assert_error(staff_api.generic("POST", "/api/v1/products", "{oops", content_type="application/json"), 400)
    assert body["message"] == "Malformed request body" and "body" in body["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/products/abc", "/api/v1/products/1/extra", "/api/v1/"])
def test_unknown_api_url_is_a_json_404(anon_api, path):
    assert_error(anon_api.get(path), 404)


@pytest.mark.django_db
def test_wrong_method_is_405(anon_api):
    body = assert_error(anon_api.delete("/api/v1/products"), 405)
    assert body["message"] == "Method not allowed"


@pytest.mark.django_db
def test_unexpected_error_is_500_without_a_trace(anon_api, monkeypatch):
    def explode():
        raise RuntimeError("secret detail: SELECT * FROM shop_user")

    monkeypatch.setattr("products.selectors.product_list_active", explode)
    response = anon_api.get("/api/v1/products")
    body = assert_error(response, 500)
    assert body == {"success": False, "code": "server_error", "message": "Internal server error", "errors": None}
    assert b"secret" not in response.content and b"Traceback" not in response.content


@pytest.mark.django_db
def test_database_error_in_a_loader_is_503_and_caches_nothing(anon_api, monkeypatch):
    def unreachable():
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("products.selectors.product_list_active", unreachable)
    assert_error(anon_api.get("/api/v1/products"), 503)
    assert family_keys(PRODUCTS_ALL) == []


@pytest.fixture
def database_down(transactional_db):
    """The default connection points at a port nobody listens on, as when PostgreSQL is down."""
    settings_dict = connection.settings_dict
    real_port = settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = "1"
    try:
        yield
    finally:
        connection.close()
        settings_dict["PORT"] = real_port


def test_unreachable_database_is_503_envelope(database_down, anon_api):
    body = assert_error(anon_api.get("/api/v1/products/1"), 503)
    assert "database" in body["message"].lower()


def test_health_is_503_with_its_data_when_the_database_is_down(database_down, anon_api):
    response = anon_api.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json() == {
        "success": False,
        "code": "unavailable",
        "message": "Database unreachable",
        "errors": None,
        "data": {"status": "down", "database": "down", "cache": "ok"},
    }
