"""Issue 13, item 3: anyone could fill Redis with distinct filter queries. A family now holds at most
CACHE_MAX_KEYS keys; past that, new keys of that family are served uncached until old ones expire."""

import pytest
from model_bakery import baker

from products.cache_families import PRODUCTS_FILTER
from shop.cache.redis import get_store
from testing.api import bearer_client
from testing.cache import family_keys

pytestmark = pytest.mark.django_db


def test_an_anonymous_client_cannot_fill_redis_with_distinct_filter_queries():
    baker.make("products.Product", name="Tea", category="drinks", price="2.00", stock=3, is_active=True)
    get_store().max_keys = 20
    client = bearer_client()
    answers = [client.get(f"/api/v1/products?search=tea{n}") for n in range(60)]
    assert {a.status_code for a in answers} == {200}
    assert len(family_keys(PRODUCTS_FILTER)) == 20
    assert {a["X-Cache"] for a in answers} == {"MISS"}
    assert client.get("/api/v1/products?search=tea59")["X-Cache"] == "MISS", "beyond the cap: never stored"
    assert client.get("/api/v1/products?search=tea3")["X-Cache"] == "HIT", "within the cap: cached as before"
