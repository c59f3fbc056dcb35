"""No input reaches the database out of range: every number of orders, coupons and payments is bounded,
and an order too large for the money columns is a 400, never a 500."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon, Order, Payment
from orders.pricing import MONEY_MAX
from orders.tests.helpers import order_body
from products.models import Product

pytestmark = pytest.mark.django_db

HUGE = [10**40, -(10**40), 2**63, "1e400", "99999999999999999999.99", 1e308]


def test_the_money_columns_hold_up_to_ten_billion_less_a_cent():
    assert str(MONEY_MAX) == "9999999999.99"


def test_a_subtotal_beyond_the_money_columns_is_400_and_writes_nothing(customer_api):
    # the largest price a product holds
    gold = baker.make_recipe("products.product", name="Gold", price=Decimal("99999999.99"), stock=5000)
    response = customer_api.post("/api/v1/orders", order_body((gold, 1000)), format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"] == {
        "items": [f"An order can come to at most {MONEY_MAX}; this one is 99999999990.00"]
    }
    assert Product.objects.get(pk=gold.pk).stock == 5000
    assert Order.objects.count() == 0


def test_a_total_pushed_past_the_range_by_tax_and_fee_is_400(customer_api):
    baker.make_recipe("shop.business", delivery_fee=Decimal("3.50"), tax_rate=Decimal("8.00"))
    # 1000 of them: 9999999990.00, within range
    silver = baker.make_recipe("products.product", name="Silver", price=Decimal("9999999.99"), stock=5000)
    response = customer_api.post("/api/v1/orders", order_body((silver, 1000)), format="json")

    assert response.status_code == 400, response.json()  # + 8 % tax + 3.50 fee is not
    assert "at most 9999999999.99" in response.json()["message"]
    assert Product.objects.get(pk=silver.pk).stock == 5000


def test_the_largest_order_that_fits_is_placed(customer_api):
    silver = baker.make_recipe("products.product", name="Silver", price=Decimal("9999999.99"), stock=5000)
    response = customer_api.post("/api/v1/orders", order_body((silver, 1000)), format="json")
    assert response.status_code == 201
    assert response.json()["data"]["order"]["total"] == "9999999990.00"


def coupon_body(**changes):
    now = timezone.now()
    body = {
        "code": "BOUNDS",
        "discount_type": "fixed",
        "value": "5.00",
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=7)).isoformat(),
    }
    return {**body, **changes}


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["value", "min_order_amount", "max_discount", "usage_limit", "per_customer_limit"])
def test_coupon_numbers_out_of_range_are_400(staff_api, field, value):
    response = staff_api.post("/api/v1/coupons", coupon_body(**{field: value}), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Coupon.objects.exists()


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "275760-01-01T00:00:00Z"])
def test_coupon_dates_out_of_range_are_400(staff_api, moment):
    response = staff_api.post("/api/v1/coupons", coupon_body(valid_until=moment), format="json")
    assert response.status_code == 400, response.json()
    assert not Coupon.objects.exists()


@pytest.mark.parametrize("value", HUGE)
def test_a_subtotal_out_of_range_in_validate_is_400(customer_api, value):
    response = customer_api.post("/api/v1/coupons/validate", {"code": "X", "subtotal": value}, format="json")
    assert response.status_code == 400, response.json()
    assert "subtotal" in response.json()["errors"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["product_id", "quantity"])
def test_order_line_numbers_out_of_range_are_400(customer_api, field, value):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    line = {"product_id": pizza.pk, "quantity": 1, field: value}
    body = {"items": [line], "delivery_address": "x", "payment_method": "cash"}
    response = customer_api.post("/api/v1/orders", body, format="json")
    assert response.status_code == 400, response.json()
    assert Order.objects.count() == 0


@pytest.mark.parametrize("value", HUGE)
def test_a_payment_for_an_order_id_out_of_range_is_400(customer_api, value):
    response = customer_api.post("/api/v1/payments", {"order_id": value, "method": "card"}, format="json")
    assert response.status_code == 400, response.json()
    assert not Payment.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/orders/{}", "/api/v1/coupons/{}", "/api/v1/orders/{}/cancel"])
def test_an_id_beyond_bigint_in_the_path_is_404_not_500(staff_api, path):
    url = path.format(2**64)
    response = staff_api.post(url) if url.endswith("cancel") else staff_api.get(url)
    assert response.status_code == 404
