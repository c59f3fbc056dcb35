from decimal import Decimal

import pytest
from model_bakery import baker

from products.cache_families import PRODUCTS_ALL
from shop import cache
from testing.cache import family_keys

pytestmark = pytest.mark.django_db


def test_health_is_ok_when_database_and_cache_answer(anon_api):
    response = anon_api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["data"] == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.faults
def test_health_is_degraded_but_200_when_redis_is_dead(anon_api, own_redis_store, redis_server):
    assert anon_api.get("/api/v1/health").json()["data"]["cache"] == "ok"
    redis_server.kill()

    response = anon_api.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json()["data"] == {"status": "degraded", "database": "ok", "cache": "down"}


def test_cache_stats_counts_hits_and_misses_per_family(anon_api, staff_api):
    baker.make_recipe("products.product", price=Decimal("1.00"))
    anon_api.get("/api/v1/products")
    anon_api.get("/api/v1/products")

    data = staff_api.get("/api/v1/cache/stats").json()["data"]

    family = data["families"]["products:all"]
    assert (family["keys"], family["hits"], family["misses"], family["hitRate"]) == (1, 1, 1, 0.5)
    assert data["redis"]["status"] == "up" and data["redis"]["usedMemory"] > 0


@pytest.mark.parametrize(
    "selector, expected",
    [
        ("products:all", ["products:all"]),
        ("products", ["products:all", "products:detail", "products:filter"]),
        (
            "dashboard",
            [
                "dashboard:activities",
                "dashboard:period-activity",
                "dashboard:period-products",
                "dashboard:period-sales",
                "dashboard:revenue-chart",
                "dashboard:stats",
                "dashboard:top-products",
            ],
        ),
    ],
)
def test_cache_clear_names_what_it_cleared(staff_api, selector, expected):
    response = staff_api.delete(f"/api/v1/cache/{selector}")
    assert response.status_code == 200
    assert sorted(response.json()["data"]["cleared"]) == expected


def test_cache_clear_all_covers_every_family(staff_api):
    cleared = staff_api.delete("/api/v1/cache/all").json()["data"]["cleared"]
    assert sorted(cleared) == sorted(f.name for f in cache.all_families())


def test_cleared_family_is_a_miss_on_the_next_read(anon_api, staff_api):
    baker.make_recipe("products.product", price=Decimal("1.00"))
    anon_api.get("/api/v1/products")
    assert anon_api.get("/api/v1/products")["X-Cache"] == "HIT"

    staff_api.delete("/api/v1/cache/products:all")

    assert anon_api.get("/api/v1/products")["X-Cache"] == "MISS"


def test_unknown_cache_family_is_404(staff_api):
    baker.make_recipe("products.product", price=Decimal("1.00"))
    staff_api.get("/api/v1/products")
    response = staff_api.delete("/api/v1/cache/nonsense")
    assert response.status_code == 404 and response.json()["success"] is False
    assert len(family_keys(PRODUCTS_ALL)) == 1
