from decimal import Decimal

import pytest
from model_bakery import baker

from shop.cache_families import BUSINESS_INFO
from shop.models import Activity, Business
from testing.cache import family_keys

pytestmark = pytest.mark.django_db

BUSINESS_FIELDS = {
    "name",
    "description",
    "email",
    "phone",
    "address",
    "currency",
    "timezone",
    "opening_hours",
    "is_open",
    "delivery_fee",
    "min_order_amount",
    "tax_rate",
    "logo_url",
    "updated_at",
}


def test_unconfigured_business_is_404_and_caches_nothing(anon_api):
    response = anon_api.get("/api/v1/business")
    assert response.status_code == 404
    assert response.json()["message"] == "Business not configured"
    assert family_keys(BUSINESS_INFO) == []
    assert not Business.objects.exists()


def test_business_is_cached_without_expiry_and_a_patch_clears_it(
    anon_api, staff_api, django_capture_on_commit_callbacks
):
    baker.make_recipe("shop.business", name="Corner Shop", tax_rate=Decimal("8.50"))

    first, second = anon_api.get("/api/v1/business"), anon_api.get("/api/v1/business")
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    data = second.json()["data"]
    assert data["fromCache"] is True and set(data["business"]) == BUSINESS_FIELDS
    assert data["business"]["tax_rate"] == "8.50"
    assert family_keys(BUSINESS_INFO) == [{"key": "business:info", "ttl": -1}]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.patch("/api/v1/business", {"is_open": False, "currency": "eur"}, format="json")
    assert response.status_code == 200 and response.json()["data"]["business"]["currency"] == "EUR"

    after = anon_api.get("/api/v1/business")
    assert after["X-Cache"] == "MISS" and after.json()["data"]["business"]["is_open"] is False


def test_put_creates_the_row_and_replaces_every_field(staff_api, staff_user):
    response = staff_api.put(
        "/api/v1/business",
        {"name": "Shop", "timezone": "Europe/Berlin", "tax_rate": "7.00", "opening_hours": {"mon": "9-17"}},
        format="json",
    )
    assert response.status_code == 200
    assert Business.objects.get().timezone == "Europe/Berlin"

    staff_api.put("/api/v1/business", {"name": "Renamed"}, format="json")
    business = Business.objects.get()
    assert (business.name, business.timezone, str(business.tax_rate), business.opening_hours) == (
        "Renamed",
        "UTC",
        "0.00",
        {},
    )
    assert Activity.objects.filter(action="business.updated", user=staff_user).count() == 2


def test_patch_without_a_business_is_404(staff_api):
    assert staff_api.patch("/api/v1/business", {"is_open": False}, format="json").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "E1R"}, "currency"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"tax_rate": "100.01"}, "tax_rate"),
        ({"tax_rate": -1}, "tax_rate"),
        ({"delivery_fee": "-0.01"}, "delivery_fee"),
        ({"min_order_amount": "1e20"}, "min_order_amount"),
        ({"opening_hours": ["mon"]}, "opening_hours"),
        ({"opening_hours": "9-17"}, "opening_hours"),
        ({"email": "nope"}, "email"),
        ({"logo_url": "ftp:/x"}, "logo_url"),
        ({"name": "x" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"singleton": False}, "singleton"),
        ({"updated_at": "2020-01-01T00:00:00Z"}, "updated_at"),
    ],
)
def test_bad_business_input_is_400_and_changes_nothing(staff_api, body, field):
    baker.make_recipe("shop.business", name="Shop")
    before = Business.objects.values().get()

    response = staff_api.patch("/api/v1/business", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Business.objects.values().get() == before
    assert not Activity.objects.exists()
