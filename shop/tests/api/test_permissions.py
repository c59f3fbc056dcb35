"""Who may call what: every route of auth, business, products, notifications and operations
against an anonymous client, a customer, another customer and an admin (JWT Bearer tokens)."""

from decimal import Decimal

import pytest
from model_bakery import baker

from shop.baker_recipes import PASSWORD
from testing.api import bearer_client

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer", "other_customer", "admin"]
PRODUCT = {"name": "Tea", "category": "drinks", "price": "3.00", "stock": 5}

# (method, path, body, {role: status}); {product}, {notification} are filled in per test.
MATRIX = [
    ("post", "/api/v1/auth/register", "register", dict(anonymous=201, customer=201, other_customer=201, admin=201)),
    ("post", "/api/v1/auth/login", "login", dict(anonymous=200, customer=200, other_customer=200, admin=200)),
    ("post", "/api/v1/auth/refresh", "refresh", dict(anonymous=200, customer=200, other_customer=200, admin=200)),
    ("get", "/api/v1/auth/me", None, dict(anonymous=401, customer=200, other_customer=200, admin=200)),
    ("get", "/api/v1/business", None, dict(anonymous=200, customer=200, other_customer=200, admin=200)),
    ("put", "/api/v1/business", {"name": "Shop"}, dict(anonymous=401, customer=403, other_customer=403, admin=200)),
    ("patch", "/api/v1/business", {"is_open": False}, dict(anonymous=401, customer=403, other_customer=403, admin=200)),
    ("get", "/api/v1/products", None, dict(anonymous=200, customer=200, other_customer=200, admin=200)),
    ("get", "/api/v1/products?search=tea", None, dict(anonymous=200, customer=200, other_customer=200, admin=200)),
    ("get", "/api/v1/products/{product}", None, dict(anonymous=200, customer=200, other_customer=200, admin=200)),
    ("post", "/api/v1/products", PRODUCT, dict(anonymous=401, customer=403, other_customer=403, admin=201)),
    ("put", "/api/v1/products/{product}", PRODUCT, dict(anonymous=401, customer=403, other_customer=403, admin=200)),
    (
        "patch",
        "/api/v1/products/{product}",
        {"stock": 1},
        dict(anonymous=401, customer=403, other_customer=403, admin=200),
    ),
    ("delete", "/api/v1/products/{product}", None, dict(anonymous=401, customer=403, other_customer=403, admin=200)),
    ("get", "/api/v1/notifications", None, dict(anonymous=401, customer=200, other_customer=200, admin=200)),
    (
        "post",
        "/api/v1/notifications/{notification}/read",
        None,
        dict(anonymous=401, customer=200, other_customer=404, admin=404),
    ),
    ("post", "/api/v1/notifications/read-all", None, dict(anonymous=401, customer=200, other_customer=200, admin=200)),
    ("get", "/api/v1/health", None, dict(anonymous=200, customer=200, other_customer=200, admin=200)),
    ("get", "/api/v1/cache/stats", None, dict(anonymous=401, customer=403, other_customer=403, admin=200)),
    ("delete", "/api/v1/cache/products", None, dict(anonymous=401, customer=403, other_customer=403, admin=200)),
    ("delete", "/api/v1/cache/all", None, dict(anonymous=401, customer=403, other_customer=403, admin=200)),
]


@pytest.fixture
def world(staff_user, customer, other_customer):
    baker.make_recipe("shop.business", name="Shop")
    product = baker.make_recipe("products.product", name="Tea", price=Decimal("3.00"), stock=5, category="drinks")
    notification = baker.make_recipe("shop.notification", user=customer, title="Hello")
    users = {"anonymous": None, "customer": customer, "other_customer": other_customer, "admin": staff_user}
    return users, {"product": product.id, "notification": notification.id}


def body_for(kind, role, users):
    from rest_framework_simplejwt.tokens import RefreshToken

    if kind == "register":
        return {"email": f"{role}-new@example.test", "password": "correct-horse-battery-9", "name": "New"}
    if kind == "login":
        return {"email": "customer@example.test", "password": PASSWORD}
    if kind == "refresh":
        return {"refresh": str(RefreshToken.for_user(users["customer"]))}
    return kind


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, body, expected", MATRIX, ids=[f"{m.upper()} {p}" for m, p, _, _ in MATRIX])
def test_permission_matrix(world, role, method, path, body, expected):
    users, ids = world
    client = bearer_client(users[role])
    response = getattr(client, method)(path.format(**ids), body_for(body, role, users), format="json")

    assert response.status_code == expected[role], response.content
    payload = response.json()
    assert payload["success"] is (response.status_code < 400)
    assert ("data" in payload) if payload["success"] else ("errors" in payload)


def test_session_auth_enforces_csrf_on_writes(client, staff_user):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_user)

    assert browser.get("/api/v1/auth/me").json()["data"]["user"]["role"] == "admin"
    refused = browser.post("/api/v1/products", PRODUCT, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["success"] is False and "CSRF" in refused.json()["message"]

    secret = "a" * 32
    browser.cookies["csrftoken"] = secret
    accepted = browser.post("/api/v1/products", PRODUCT, content_type="application/json", HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 201
