"""Money rules of orders/pricing.py, as an order is placed: a discount is capped by max_discount and never
exceeds the subtotal; amounts stay within the money columns, and an order too large for them is a 400,
never a 500."""

from decimal import Decimal

import pytest
from model_bakery import baker

from orders.models import Order
from orders.pricing import MONEY_MAX
from orders.tests.helpers import order_body
from products.models import Product

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders"


def place(client, body):
    return client.post(URL, body, format="json")


def test_percent_discount_is_capped_by_max_discount(customer_api):
    tv = baker.make_recipe("products.product", name="TV", price=Decimal("500.00"), stock=5)
    baker.make_recipe(
        "orders.coupon", code="HALF", discount_type="percent", value=Decimal("50.00"), max_discount=Decimal("40.00")
    )
    order = place(customer_api, order_body((tv, 1), coupon_code="HALF")).json()["data"]["order"]
    assert (order["discount"], order["total"]) == ("40.00", "460.00")


def test_fixed_discount_never_exceeds_the_subtotal(customer_api):
    gum = baker.make_recipe("products.product", name="Gum", price=Decimal("2.00"), stock=5)
    baker.make_recipe("orders.coupon", code="TENOFF", discount_type="fixed", value=Decimal("10.00"))
    order = place(customer_api, order_body((gum, 1), coupon_code="TENOFF")).json()["data"]["order"]
    assert (order["discount"], order["total"]) == ("2.00", "0.00")


# --- the money columns' range ----------------------------------------------------------------------
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
