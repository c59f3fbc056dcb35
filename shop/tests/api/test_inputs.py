"""Input serializers accept exactly what the schema declares (shop/api/inputs.py): a number beyond its
field's range is refused in the envelope with a 400, never a 500 (issue 13; the test failed on main at
b878c10)."""

import pytest

from testing.envelope import assert_envelope


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, field, value",
    [
        ("/api/v1/products", "price", "100000000.00"),
        ("/api/v1/products", "price", "1e5"),
        ("/api/v1/products", "price", 12.5),
        ("/api/v1/products", "stock", 2**31),
        ("/api/v1/products", "stock", 10**30),
        ("/api/v1/coupons", "usage_limit", 10**20),
        ("/api/v1/coupons", "value", "10000000000.00"),
        ("/api/v1/coupons/validate", "subtotal", "-1"),
        ("/api/v1/payments", "order_id", 2**63),
    ],
)
def test_numbers_beyond_a_fields_range_are_400(staff_api, url, field, value):
    response = staff_api.post(url, {field: value}, format="json")
    envelope = assert_envelope(response, 400, "validation_error")
    assert field in envelope["errors"]
