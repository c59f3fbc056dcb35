"""Stock and coupon changes made by orders clear products:* and coupons:active after commit; so does
saving a coupon (coupons:active follows the orders.Coupon rows, orders/cache_families.py)."""

from decimal import Decimal

import pytest
from model_bakery import baker

from orders.tests.helpers import order_body

ACTIVE = "/api/v1/coupons/active"


def product_in(response, product_id):
    return next(p for p in response.json()["data"]["products"] if p["id"] == product_id)


@pytest.mark.django_db
def test_placing_an_order_clears_the_cached_product_list(anon_api, customer_api, django_capture_on_commit_callbacks):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=7)
    anon_api.get("/api/v1/products")
    cached = anon_api.get("/api/v1/products")
    assert cached["X-Cache"] == "HIT" and product_in(cached, pizza.pk)["stock"] == 7

    with django_capture_on_commit_callbacks(execute=True):
        assert customer_api.post("/api/v1/orders", order_body((pizza, 3)), format="json").status_code == 201

    after = anon_api.get("/api/v1/products")
    assert after["X-Cache"] == "MISS"
    assert after.json()["data"]["fromCache"] is False
    assert product_in(after, pizza.pk)["stock"] == 4


@pytest.mark.django_db
def test_placing_an_order_clears_the_cached_product_detail(anon_api, customer_api, django_capture_on_commit_callbacks):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=7)
    anon_api.get(f"/api/v1/products/{pizza.pk}")
    assert anon_api.get(f"/api/v1/products/{pizza.pk}")["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        customer_api.post("/api/v1/orders", order_body((pizza, 2)), format="json")

    after = anon_api.get(f"/api/v1/products/{pizza.pk}")
    assert after["X-Cache"] == "MISS"
    assert after.json()["data"]["product"]["stock"] == 5


@pytest.mark.django_db
def test_cancelling_restores_stock_and_clears_the_cached_product_list(
    anon_api, customer_api, django_capture_on_commit_callbacks
):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=7)
    with django_capture_on_commit_callbacks(execute=True):
        order = customer_api.post("/api/v1/orders", order_body((pizza, 3)), format="json").json()["data"]["order"]
    anon_api.get("/api/v1/products")
    before = anon_api.get("/api/v1/products")
    assert before["X-Cache"] == "HIT" and product_in(before, pizza.pk)["stock"] == 4

    with django_capture_on_commit_callbacks(execute=True):
        assert customer_api.post(f"/api/v1/orders/{order['id']}/cancel").status_code == 200

    after = anon_api.get("/api/v1/products")
    assert after["X-Cache"] == "MISS"
    assert product_in(after, pizza.pk)["stock"] == 7


@pytest.mark.django_db
def test_the_stock_change_is_not_cleared_before_commit(anon_api, customer_api, django_capture_on_commit_callbacks):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=7)
    anon_api.get("/api/v1/products")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        customer_api.post("/api/v1/orders", order_body((pizza, 1)), format="json")
    assert anon_api.get("/api/v1/products")["X-Cache"] == "HIT"
    assert callbacks, "the service registered its invalidation for after commit"


@pytest.mark.django_db
def test_a_coupon_use_clears_coupons_active(anon_api, customer_api, django_capture_on_commit_callbacks):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=7)
    baker.make_recipe("orders.coupon", code="LAST", usage_limit=1)
    anon_api.get("/api/v1/coupons/active")
    cached = anon_api.get("/api/v1/coupons/active")
    assert cached["X-Cache"] == "HIT" and [c["code"] for c in cached.json()["data"]["coupons"]] == ["LAST"]

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_api.post("/api/v1/orders", order_body((pizza, 1), coupon_code="last"), format="json")
    assert response.status_code == 201

    after = anon_api.get("/api/v1/coupons/active")
    assert after["X-Cache"] == "MISS"
    assert after.json()["data"]["coupons"] == [], "a used-up coupon is no longer active"


@pytest.mark.django_db
def test_cancelling_releases_the_coupon_use_and_clears_coupons_active(
    anon_api, customer_api, django_capture_on_commit_callbacks
):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=7)
    coupon = baker.make_recipe("orders.coupon", code="LAST", usage_limit=1)
    with django_capture_on_commit_callbacks(execute=True):
        order = customer_api.post("/api/v1/orders", order_body((pizza, 1), coupon_code="LAST"), format="json").json()[
            "data"
        ]["order"]
    anon_api.get("/api/v1/coupons/active")
    assert anon_api.get("/api/v1/coupons/active").json()["data"]["coupons"] == []

    with django_capture_on_commit_callbacks(execute=True):
        customer_api.post(f"/api/v1/orders/{order['id']}/cancel")

    coupon.refresh_from_db()
    assert coupon.used_count == 0
    after = anon_api.get("/api/v1/coupons/active")
    assert after["X-Cache"] == "MISS"
    assert [c["used_count"] for c in after.json()["data"]["coupons"]] == [0]


@pytest.mark.django_db
def test_saving_a_coupon_clears_the_active_list(anon_api, staff_api, django_capture_on_commit_callbacks):
    coupon = baker.make_recipe("orders.coupon", code="NOW")
    anon_api.get(ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        staff_api.patch(f"/api/v1/coupons/{coupon.pk}", {"description": "Ten off"}, format="json")
    after = anon_api.get(ACTIVE)
    assert after["X-Cache"] == "MISS"
    assert after.json()["data"]["coupons"][0]["description"] == "Ten off"
