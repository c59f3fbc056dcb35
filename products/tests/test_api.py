"""The products API (products/api.py). Reads through HTTP: hits and misses, and every kind of write
making the next read a miss. Admin writes: what they answer, what they refuse, what they leave behind.
The list's query string: test_filters.py."""

import json
from decimal import Decimal

import pytest
from model_bakery import baker

from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL
from products.models import Product
from products.services import product_bulk_set_active
from shop.models import Activity
from testing.cache import family_keys

pytestmark = pytest.mark.django_db

VALID = {"name": "Green Tea", "category": "drinks", "price": "4.50", "stock": 12}


def names(response) -> list[str]:
    return [p["name"] for p in response.json()["data"]["products"]]


def assert_hit(response, hit: bool):
    assert response.status_code == 200
    assert response["X-Cache"] == ("HIT" if hit else "MISS")
    assert response.json()["data"]["fromCache"] is hit


def test_second_list_read_is_a_hit_with_the_same_data(anon_api):
    baker.make_recipe("products.product", name="Apple")
    baker.make_recipe("products.product", name="Hidden", is_active=False)

    first = anon_api.get("/api/v1/products")
    second = anon_api.get("/api/v1/products")

    assert_hit(first, False)
    assert_hit(second, True)
    assert names(first) == names(second) == ["Apple"]
    assert second.json()["data"]["count"] == 1
    assert [k["key"] for k in family_keys(PRODUCTS_ALL)] == ["products:all"]


def test_hit_costs_no_sql(anon_api, django_assert_num_queries):
    baker.make_recipe("products.product", name="Apple")
    anon_api.get("/api/v1/products")
    with django_assert_num_queries(0):
        assert_hit(anon_api.get("/api/v1/products"), True)


def test_write_through_the_api_makes_the_next_read_a_miss_with_new_data(
    anon_api, staff_api, django_capture_on_commit_callbacks
):
    product = baker.make_recipe("products.product", name="Apple", price=Decimal("5.00"))
    anon_api.get("/api/v1/products")
    anon_api.get(f"/api/v1/products/{product.id}")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.patch(f"/api/v1/products/{product.id}", {"price": "7.25"}, format="json")
    assert response.status_code == 200

    listing = anon_api.get("/api/v1/products")
    detail = anon_api.get(f"/api/v1/products/{product.id}")
    assert_hit(listing, False)  # the product's own entry was rebuilt for the list ...
    assert_hit(detail, True)  # ... and serves its detail too
    assert listing.json()["data"]["products"][0]["price"] == "7.25"
    assert detail.json()["data"]["product"]["price"] == "7.25"


def test_write_through_the_django_admin_makes_the_next_read_a_miss(
    admin_client, anon_api, django_capture_on_commit_callbacks
):
    product = baker.make_recipe(
        "products.product", name="Apple", slug="apple", category="fruit", price=Decimal("5.00"), stock=3
    )
    assert_hit(anon_api.get(f"/api/v1/products/{product.id}"), False)
    assert_hit(anon_api.get(f"/api/v1/products/{product.id}"), True)

    form = {
        "name": "Apple",
        "slug": "apple",
        "category": "fruit",
        "description": "",
        "image_url": "",
        "price": "5.00",
        "stock": "0",
        "is_active": "on",
        "created_at_0": product.created_at.strftime("%Y-%m-%d"),
        "created_at_1": product.created_at.strftime("%H:%M:%S"),
    }
    with django_capture_on_commit_callbacks(execute=True):  # a superuser: the Django admin wants model permissions
        response = admin_client.post(f"/admin/products/product/{product.id}/change/", form)
    assert response.status_code == 302, response.content[:2000]

    detail = anon_api.get(f"/api/v1/products/{product.id}")
    assert_hit(detail, False)
    assert detail.json()["data"]["product"]["stock"] == 0


def test_queryset_update_in_a_service_makes_the_next_read_a_miss(
    anon_api, staff_user, django_capture_on_commit_callbacks
):
    baker.make_recipe("products.product", name="Apple")
    pear = baker.make_recipe("products.product", name="Pear")
    anon_api.get("/api/v1/products")
    anon_api.get("/api/v1/products?ordering=-name")
    assert_hit(anon_api.get("/api/v1/products"), True)

    with django_capture_on_commit_callbacks(execute=True):
        assert product_bulk_set_active(product_ids=[pear.id], is_active=False, user=staff_user) == 1

    listing = anon_api.get("/api/v1/products")
    assert_hit(listing, False)
    assert names(listing) == ["Apple"]
    filtered = anon_api.get("/api/v1/products?ordering=-name")
    assert_hit(filtered, False)
    assert names(filtered) == ["Apple"]


def test_inactive_product_detail_is_404_for_customers_and_visible_to_admins(anon_api, customer_api, staff_api):
    product = baker.make_recipe("products.product", name="Hidden", is_active=False)

    assert staff_api.get(f"/api/v1/products/{product.id}").json()["data"]["product"]["name"] == "Hidden"
    # The shared key now holds the inactive product; it must not leak to anyone else.
    assert anon_api.get(f"/api/v1/products/{product.id}").status_code == 404
    assert customer_api.get(f"/api/v1/products/{product.id}").status_code == 404
    assert_hit(staff_api.get(f"/api/v1/products/{product.id}"), True)


def test_missing_product_is_404_and_caches_nothing(anon_api):
    response = anon_api.get("/api/v1/products/987654")
    assert response.status_code == 404
    assert response.json() == {"success": False, "code": "not_found", "message": "Product not found", "errors": None}
    assert family_keys(PRODUCT_DETAIL) == []
    assert anon_api.get("/api/v1/products/99999999999999999999").status_code == 404


def test_create_returns_201_with_the_product_and_a_generated_slug(staff_api, staff_user):
    response = staff_api.post("/api/v1/products", VALID, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["message"] == "Product created"
    product = body["data"]["product"]
    assert set(product) == {
        "id",
        "name",
        "slug",
        "description",
        "category",
        "price",
        "stock",
        "is_active",
        "image_url",
        "created_at",
        "updated_at",
    }
    assert product["slug"] == "green-tea" and product["price"] == "4.50" and product["is_active"] is True
    assert Activity.objects.filter(action="product.created", user=staff_user).count() == 1


def test_slugs_stay_unique_for_equal_names(staff_api):
    slugs = [
        staff_api.post("/api/v1/products", VALID, format="json").json()["data"]["product"]["slug"] for _ in range(3)
    ]
    assert slugs == ["green-tea", "green-tea-2", "green-tea-3"]


def test_a_given_slug_that_is_taken_is_400(staff_api):
    baker.make_recipe("products.product", slug="taken")
    response = staff_api.post("/api/v1/products", {**VALID, "slug": "taken"}, format="json")
    assert response.status_code == 400 and "slug" in response.json()["errors"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({**VALID, "price": "abc"}, "price"),
        ({**VALID, "price": -1}, "price"),
        ({**VALID, "price": "1e30"}, "price"),
        ({**VALID, "price": "NaN"}, "price"),
        ({**VALID, "price": "1.234"}, "price"),
        ({**VALID, "stock": -1}, "stock"),
        ({**VALID, "stock": 1.5}, "stock"),
        ({**VALID, "stock": "ten"}, "stock"),
        ({**VALID, "stock": 10**12}, "stock"),
        ({**VALID, "is_active": "maybe"}, "is_active"),
        ({**VALID, "name": ["a"]}, "name"),
        ({**VALID, "name": "x" * 201}, "name"),
        ({**VALID, "description": "x" * 5001}, "description"),
        ({**VALID, "image_url": "not a url"}, "image_url"),
        ({**VALID, "slug": "not a slug!"}, "slug"),
        ({k: v for k, v in VALID.items() if k != "name"}, "name"),
        ({k: v for k, v in VALID.items() if k != "price"}, "price"),
        ({**VALID, "owner": 1}, "owner"),
        ({**VALID, "id": 99}, "id"),
    ],
)
def test_bad_product_input_is_400_and_writes_nothing(staff_api, body, field):
    response = staff_api.post("/api/v1/products", body, format="json")

    assert response.status_code == 400
    payload = response.json()
    assert payload["success"] is False and payload["message"] == "Validation failed"
    assert field in payload["errors"]
    assert not Product.objects.exists()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"a string"', ""])
def test_non_object_json_body_is_400(staff_api, raw):
    response = staff_api.generic("POST", "/api/v1/products", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert not Product.objects.exists()


def test_form_encoded_body_is_415(staff_api):
    response = staff_api.post("/api/v1/products", VALID)  # multipart
    assert response.status_code == 415 and response.json()["success"] is False


def test_put_replaces_and_patch_changes_some_fields(staff_api):
    product = baker.make_recipe("products.product", name="Old", slug="old", category="a", stock=1, description="d")

    response = staff_api.put(
        f"/api/v1/products/{product.id}", {"name": "New", "category": "b", "price": "2.00"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["data"]["product"]["slug"] == "old"  # a rename keeps the URL

    assert staff_api.put(f"/api/v1/products/{product.id}", {"name": "Only name"}, format="json").status_code == 400

    response = staff_api.patch(f"/api/v1/products/{product.id}", {"stock": 0}, format="json")
    product.refresh_from_db()
    assert response.status_code == 200 and product.stock == 0 and product.name == "New"

    assert staff_api.patch(f"/api/v1/products/{product.id}", {"stock": -5}, format="json").status_code == 400
    product.refresh_from_db()
    assert product.stock == 0


def test_delete_answers_200_with_the_deleted_product(staff_api, staff_user):
    product = baker.make_recipe("products.product", name="Gone")

    response = staff_api.delete(f"/api/v1/products/{product.id}")

    assert response.status_code == 200
    assert response.json()["data"]["product"]["id"] == product.id
    assert not Product.objects.filter(pk=product.id).exists()
    assert Activity.objects.filter(action="product.deleted", user=staff_user).exists()
    assert staff_api.delete(f"/api/v1/products/{product.id}").status_code == 404


def test_unknown_product_update_is_404(staff_api):
    response = staff_api.patch("/api/v1/products/424242", {"stock": 1}, format="json")
    assert response.status_code == 404 and json.loads(response.content)["message"] == "Product not found"
