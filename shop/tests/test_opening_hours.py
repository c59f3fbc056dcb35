"""The business row's opening hours (shop/opening_hours.py): one shape for every door that writes them,
the API's serializer and the admin's form. Anything beyond it (issue 13) is refused, with a 400 in the
envelope or the form again with the message on the field, never a 500, and changes nothing. Each test
is named after the attack; each failed on main at b878c10.
"""

import pytest
from model_bakery import baker

from shop.models import Business
from testing.envelope import assert_envelope, nested


@pytest.mark.django_db
@pytest.mark.parametrize(
    "opening_hours",
    [
        {"mon": 1e300},
        {"mon": {"open": "09:00", "close": "17:00", "x": nested(20)}},
        {"mon": nested(25)},
        {"someday": "9-17"},
        {"mon": "x" * 51},
        {"mon": {"open": "9am", "close": "5pm"}},
    ],
)
def test_opening_hours_beyond_their_shape_are_400_and_change_nothing(staff_api, opening_hours):
    baker.make_recipe("shop.business", name="Shop")
    before = Business.objects.values().get()
    response = staff_api.patch("/api/v1/business", {"opening_hours": opening_hours}, format="json")
    envelope = assert_envelope(response, 400, "validation_error")
    assert "opening_hours" in envelope["errors"]
    assert Business.objects.values().get() == before


@pytest.mark.django_db
def test_nul_in_opening_hours_is_400_even_without_the_edge_middleware():
    from shop.serializers import BusinessInputSerializer

    for hours in ({"mon": "9\u0000-17"}, {"mon\u0000": "9-17"}, {"mon": nested(1000)}):
        serializer = BusinessInputSerializer(data={"name": "Shop", "opening_hours": hours})
        assert not serializer.is_valid()
        assert "opening_hours" in serializer.errors


@pytest.mark.django_db
def test_opening_hours_in_their_shape_are_saved(staff_api):
    baker.make_recipe("shop.business", name="Shop")
    hours = {"mon": {"open": "08:00", "close": "22:00"}, "tue": "9-17", "sun": None}
    response = staff_api.patch("/api/v1/business", {"opening_hours": hours}, format="json")
    assert response.status_code == 200, response.json()
    assert Business.objects.get().opening_hours == hours


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    ['{"note": "9\\u0000-17"}', '{"note": ' + "[" * 1200 + "]" * 1200 + "}", '{"note": 1e400}'],
    ids=["NUL", "1,200 levels deep", "1e400"],
)
def test_the_admin_form_refuses_opening_hours_beyond_their_shape_without_a_500(admin_client, extra):
    business = baker.make_recipe("shop.business", name="Shop", opening_hours={"mon": "09:00-17:00"})
    client = admin_client
    client.raise_request_exception = False
    form = {"name": "Shop", "currency": "USD", "timezone": "UTC", "is_open": "on", "opening_hours_extra": extra}
    form.update(delivery_fee="0", min_order_amount="0", tax_rate="0")
    form.update({f"opening_hours_{day}_closed": "on" for day in ("tue", "wed", "thu", "fri", "sat", "sun")})
    form.update(opening_hours_mon_open="09:00", opening_hours_mon_close="17:00")

    response = client.post(f"/admin/shop/business/{business.pk}/change/", form)

    assert response.status_code == 200  # the form again, with the message on the field
    assert response.context["adminform"].form.errors["opening_hours"]
    assert Business.objects.get().opening_hours == {"mon": "09:00-17:00"}
