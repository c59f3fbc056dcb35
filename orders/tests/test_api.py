"""Who may call what: every route × {anonymous, the owner, another customer, an admin}. Rate limits per
user: placing orders (POST /orders) and checking coupon codes (POST /coupons/validate)."""

from decimal import Decimal

import pytest
from model_bakery import baker

from orders.models import Order, Payment
from orders.services import order_place, payment_create
from orders.tests.helpers import order_body

WHO = ["anonymous", "owner", "other", "admin"]

# (method, path template, body, expected status for anonymous, owner, other, admin)
MATRIX = [
    ("get", "/api/v1/coupons/active", None, (200, 200, 200, 200)),
    ("post", "/api/v1/coupons/validate", {"code": "SAVE", "subtotal": "20.00"}, (401, 200, 200, 200)),
    ("get", "/api/v1/coupons", None, (401, 403, 403, 200)),
    ("post", "/api/v1/coupons", "new_coupon", (401, 403, 403, 201)),
    ("get", "/api/v1/coupons/{coupon}", None, (401, 403, 403, 200)),
    ("put", "/api/v1/coupons/{coupon}", "new_coupon", (401, 403, 403, 200)),
    ("patch", "/api/v1/coupons/{coupon}", {"description": "x"}, (401, 403, 403, 200)),
    ("delete", "/api/v1/coupons/{coupon}", None, (401, 403, 403, 200)),
    ("post", "/api/v1/orders", "new_order", (401, 201, 201, 201)),
    ("get", "/api/v1/orders", None, (401, 200, 200, 200)),
    ("get", "/api/v1/orders/{order}", None, (401, 200, 404, 200)),
    ("post", "/api/v1/orders/{order}/cancel", None, (401, 200, 404, 200)),
    ("patch", "/api/v1/orders/{order}/status", {"status": "preparing"}, (401, 403, 403, 200)),
    ("post", "/api/v1/payments", "new_payment", (401, 201, 404, 404)),
    ("get", "/api/v1/payments", None, (401, 200, 200, 200)),
    ("patch", "/api/v1/payments/{payment}", {"status": "completed"}, (401, 403, 403, 200)),
    ("post", "/api/v1/payments/webhook", {"transaction_ref": "x", "status": "completed"}, (401, 401, 401, 401)),
]

CASES = [
    pytest.param(method, path, body, who, expected[i], id=f"{method.upper()} {path} as {who}")
    for method, path, body, expected in MATRIX
    for i, who in enumerate(WHO)
]


@pytest.fixture
def world(customer, anon_api, customer_api, other_api, staff_api):
    from datetime import timedelta

    from django.utils import timezone

    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    coupon = baker.make_recipe("orders.coupon", code="SAVE")
    order = order_place(
        user=customer, items=[{"product_id": pizza.pk, "quantity": 1}], delivery_address="x", payment_method="card"
    )
    paid_order = order_place(
        user=customer, items=[{"product_id": pizza.pk, "quantity": 1}], delivery_address="x", payment_method="card"
    )
    payment = payment_create(user=customer, order_id=paid_order.pk, method="card")
    now = timezone.now()
    bodies = {
        "new_coupon": {
            "code": "FRESH",
            "discount_type": "fixed",
            "value": "5.00",
            "valid_from": now.isoformat(),
            "valid_until": (now + timedelta(days=1)).isoformat(),
        },
        "new_order": {
            "items": [{"product_id": pizza.pk, "quantity": 1}],
            "delivery_address": "x",
            "payment_method": "cash",
        },
        "new_payment": {"order_id": order.pk, "method": "card"},
    }
    clients = {"anonymous": anon_api, "owner": customer_api, "other": other_api, "admin": staff_api}
    ids = {"coupon": coupon.pk, "order": order.pk, "payment": payment.pk}
    return clients, ids, bodies


@pytest.mark.django_db
@pytest.mark.parametrize("method, path, body, who, expected", CASES)
def test_permission_matrix(world, method, path, body, who, expected):
    clients, ids, bodies = world
    body = bodies.get(body, body) if isinstance(body, str) else body
    response = getattr(clients[who], method)(path.format(**ids), body, format="json")
    assert response.status_code == expected, response.content
    payload = response.json()
    assert payload["success"] is (expected < 400)
    if expected >= 400:
        assert set(payload) == {"success", "code", "message", "errors"}


@pytest.mark.django_db
def test_a_bearer_token_is_accepted(customer_api):
    """`customer_api` carries a Bearer access token, as a mobile app does."""
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    response = customer_api.post(
        "/api/v1/orders",
        {"items": [{"product_id": pizza.pk, "quantity": 1}], "delivery_address": "x", "payment_method": "cash"},
        format="json",
    )
    assert response.status_code == 201
    assert customer_api.get("/api/v1/orders").json()["data"]["count"] == 1


@pytest.mark.django_db
def test_customers_list_only_their_own_orders_and_admins_all(world):
    clients, ids, _ = world
    assert clients["owner"].get("/api/v1/orders").json()["data"]["count"] == 2
    assert clients["other"].get("/api/v1/orders").json()["data"]["count"] == 0
    assert clients["admin"].get("/api/v1/orders").json()["data"]["count"] == 2
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_admins_filter_orders_by_status(world):
    clients, ids, _ = world
    clients["admin"].patch(f"/api/v1/orders/{ids['order']}/status", {"status": "preparing"}, format="json")
    data = clients["admin"].get("/api/v1/orders?status=preparing").json()["data"]
    assert [o["id"] for o in data["orders"]] == [ids["order"]]
    assert clients["admin"].get("/api/v1/orders?status=shipped").status_code == 400


@pytest.mark.django_db
def test_order_list_is_paginated_and_never_cached(world, django_assert_max_num_queries):
    clients, _, _ = world
    response = clients["owner"].get("/api/v1/orders?page_size=1&page=2")
    data = response.json()["data"]
    assert (len(data["orders"]), data["count"], data["page"], data["pages"]) == (1, 2, 2, 2)
    assert "fromCache" not in data and "X-Cache" not in response
    assert clients["owner"].get("/api/v1/orders?page_size=101").status_code == 400


@pytest.mark.django_db
def test_order_list_queries_do_not_grow_with_the_page(world, customer, django_assert_max_num_queries):
    clients, _, _ = world
    pizza = baker.make_recipe("products.product", name="Soup", price=Decimal("3.00"), stock=100)
    for _ in range(15):
        order_place(
            user=customer, items=[{"product_id": pizza.pk, "quantity": 1}], delivery_address="x", payment_method="cash"
        )
    # count, page of orders, their items, and the token's user (a miss of users:{id}; no session)
    with django_assert_max_num_queries(4):
        data = clients["admin"].get("/api/v1/orders?page_size=50").json()["data"]
    assert len(data["orders"]) == 17


# --- rate limits -----------------------------------------------------------------------------------
@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates


def assert_throttled(response):
    assert response.status_code == 429
    assert response.json() == {"success": False, "code": "throttled", "message": "Too many requests", "errors": None}
    assert 0 < int(response["Retry-After"]) <= 60


@pytest.mark.django_db
def test_placing_orders_is_limited_per_user_and_reading_them_is_not(rates, customer_api, other_api):
    rates(order_place="3/min")
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    place = lambda client: client.post("/api/v1/orders", order_body((pizza, 1)), format="json")  # noqa: E731

    assert [place(customer_api).status_code for _ in range(3)] == [201, 201, 201]
    assert_throttled(place(customer_api))
    assert Order.objects.count() == 3
    assert customer_api.get("/api/v1/orders").status_code == 200, "listing one's orders is not throttled"
    assert place(other_api).status_code == 201, "another customer has a budget of their own"


@pytest.mark.django_db
def test_validating_coupons_is_limited_per_user(rates, customer_api, other_api):
    rates(coupon_validate="2/min")
    body = {"code": "GUESS", "subtotal": "10.00"}
    validate = lambda client: client.post("/api/v1/coupons/validate", body, format="json")  # noqa: E731

    assert [validate(customer_api).status_code for _ in range(2)] == [200, 200]
    assert_throttled(validate(customer_api))
    assert validate(other_api).status_code == 200
