"""Admin forms: database constraints reported next to their field, opening hours as days and times."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from model_bakery import baker

from orders.admin.coupons import CouponAdminForm
from orders.models import Coupon
from products.admin import ProductAdminForm
from products.models import Product
from shop.admin import BusinessAdminForm
from shop.admin_forms import OpeningHoursField, constraint_message
from shop.models import Activity, Business

pytestmark = pytest.mark.django_db


# --- constraints ----------------------------------------------------------------------------------
def product_data(**changes):
    data = {
        "name": "Loaf",
        "slug": "loaf",
        "category": "Bakery",
        "description": "",
        "image_url": "",
        "price": "6.50",
        "stock": "10",
        "is_active": "on",
        "created_at_0": "2026-03-05",
        "created_at_1": "12:00:00",
    }
    return {**data, **changes}


def test_a_negative_price_is_reported_on_the_price_field_in_words(admin_client):
    response = admin_client.post("/admin/products/product/add/", product_data(price="-1"))
    form = response.context["adminform"].form
    assert form.errors == {"price": ["The price can't be negative."]}
    html = response.content.decode()
    assert "product_price_gte_0" not in html and "is violated" not in html
    assert not Product.objects.exists()


def test_a_negative_stock_in_the_list_cells_is_reported_on_its_cell(admin_client):
    product = baker.make_recipe("products.product", name="Loaf", slug="loaf", price=Decimal("6.50"), stock=10)
    response = admin_client.post(
        "/admin/products/product/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(product.pk),
            "form-0-price": "6.50",
            "form-0-stock": "-3",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    [form] = response.context["cl"].formset.forms
    assert form.errors == {"stock": ["Stock can't be negative."]}
    assert Product.objects.get(pk=product.pk).stock == 10


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"value": "150"}, "value", "A percent discount can be at most 100."),
        ({"value": "0"}, "value", "The discount must be more than 0."),
        ({"min_order_amount": "-5"}, "min_order_amount", "The minimum order can't be negative."),
        ({"valid_until_0": "2026-01-01"}, "valid_until", "The coupon must end after it starts."),
        ({"code": "save10"}, "code", "A coupon with this code already exists (codes ignore upper and lower case)."),
    ],
)
def test_coupon_constraints_are_reported_on_their_field(admin_client, changes, field, message):
    baker.make_recipe("orders.coupon", code="SAVE10")
    data = {
        "code": "NEW20",
        "description": "",
        "is_active": "on",
        "discount_type": "percent",
        "value": "20",
        "max_discount": "",
        "min_order_amount": "0",
        "valid_from_0": "2026-02-01",
        "valid_from_1": "00:00:00",
        "valid_until_0": "2026-04-01",
        "valid_until_1": "00:00:00",
        "usage_limit": "",
        **changes,
    }
    response = admin_client.post("/admin/orders/coupon/add/", data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors.get(field) == [message], form.errors
    assert NON_FIELD_ERRORS not in form.errors
    assert Coupon.objects.count() == 1


def test_words_are_derived_for_a_plain_comparison_without_a_message_of_its_own():
    tax = next(c for c in Business._meta.constraints if c.name == "business_tax_rate_0_100")
    assert constraint_message(tax, Business) == "Must be at least 0 and at most 100."
    price = next(c for c in Product._meta.constraints if c.name == "product_price_gte_0")
    assert constraint_message(price, Product) == "Must be at least 0."


def test_the_forms_declare_words_for_every_constraint_of_their_model():
    for form, model in ((ProductAdminForm, Product), (CouponAdminForm, Coupon), (BusinessAdminForm, Business)):
        names = {c.name for c in model._meta.constraints if c.name != "business_single_row"}
        assert names <= set(form.constraint_messages), (model, names - set(form.constraint_messages))


# --- opening hours --------------------------------------------------------------------------------
class Inputs(HTMLParser):
    """The values a browser would post for the rendered inputs (checkboxes only when checked)."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag != "input" or "name" not in attrs:
            return
        if attrs.get("type") == "checkbox":
            if "checked" in attrs:
                self.values[attrs["name"]] = "on"
        else:
            self.values[attrs["name"]] = attrs.get("value") or ""


def posted(widget_html: str) -> dict:
    parser = Inputs()
    parser.feed(widget_html)
    return parser.values


def round_trip(stored):
    field = OpeningHoursField()
    html = field.widget.render("opening_hours", field.prepare_value(stored))
    data = posted(html)
    return field.clean(field.widget.value_from_datadict(data, {}, "opening_hours")), data


def test_opening_hours_round_trip_in_the_apis_shape():
    stored = {"mon": "09:00-17:00", "tue": "09:00-17:00", "sat": "10:00-14:30", "note": "Closed on holidays"}
    saved, data = round_trip(stored)
    assert saved == stored
    assert data["opening_hours_mon_open"] == "09:00" and data["opening_hours_sat_close"] == "14:30"
    assert data["opening_hours_sun_closed"] == "on" and "opening_hours_mon_closed" not in data
    assert not OpeningHoursField().has_changed(
        stored, OpeningHoursField().widget.value_from_datadict(data, {}, "opening_hours")
    )


def test_opening_hours_written_as_open_close_objects_or_short_hours_are_read():
    legacy = {day: {"open": "08:00", "close": "22:00"} for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    saved, _ = round_trip(legacy)
    assert saved == dict.fromkeys(legacy, "08:00-22:00")
    assert not OpeningHoursField().has_changed(legacy, saved)  # same hours: the row is left as it is
    assert round_trip({"mon": "9-17"})[0] == {"mon": "09:00-17:00"}


@pytest.mark.parametrize(
    "day_values, message",
    [
        ({"open": "09:00", "close": ""}, "Monday: enter both times as HH:MM."),
        ({"open": "", "close": ""}, "Monday: enter the opening and closing times, or tick “closed”."),
        ({"open": "09:00", "close": "09:00"}, "Monday: the store can't close at the time it opens."),
        ({"open": "25:00", "close": "26:00"}, "Monday: enter both times as HH:MM."),
    ],
)
def test_opening_hours_are_checked_day_by_day(day_values, message):
    field = OpeningHoursField()
    data = {f"opening_hours_{day}_closed": "on" for day in ("tue", "wed", "thu", "fri", "sat", "sun")}
    data |= {"opening_hours_mon_open": day_values["open"], "opening_hours_mon_close": day_values["close"]}
    with pytest.raises(Exception) as caught:
        field.clean(field.widget.value_from_datadict(data, {}, "opening_hours"))
    assert message in caught.value.messages


def business_post(business: Business, **changes) -> dict:
    data = {
        "name": business.name,
        "description": business.description,
        "logo_url": "",
        "is_open": "on",
        "email": "",
        "phone": "",
        "address": "",
        "currency": business.currency,
        "timezone": business.timezone,
        "delivery_fee": "0",
        "min_order_amount": "0",
        "tax_rate": "0",
    }
    closed = {f"opening_hours_{day}_closed": "on" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    return {**data, **closed, **changes}


def test_staff_set_opening_hours_as_days_and_times_and_the_api_shows_them(
    admin_client, admin_user, client, django_capture_on_commit_callbacks
):
    business = baker.make_recipe(
        "shop.business", name="Corner", timezone="America/New_York", opening_hours={"mon": "08:00-12:00"}
    )
    page = admin_client.get(f"/admin/shop/business/{business.pk}/change/").content.decode()
    assert 'type="time"' in page and 'name="opening_hours_mon_open"' in page and 'value="08:00"' in page
    assert not re.search(r"<textarea[^>]*opening_hours", page)  # no raw JSON

    data = business_post(business)
    del data["opening_hours_fri_closed"]
    data |= {"opening_hours_fri_open": "10:00", "opening_hours_fri_close": "23:30"}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/shop/business/{business.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    business.refresh_from_db()
    assert business.opening_hours == {"fri": "10:00-23:30"}
    assert client.get("/api/v1/business").json()["data"]["business"]["opening_hours"] == {"fri": "10:00-23:30"}
    entry = Activity.objects.get(action="business.updated")
    assert "opening_hours" in entry.description and entry.user == admin_user


def test_a_tax_rate_over_100_is_reported_on_its_field(admin_client):
    business = baker.make_recipe("shop.business", name="Corner", timezone="UTC")
    response = admin_client.post(f"/admin/shop/business/{business.pk}/change/", business_post(business, tax_rate="150"))
    assert response.context["adminform"].form.errors == {"tax_rate": ["The tax rate is a percentage from 0 to 100."]}
