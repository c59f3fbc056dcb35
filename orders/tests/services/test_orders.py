"""POST /api/v1/orders: server-side pricing, all-or-nothing, input validation, cache clearing."""

from decimal import Decimal

import pytest
from model_bakery import baker

from orders.models import Coupon, Order, OrderItem
from orders.tests.helpers import order_body
from products.models import Product
from shop.models import Activity

URL = "/api/v1/orders"


def place(client, body):
    return client.post(URL, body, format="json")


@pytest.mark.django_db
def test_prices_discount_fee_and_tax_come_from_the_database(customer_api, customer):
    baker.make_recipe("shop.business", delivery_fee=Decimal("3.50"), tax_rate=Decimal("8.00"))
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("12.50"), stock=5)
    soda = baker.make_recipe("products.product", name="Soda", price=Decimal("1.99"), stock=10)
    baker.make_recipe("orders.coupon", code="SAVE10", discount_type="percent", value=Decimal("10.00"))
    response = place(customer_api, order_body((pizza, 2), (soda, 3), coupon_code="save10"))

    assert response.status_code == 201, response.json()
    order = response.json()["data"]["order"]
    # subtotal 25.00 + 5.97 = 30.97; discount 10% = 3.097 → 3.10; tax 8% of 27.87 = 2.2296 → 2.23
    assert order["subtotal"] == "30.97"
    assert order["discount"] == "3.10"
    assert order["delivery_fee"] == "3.50"
    assert order["tax"] == "2.23"
    assert order["total"] == "33.60"
    assert order["coupon_code"] == "SAVE10"
    assert order["user_id"] == customer.pk
    assert order["status"] == "pending" and order["payment_status"] == "unpaid"
    assert order["number"].startswith("ORD-")
    assert [(i["name"], i["unit_price"], i["quantity"], i["line_total"]) for i in order["items"]] == [
        ("Pizza", "12.50", 2, "25.00"),
        ("Soda", "1.99", 3, "5.97"),
    ]
    assert Product.objects.get(pk=pizza.pk).stock == 3
    assert Product.objects.get(pk=soda.pk).stock == 7
    assert Coupon.objects.get(code="SAVE10").used_count == 1
    assert Activity.objects.filter(action="order.placed").count() == 1


@pytest.mark.django_db
def test_without_a_business_row_there_is_no_fee_and_no_tax(customer_api):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("9.99"), stock=5)
    order = place(customer_api, order_body((pizza, 1))).json()["data"]["order"]
    assert (order["delivery_fee"], order["tax"], order["total"]) == ("0.00", "0.00", "9.99")


@pytest.mark.django_db
def test_percent_discount_is_capped_by_max_discount(customer_api):
    tv = baker.make_recipe("products.product", name="TV", price=Decimal("500.00"), stock=5)
    baker.make_recipe(
        "orders.coupon", code="HALF", discount_type="percent", value=Decimal("50.00"), max_discount=Decimal("40.00")
    )
    order = place(customer_api, order_body((tv, 1), coupon_code="HALF")).json()["data"]["order"]
    assert (order["discount"], order["total"]) == ("40.00", "460.00")


@pytest.mark.django_db
def test_fixed_discount_never_exceeds_the_subtotal(customer_api):
    gum = baker.make_recipe("products.product", name="Gum", price=Decimal("2.00"), stock=5)
    baker.make_recipe("orders.coupon", code="TENOFF", discount_type="fixed", value=Decimal("10.00"))
    order = place(customer_api, order_body((gum, 1), coupon_code="TENOFF")).json()["data"]["order"]
    assert (order["discount"], order["total"]) == ("2.00", "0.00")


@pytest.mark.django_db
def test_duplicate_lines_of_one_product_are_merged(customer_api):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    order = place(customer_api, order_body((pizza, 2), (pizza, 3))).json()["data"]["order"]
    assert [(i["product_id"], i["quantity"], i["line_total"]) for i in order["items"]] == [(pizza.pk, 5, "50.00")]
    assert Product.objects.get(pk=pizza.pk).stock == 0


@pytest.mark.django_db
def test_a_client_sent_price_is_refused_as_an_unknown_field(customer_api):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    body = order_body((pizza, 1))
    body["items"][0]["price"] = "0.01"
    body["total"] = "0.01"
    response = place(customer_api, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["total"] == ["Unknown field."]
    assert errors["items"] == {"0": {"price": ["Unknown field."]}}  # DRF keys list errors by index
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_second_item_short_writes_nothing_and_leaves_the_first_items_stock(customer_api):
    plenty = baker.make_recipe("products.product", name="Plenty", price=Decimal("1.00"), stock=50)
    scarce = baker.make_recipe("products.product", name="Scarce", price=Decimal("1.00"), stock=1)
    coupon = baker.make_recipe("orders.coupon", code="ONE", discount_type="fixed", value=Decimal("1.00"))
    response = place(customer_api, order_body((plenty, 5), (scarce, 2), coupon_code="ONE"))

    assert response.status_code == 409
    assert response.json()["message"] == "Insufficient stock for Scarce"
    assert Product.objects.get(pk=plenty.pk).stock == 50
    assert Product.objects.get(pk=scarce.pk).stock == 1
    assert (Order.objects.count(), OrderItem.objects.count()) == (0, 0)
    coupon.refresh_from_db()
    assert coupon.used_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("make_missing", ["unknown", "inactive"])
def test_unknown_or_inactive_product_is_409_with_nothing_written(customer_api, make_missing):
    good = baker.make_recipe("products.product", name="Good", price=Decimal("1.00"), stock=10)
    missing_id = (
        999_999
        if make_missing == "unknown"
        else baker.make_recipe("products.product", name="Gone", price=Decimal("1.00"), stock=10, is_active=False).pk
    )
    response = customer_api.post(
        URL,
        {
            "items": [{"product_id": good.pk, "quantity": 1}, {"product_id": missing_id, "quantity": 1}],
            "delivery_address": "x",
            "payment_method": "cash",
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["message"] == f"Product {missing_id} is not available"
    assert Product.objects.get(pk=good.pk).stock == 10
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_a_closed_store_takes_no_orders(customer_api):
    baker.make_recipe("shop.business", is_open=False)
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    response = place(customer_api, order_body((pizza, 1)))
    assert response.status_code == 409
    assert "closed" in response.json()["message"]
    assert Product.objects.get(pk=pizza.pk).stock == 5


@pytest.mark.django_db
def test_below_the_minimum_order_amount_is_400(customer_api):
    baker.make_recipe("shop.business", min_order_amount=Decimal("20.00"))
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    response = place(customer_api, order_body((pizza, 1)))
    assert response.status_code == 400
    assert "minimum order is 20.00" in response.json()["message"]
    assert Product.objects.get(pk=pizza.pk).stock == 5
    assert Order.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "coupon_fields, status, message",
    [
        ({"is_active": False}, 400, "Coupon is not valid"),
        ({"usage_limit": 1, "used_count": 1}, 409, "Coupon has been used up"),
        ({"min_order_amount": Decimal("100.00")}, 409, "Coupon needs an order subtotal of at least 100.00"),
    ],
)
def test_a_coupon_that_cannot_be_used_refuses_the_order(customer_api, coupon_fields, status, message):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    baker.make_recipe("orders.coupon", code="NOPE", **coupon_fields)
    response = place(customer_api, order_body((pizza, 1), coupon_code="NOPE"))
    assert (response.status_code, response.json()["message"]) == (status, message)
    assert Product.objects.get(pk=pizza.pk).stock == 5
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_an_expired_coupon_refuses_the_order(customer_api):
    from datetime import timedelta

    from django.utils import timezone

    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    now = timezone.now()
    baker.make_recipe(
        "orders.coupon", code="OLD", valid_from=now - timedelta(days=10), valid_until=now - timedelta(seconds=1)
    )
    response = place(customer_api, order_body((pizza, 1), coupon_code="OLD"))
    assert (response.status_code, response.json()["message"]) == (400, "Coupon is not valid")


@pytest.mark.django_db
def test_an_unknown_coupon_code_is_400(customer_api):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    response = place(customer_api, order_body((pizza, 1), coupon_code="NOSUCH"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"coupon_code": ["Coupon is not valid."]}
    assert Product.objects.get(pk=pizza.pk).stock == 5
    assert Order.objects.count() == 0


def _bad_bodies(pid):
    good_item = {"product_id": pid, "quantity": 1}
    base = {"items": [good_item], "delivery_address": "1 Main Street", "payment_method": "card"}

    def with_(**changes):
        return {**base, **changes}

    def without(key):
        return {k: v for k, v in base.items() if k != key}

    return {
        "missing items": (without("items"), "items"),
        "missing address": (without("delivery_address"), "delivery_address"),
        "missing payment method": (without("payment_method"), "payment_method"),
        "empty items": (with_(items=[]), "items"),
        "items not a list": (with_(items={"product_id": pid}), "items"),
        "101 lines": (with_(items=[good_item] * 101), "items"),
        "item not an object": (with_(items=[5]), "items"),
        "quantity zero": (with_(items=[{"product_id": pid, "quantity": 0}]), "items"),
        "quantity negative": (with_(items=[{"product_id": pid, "quantity": -3}]), "items"),
        "quantity huge": (with_(items=[{"product_id": pid, "quantity": 10**12}]), "items"),
        "quantity 1001": (with_(items=[{"product_id": pid, "quantity": 1001}]), "items"),
        "quantity string": (with_(items=[{"product_id": pid, "quantity": "2"}]), "items"),
        "quantity float": (with_(items=[{"product_id": pid, "quantity": 1.5}]), "items"),
        "quantity bool": (with_(items=[{"product_id": pid, "quantity": True}]), "items"),
        "quantity null": (with_(items=[{"product_id": pid, "quantity": None}]), "items"),
        "product_id string": (with_(items=[{"product_id": str(pid), "quantity": 1}]), "items"),
        "product_id missing": (with_(items=[{"quantity": 1}]), "items"),
        "product_id too big": (with_(items=[{"product_id": 2**63, "quantity": 1}]), "items"),
        "unknown item field": (with_(items=[{**good_item, "unit_price": "0.01"}]), "items"),
        "unknown top field": (with_(discount="100.00"), "discount"),
        "bad payment method": (with_(payment_method="bitcoin"), "payment_method"),
        "address blank": (with_(delivery_address=""), "delivery_address"),
        "address too long": (with_(delivery_address="x" * 501), "delivery_address"),
        "address a number": (with_(delivery_address=12), "delivery_address"),
        "notes too long": (with_(notes="x" * 2001), "notes"),
        "coupon too long": (with_(coupon_code="C" * 41), "coupon_code"),
    }


BAD_CASES = list(_bad_bodies(1))


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_400_in_the_envelope_and_changes_nothing(customer_api, case):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    body, field = _bad_bodies(pizza.pk)[case]
    response = place(customer_api, body)
    assert response.status_code == 400, response.json()
    payload = response.json()
    assert payload["success"] is False and payload["message"] == "Validation failed"
    assert field in payload["errors"]
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=pizza.pk).stock == 5


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b'"items"', b"null"])
def test_a_body_that_is_not_a_json_object_is_400(customer_api, raw):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=5)
    response = customer_api.post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=pizza.pk).stock == 5


@pytest.mark.django_db
def test_the_placed_order_is_rendered_without_a_query_after_commit(customer, django_assert_num_queries):
    """A connection lost right after the commit must not turn a placed order into an error answer."""
    from orders.serializers import OrderOutput
    from orders.services import order_place

    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("12.50"), stock=5)

    soda = baker.make_recipe("products.product", name="Soda", price=Decimal("1.99"), stock=10)
    order = order_place(
        user=customer,
        items=[{"product_id": pizza.pk, "quantity": 1}, {"product_id": soda.pk, "quantity": 2}],
        delivery_address="1 Main St",
        payment_method="cash",
    )
    with django_assert_num_queries(0):
        rendered = OrderOutput(order).data
    assert [(i["name"], i["quantity"]) for i in rendered["items"]] == [("Pizza", 1), ("Soda", 2)]


@pytest.mark.django_db
def test_a_placement_with_two_lines_and_a_coupon_runs_these_statements(customer):
    """The statement budget of one placement (the test's own transaction adds the savepoint pair)."""
    baker.make_recipe("shop.business")
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.services import order_place

    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("12.50"), stock=5)

    soda = baker.make_recipe("products.product", name="Soda", price=Decimal("1.99"), stock=10)
    baker.make_recipe("orders.coupon", code="SAVE10")
    with CaptureQueriesContext(connection) as queries:
        order_place(
            user=customer,
            items=[{"product_id": pizza.pk, "quantity": 1}, {"product_id": soda.pk, "quantity": 2}],
            coupon_code="SAVE10",
            delivery_address="1 Main St",
            payment_method="cash",
        )

    def kind(sql: str) -> str:
        verb = sql.split()[0]
        table = re.search(r'(?:FROM|UPDATE|INTO) "(\w+)"', sql)
        return f"{verb} {table.group(1) if table else ''}".strip() + (
            " FOR UPDATE" if "FOR NO KEY UPDATE" in sql else ""
        )

    assert [kind(q["sql"]) for q in queries.captured_queries] == [
        "SELECT shop_business",
        "SAVEPOINT",
        "SELECT shop_user FOR UPDATE",  # one customer's placements in turn (holds, per-customer coupon uses)
        "SELECT orders_order",  # their holds, against MAX_OPEN_ORDERS
        "UPDATE products_product",  # stock, guarded, in product id order
        "UPDATE products_product",
        "SELECT products_product",  # prices, under the rows' locks
        "UPDATE orders_coupon",  # one use, guarded by the rule in the WHERE clause
        "SELECT orders_coupon",
        "INSERT orders_ordernumbersequence",  # the day's next number
        "INSERT orders_order",
        "INSERT orders_orderitem",
        "INSERT shop_activity",
        "RELEASE",
    ]
