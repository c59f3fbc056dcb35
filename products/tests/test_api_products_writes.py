"""Admin writes of products: what they answer, what they refuse, what they leave behind."""

import json

import pytest
from model_bakery import baker

from products.models import Product
from shop.models import Activity

pytestmark = pytest.mark.django_db

VALID = {"name": "Green Tea", "category": "drinks", "price": "4.50", "stock": 12}


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
    baker.make(Product, slug="taken", price="1.00")
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
    product = baker.make(Product, name="Old", slug="old", category="a", price="1.00", stock=1, description="d")

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
    product = baker.make(Product, name="Gone", price="1.00")

    response = staff_api.delete(f"/api/v1/products/{product.id}")

    assert response.status_code == 200
    assert response.json()["data"]["product"]["id"] == product.id
    assert not Product.objects.filter(pk=product.id).exists()
    assert Activity.objects.filter(action="product.deleted", user=staff_user).exists()
    assert staff_api.delete(f"/api/v1/products/{product.id}").status_code == 404


def test_unknown_product_update_is_404(staff_api):
    response = staff_api.patch("/api/v1/products/424242", {"stock": 1}, format="json")
    assert response.status_code == 404 and json.loads(response.content)["message"] == "Product not found"
