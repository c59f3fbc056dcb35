"""The product list's query string (products/filters.py), seen through the API: the same query in any
order, or with the default page and ordering spelled out, is one key; a malformed one is 400 and makes
no key; filters, pages and orderings; and no client can fill Redis with distinct filter queries."""

from decimal import Decimal

import pytest
from model_bakery import baker

from products.cache_families import PRODUCTS_FILTER
from products.tests.test_api import assert_hit, names
from shop.cache.redis import get_store
from testing.cache import family_keys

pytestmark = pytest.mark.django_db


def test_params_in_another_order_share_one_key(anon_api):
    baker.make_recipe("products.product", name="Apple juice", category="drinks", description="fresh")
    baker.make_recipe("products.product", name="Apple", category="fruit")

    first = anon_api.get("/api/v1/products?category=drinks&search=apple&min_price=1&in_stock=true")
    second = anon_api.get("/api/v1/products?in_stock=true&min_price=1.00&search=apple&category=drinks")

    assert_hit(first, False)
    assert_hit(second, True)
    assert names(second) == ["Apple juice"]
    keys = family_keys(PRODUCTS_FILTER)
    assert len(keys) == 1 and keys[0]["key"].startswith("products:filter:")
    assert 0 < keys[0]["ttl"] <= 600


def test_default_page_and_ordering_share_the_key_of_the_explicit_ones(anon_api):
    baker.make_recipe("products.product", name="Apple")
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
    baker.make_recipe("products.product", name="Apple")
    response = anon_api.get(f"/api/v1/products?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["message"] == "Validation failed" and body["errors"]
    assert family_keys(PRODUCTS_FILTER) == []


def test_filters_pagination_and_ordering(anon_api):
    for i in range(5):
        baker.make_recipe("products.product", name=f"Tea {i}", category="drinks", price=Decimal(f"{i + 1}.00"), stock=i)
    baker.make_recipe("products.product", name="Teapot", category="kitchen", price=Decimal("30.00"))

    data = anon_api.get("/api/v1/products?category=drinks&in_stock=true&ordering=-price&page=2&page_size=2").json()[
        "data"
    ]
    assert data["count"] == 4 and data["page"] == 2 and data["pages"] == 2
    assert [p["name"] for p in data["products"]] == ["Tea 2", "Tea 1"]

    data = anon_api.get("/api/v1/products?min_price=2&max_price=3.50").json()["data"]
    assert [p["name"] for p in data["products"]] == ["Tea 1", "Tea 2"]
    data = anon_api.get("/api/v1/products?in_stock=false").json()["data"]
    assert [p["name"] for p in data["products"]] == ["Tea 0"]


def test_an_anonymous_client_cannot_fill_redis_with_distinct_filter_queries(anon_api):
    """Issue 13, item 3: anyone could fill Redis with distinct filter queries. A family now holds at most
    CACHE_MAX_KEYS keys; past that, new keys of that family are served uncached until old ones expire."""
    baker.make_recipe("products.product", name="Tea")
    get_store().max_keys = 20
    answers = [anon_api.get(f"/api/v1/products?search=tea{n}") for n in range(60)]
    assert {a.status_code for a in answers} == {200}
    assert len(family_keys(PRODUCTS_FILTER)) == 20
    assert {a["X-Cache"] for a in answers} == {"MISS"}
    assert anon_api.get("/api/v1/products?search=tea59")["X-Cache"] == "MISS", "beyond the cap: never stored"
    assert anon_api.get("/api/v1/products?search=tea3")["X-Cache"] == "HIT", "within the cap: cached as before"
