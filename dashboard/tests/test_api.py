"""The dashboard API: admin only, envelope with fromCache and X-Cache, bounded parameters."""

import json

import pytest

from dashboard.cache_families import DASHBOARD_ACTIVITIES, DASHBOARD_REVENUE_CHART, DASHBOARD_TOP_PRODUCTS
from testing.cache import family_keys, raw_entry

pytestmark = pytest.mark.django_db

ENDPOINTS = ["stats", "top-products", "revenue-chart", "activities"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_gets_401_in_the_envelope(anon_api, endpoint):
    response = anon_api.get(f"/api/v1/dashboard/{endpoint}")
    assert response.status_code == 401
    assert response.json()["success"] is False


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_customer_gets_403(customer_api, endpoint):
    response = customer_api.get(f"/api/v1/dashboard/{endpoint}")
    assert response.status_code == 403
    assert response.json()["success"] is False


def test_stats_miss_then_hit(staff_api, sample_store):
    first = staff_api.get("/api/v1/dashboard/stats")
    second = staff_api.get("/api/v1/dashboard/stats")
    assert (first.status_code, first["X-Cache"], second["X-Cache"]) == (200, "MISS", "HIT")
    body = first.json()
    assert body["success"] is True and body["data"]["fromCache"] is False
    assert second.json()["data"]["fromCache"] is True
    assert set(body["data"]) == {
        "todayRevenue",
        "todayOrders",
        "totalUsers",
        "activeOrders",
        "completedOrders",
        "cancelledOrders",
        "lastUpdated",
        "fromCache",
    }
    assert isinstance(body["data"]["todayRevenue"], str)
    assert {k: v for k, v in second.json()["data"].items() if k != "fromCache"} == {
        k: v for k, v in body["data"].items() if k != "fromCache"
    }


def test_session_login_is_accepted(staff_client):
    assert staff_client.get("/api/v1/dashboard/stats").status_code == 200


def test_top_products_default_limit_is_5_and_keyed_by_limit(staff_api, sample_store):
    response = staff_api.get("/api/v1/dashboard/top-products")
    assert response.status_code == 200
    data = response.json()["data"]
    assert [p["name"] for p in data["products"]] == ["Apple", "Cheese", "Eggs", "Bread"]
    assert data["products"][0] == {
        "product_id": sample_store["products"]["A"].id,
        "name": "Apple",
        "category": "fruit",
        "totalQuantity": 3,
        "totalRevenue": "15.00",
    }
    staff_api.get("/api/v1/dashboard/top-products?limit=2")
    keys = sorted(k["key"] for k in family_keys(DASHBOARD_TOP_PRODUCTS))
    assert keys == ["dashboard:top-products:2", "dashboard:top-products:5"]


def test_revenue_chart_has_days_rows(staff_api, sample_store):
    response = staff_api.get("/api/v1/dashboard/revenue-chart?days=30")
    chart = response.json()["data"]["chart"]
    assert len(chart) == 30
    assert set(chart[0]) == {"date", "revenue", "count"}
    assert chart == sorted(chart, key=lambda row: row["date"])
    assert len(staff_api.get("/api/v1/dashboard/revenue-chart").json()["data"]["chart"]) == 7


def test_activities_default_limit_is_20(staff_api, staff_user):
    from shop.activity import activity_log

    for i in range(25):
        activity_log(action="test.event", description=f"event {i}", user=staff_user)
    data = staff_api.get("/api/v1/dashboard/activities").json()["data"]
    assert len(data["activities"]) == 20
    assert data["activities"][0]["description"] == "event 24"


@pytest.mark.parametrize(
    "url, family",
    [
        ("/api/v1/dashboard/top-products?limit=0", DASHBOARD_TOP_PRODUCTS),
        ("/api/v1/dashboard/top-products?limit=51", DASHBOARD_TOP_PRODUCTS),
        ("/api/v1/dashboard/top-products?limit=abc", DASHBOARD_TOP_PRODUCTS),
        ("/api/v1/dashboard/top-products?limit=", DASHBOARD_TOP_PRODUCTS),
        ("/api/v1/dashboard/top-products?limit=-3", DASHBOARD_TOP_PRODUCTS),
        ("/api/v1/dashboard/top-products?limit=5&colour=red", DASHBOARD_TOP_PRODUCTS),
        ("/api/v1/dashboard/activities?limit=0", DASHBOARD_ACTIVITIES),
        ("/api/v1/dashboard/activities?limit=51", DASHBOARD_ACTIVITIES),
        ("/api/v1/dashboard/activities?limit=2.5", DASHBOARD_ACTIVITIES),
        ("/api/v1/dashboard/revenue-chart?days=91", DASHBOARD_REVENUE_CHART),
        ("/api/v1/dashboard/revenue-chart?days=0", DASHBOARD_REVENUE_CHART),
        ("/api/v1/dashboard/revenue-chart?days=abc", DASHBOARD_REVENUE_CHART),
        ("/api/v1/dashboard/revenue-chart?limit=5", DASHBOARD_REVENUE_CHART),
    ],
)
def test_out_of_range_or_unknown_parameters_are_400_and_create_no_key(staff_api, url, family):
    response = staff_api.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["message"] == "Validation failed" and body["errors"]
    assert family_keys(family) == []


def test_unknown_parameter_on_stats_is_400(staff_api):
    response = staff_api.get("/api/v1/dashboard/stats?day=tomorrow")
    assert response.status_code == 400
    assert response.json()["errors"] == {"day": ["Unknown query parameter."]}


def test_the_boundaries_are_accepted(staff_api):
    for url in (
        "/api/v1/dashboard/top-products?limit=1",
        "/api/v1/dashboard/top-products?limit=50",
        "/api/v1/dashboard/activities?limit=50",
        "/api/v1/dashboard/revenue-chart?days=1",
        "/api/v1/dashboard/revenue-chart?days=90",
    ):
        assert staff_api.get(url).status_code == 200, url


def test_the_stored_bytes_are_the_data_payload_without_fromcache(staff_api, sample_store):
    staff_api.get("/api/v1/dashboard/top-products?limit=3")
    raw = raw_entry(DASHBOARD_TOP_PRODUCTS, {"limit": 3})
    assert "fromCache" not in json.loads(raw)


def test_schema_documents_the_dashboard_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    for endpoint in ENDPOINTS:
        assert f"/api/v1/dashboard/{endpoint}" in schema["paths"]
    parameters = schema["paths"]["/api/v1/dashboard/revenue-chart"]["get"]["parameters"]
    assert any(p["name"] == "days" for p in parameters)
