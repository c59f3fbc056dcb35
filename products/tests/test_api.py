"""Product reads through HTTP: hits and misses, and every kind of write making the next read a miss."""

import pytest
from model_bakery import baker

from products.cache_families import PRODUCT_DETAIL, PRODUCTS_ALL, PRODUCTS_FILTER
from products.models import Product
from products.services import product_bulk_set_active
from testing.cache import family_keys

pytestmark = pytest.mark.django_db


def make_product(**fields) -> Product:
    fields.setdefault("price", "5.00")
    fields.setdefault("stock", 10)
    fields.setdefault("category", "fruit")
    return baker.make(Product, **fields)


def names(response) -> list[str]:
    return [p["name"] for p in response.json()["data"]["products"]]


def assert_hit(response, hit: bool):
    assert response.status_code == 200
    assert response["X-Cache"] == ("HIT" if hit else "MISS")
    assert response.json()["data"]["fromCache"] is hit


def test_second_list_read_is_a_hit_with_the_same_data(anon_api):
    make_product(name="Apple")
    make_product(name="Hidden", is_active=False)

    first = anon_api.get("/api/v1/products")
    second = anon_api.get("/api/v1/products")

    assert_hit(first, False)
    assert_hit(second, True)
    assert names(first) == names(second) == ["Apple"]
    assert second.json()["data"]["count"] == 1
    assert [k["key"] for k in family_keys(PRODUCTS_ALL)] == ["products:all"]


def test_hit_costs_no_sql(anon_api, django_assert_num_queries):
    make_product(name="Apple")
    anon_api.get("/api/v1/products")
    with django_assert_num_queries(0):
        assert_hit(anon_api.get("/api/v1/products"), True)


def test_write_through_the_api_makes_the_next_read_a_miss_with_new_data(
    anon_api, staff_api, django_capture_on_commit_callbacks
):
    product = make_product(name="Apple", price="5.00")
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
    client, staff_user, anon_api, django_capture_on_commit_callbacks
):
    product = make_product(name="Apple", slug="apple", price="5.00", stock=3)
    assert_hit(anon_api.get(f"/api/v1/products/{product.id}"), False)
    assert_hit(anon_api.get(f"/api/v1/products/{product.id}"), True)

    staff_user.is_superuser = True  # the Django admin also wants model permissions
    staff_user.save()
    client.force_login(staff_user)
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
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/products/product/{product.id}/change/", form)
    assert response.status_code == 302, response.content[:2000]

    detail = anon_api.get(f"/api/v1/products/{product.id}")
    assert_hit(detail, False)
    assert detail.json()["data"]["product"]["stock"] == 0


def test_queryset_update_in_a_service_makes_the_next_read_a_miss(
    anon_api, staff_user, django_capture_on_commit_callbacks
):
    make_product(name="Apple")
    pear = make_product(name="Pear")
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


def test_params_in_another_order_share_one_key(anon_api):
    make_product(name="Apple juice", category="drinks", description="fresh")
    make_product(name="Apple", category="fruit")

    first = anon_api.get("/api/v1/products?category=drinks&search=apple&min_price=1&in_stock=true")
    second = anon_api.get("/api/v1/products?in_stock=true&min_price=1.00&search=apple&category=drinks")

    assert_hit(first, False)
    assert_hit(second, True)
    assert names(second) == ["Apple juice"]
    keys = family_keys(PRODUCTS_FILTER)
    assert len(keys) == 1 and keys[0]["key"].startswith("products:filter:")
    assert 0 < keys[0]["ttl"] <= 600


def test_default_page_and_ordering_share_the_key_of_the_explicit_ones(anon_api):
    make_product(name="Apple")
    anon_api.get("/api/v1/products?search=app")
    assert_hit(anon_api.get("/api/v1/products?search=app&page=1&page_size=20&ordering=name"), True)
    assert len(family_keys(PRODUCTS_FILTER)) == 1


@pytest.mark.parametrize(
    "query",
    [
        "colour=red",
        "min_price=abc",
        "min_price=-1",
        "max_price=1.234",
        "min_price=1e40",
        "max_price=NaN",
        "in_stock=maybe",
        "ordering=password",
        "ordering=name,price",
        "page=0",
        "page=x",
        "page_size=101",
        "category=a&category=b",
        "min_price=10&max_price=5",
        "search=" + "x" * 201,
    ],
)
def test_malformed_filter_is_400_and_creates_no_key(anon_api, query):
    make_product(name="Apple")
    response = anon_api.get(f"/api/v1/products?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["message"] == "Validation failed" and body["errors"]
    assert family_keys(PRODUCTS_FILTER) == []


def test_filters_pagination_and_ordering(anon_api):
    for i in range(5):
        make_product(name=f"Tea {i}", category="drinks", price=f"{i + 1}.00", stock=i)
    make_product(name="Teapot", category="kitchen", price="30.00")

    data = anon_api.get("/api/v1/products?category=drinks&in_stock=true&ordering=-price&page=2&page_size=2").json()[
        "data"
    ]
    assert data["count"] == 4 and data["page"] == 2 and data["pages"] == 2
    assert [p["name"] for p in data["products"]] == ["Tea 2", "Tea 1"]

    data = anon_api.get("/api/v1/products?min_price=2&max_price=3.50").json()["data"]
    assert [p["name"] for p in data["products"]] == ["Tea 1", "Tea 2"]
    data = anon_api.get("/api/v1/products?in_stock=false").json()["data"]
    assert [p["name"] for p in data["products"]] == ["Tea 0"]


def test_inactive_product_detail_is_404_for_customers_and_visible_to_admins(anon_api, customer_api, staff_api):
    product = make_product(name="Hidden", is_active=False)

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
