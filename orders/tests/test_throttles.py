"""Rate limits per user: placing orders (POST /orders) and checking coupon codes (POST /coupons/validate)."""

from decimal import Decimal

import pytest
from model_bakery import baker

from orders.models import Order
from orders.tests.helpers import order_body

pytestmark = pytest.mark.django_db


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


def test_placing_orders_is_limited_per_user_and_reading_them_is_not(rates, customer_api, other_api):
    rates(order_place="3/min")
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=50)
    place = lambda client: client.post("/api/v1/orders", order_body((pizza, 1)), format="json")  # noqa: E731

    assert [place(customer_api).status_code for _ in range(3)] == [201, 201, 201]
    assert_throttled(place(customer_api))
    assert Order.objects.count() == 3
    assert customer_api.get("/api/v1/orders").status_code == 200, "listing one's orders is not throttled"
    assert place(other_api).status_code == 201, "another customer has a budget of their own"


def test_validating_coupons_is_limited_per_user(rates, customer_api, other_api):
    rates(coupon_validate="2/min")
    body = {"code": "GUESS", "subtotal": "10.00"}
    validate = lambda client: client.post("/api/v1/coupons/validate", body, format="json")  # noqa: E731

    assert [validate(customer_api).status_code for _ in range(2)] == [200, 200]
    assert_throttled(validate(customer_api))
    assert validate(other_api).status_code == 200
