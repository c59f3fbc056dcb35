"""The admin (shop/admin.py and the apps' admin modules): every model's pages for staff and for nobody else,
add pages only where rows don't come from the services, and the forms' own rules. (Actions and saves:
test_admin_actions.py.)"""

import pytest
from django.urls import reverse
from model_bakery import baker

from shop.models import Business, User
from testing.admin import admin_url

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    "shop.user",
    "shop.business",
    "shop.notification",
    "shop.activity",
    "products.product",
    "orders.coupon",
    "orders.order",
    "orders.payment",
]
ADDABLE = ["shop.user", "shop.notification", "products.product", "orders.coupon"]
NOT_ADDABLE = ["shop.business", "shop.activity", "orders.order", "orders.payment"]


@pytest.mark.parametrize("label", ALL_MODELS)
def test_staff_sees_every_changelist(admin_client, one_of_each, label):
    response = admin_client.get(admin_url(label, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("label", ALL_MODELS)
def test_staff_sees_every_change_page(admin_client, one_of_each, label):
    response = admin_client.get(admin_url(label, "change", one_of_each[label].pk))
    assert response.status_code == 200


@pytest.mark.parametrize("label", ALL_MODELS)
def test_changelist_search_answers(admin_client, one_of_each, label):
    response = admin_client.get(admin_url(label, "changelist"), {"q": "ann"})
    assert response.status_code == 200


@pytest.mark.parametrize("label", ADDABLE)
def test_staff_sees_the_add_page_where_adding_is_allowed(admin_client, label):
    assert admin_client.get(admin_url(label, "add")).status_code == 200


@pytest.mark.parametrize("label", NOT_ADDABLE)
def test_add_page_is_refused_where_rows_come_from_the_services(admin_client, one_of_each, label):
    assert admin_client.get(admin_url(label, "add")).status_code == 403


def test_business_can_be_added_while_there_is_none_and_never_deleted(admin_client):
    assert admin_client.get(admin_url("shop.business", "add")).status_code == 200
    business = baker.make_recipe("shop.business", name="Corner Market")
    assert admin_client.get(admin_url("shop.business", "add")).status_code == 403
    assert admin_client.get(admin_url("shop.business", "delete", business.pk)).status_code == 403


@pytest.mark.parametrize("label", ALL_MODELS)
def test_non_staff_user_is_sent_to_the_admin_login(client, one_of_each, label):
    client.force_login(one_of_each["shop.user"])
    response = client.get(admin_url(label, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("label", ALL_MODELS)
def test_anonymous_user_is_sent_to_the_admin_login(client, one_of_each, label):
    response = client.get(admin_url(label, "change", one_of_each[label].pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_adding_a_user_in_the_admin_sets_a_password_they_can_log_in_with(admin_client, client):
    response = admin_client.post(
        admin_url("shop.user", "add"),
        {
            "email": "New.Person@Example.test",
            "name": "New Person",
            "phone": "",
            "usable_password": "true",
            "password1": "a-long-pass-2024",
            "password2": "a-long-pass-2024",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.test")
    assert user.check_password("a-long-pass-2024")


def test_adding_a_user_whose_email_differs_only_in_case_is_refused(admin_client, one_of_each):
    response = admin_client.post(
        admin_url("shop.user", "add"),
        {
            "email": "ANN@example.test",
            "name": "Ann again",
            "usable_password": "true",
            "password1": "a-long-pass-2024",
            "password2": "a-long-pass-2024",
        },
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="ann@example.test").count() == 1


def test_adding_a_user_with_mismatched_passwords_is_refused(admin_client):
    response = admin_client.post(
        admin_url("shop.user", "add"),
        {
            "email": "x@example.test",
            "name": "X",
            "usable_password": "true",
            "password1": "a-long-pass-2024",
            "password2": "other",
        },
    )

    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.test").exists()


def test_order_money_is_read_only_in_the_admin(admin_client, one_of_each):
    order = one_of_each["orders.order"]
    response = admin_client.get(admin_url("orders.order", "change", order.pk))

    form_fields = set(response.context["adminform"].form.fields)
    assert form_fields == {"delivery_address", "notes"}
    assert "Sourdough Loaf" in response.content.decode()  # the items inline


def test_business_with_an_unknown_time_zone_is_refused(admin_client):
    response = admin_client.post(
        admin_url("shop.business", "add"),
        {
            "name": "Corner Market",
            "currency": "usd",
            "timezone": "Mars/Olympus_Mons",
            "opening_hours": "{}",
            "delivery_fee": "0",
            "min_order_amount": "0",
            "tax_rate": "0",
        },
    )

    assert response.status_code == 200
    assert "timezone" in response.context["adminform"].form.errors
    assert not Business.objects.exists()
