"""The products admin writes through products.services: staff price and stock changes are in the activity log."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from model_bakery import baker

from products.cache_families import PRODUCTS_ALL
from products.models import Product
from shop.models import Activity
from testing.admin import product_form
from testing.cache import read

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaf(db):
    return baker.make_recipe(
        "products.product", name="Loaf", slug="loaf", category="Bakery", price=Decimal("6.50"), stock=10
    )


def test_a_price_change_on_the_product_page_is_logged_with_old_and_new_price(admin_client, admin_user, loaf):
    response = admin_client.post(f"/admin/products/product/{loaf.pk}/change/", product_form(loaf, price="7.25"))
    assert response.status_code == 302
    entry = Activity.objects.get(action="product.updated")
    assert entry.description == "Product Loaf: price 6.50 → 7.25"
    assert entry.user.email == admin_user.email and entry.target_id == loaf.pk
    assert LogEntry.objects.filter(object_id=str(loaf.pk)).count() == 1


def test_saving_without_changes_writes_nothing(admin_client, loaf):
    admin_client.post(f"/admin/products/product/{loaf.pk}/change/", product_form(loaf))
    assert not Activity.objects.exists()


def test_prices_and_stock_are_edited_in_the_list_through_the_service(
    admin_client, loaf, django_capture_on_commit_callbacks
):
    bun = baker.make_recipe(
        "products.product", name="Bun", slug="bun", category="Bakery", price=Decimal("1.00"), stock=3
    )
    read(PRODUCTS_ALL, {}, lambda: {"products": ["before"]})
    page = admin_client.get("/admin/products/product/").content.decode()
    assert 'name="form-0-price"' in page and 'name="form-0-stock"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/products/product/",
            {
                "form-TOTAL_FORMS": "2",
                "form-INITIAL_FORMS": "2",
                "form-0-id": str(bun.pk),
                "form-0-price": "1.20",
                "form-0-stock": "3",
                "form-1-id": str(loaf.pk),
                "form-1-price": "6.50",
                "form-1-stock": "25",
                "_save": "Save",
            },
        )
    assert response.status_code == 302
    assert sorted(Activity.objects.values_list("description", flat=True)) == [
        "Product Bun: price 1.00 → 1.20",
        "Product Loaf: stock 10 → 25",
    ]
    assert Product.objects.get(pk=loaf.pk).stock == 25 and Product.objects.get(pk=bun.pk).price == Decimal("1.20")
    assert not read(PRODUCTS_ALL, {}, lambda: {"products": ["after"]}).hit


def test_adding_a_product_goes_through_the_service(admin_client):
    product = baker.prepare_recipe(
        "products.product", name="Scone", slug="scone", category="Bakery", price=Decimal("2.00"), stock=4
    )
    response = admin_client.post("/admin/products/product/add/", product_form(product))
    assert response.status_code == 302
    scone = Product.objects.get(slug="scone")
    assert (
        response["Location"] == f"/admin/products/product/{scone.pk}/change/"
        or response["Location"] == "/admin/products/product/"
    )
    assert Activity.objects.get(action="product.created").target_id == scone.pk


def test_deleting_products_goes_through_the_service(admin_client, loaf):
    bun = baker.make_recipe(
        "products.product", name="Bun", slug="bun", category="Bakery", price=Decimal("1.00"), stock=3
    )
    admin_client.post(f"/admin/products/product/{loaf.pk}/delete/", {"post": "yes"})
    admin_client.post(
        "/admin/products/product/", {"action": "delete_selected", "_selected_action": [bun.pk], "post": "yes"}
    )
    assert not Product.objects.exists()
    assert sorted(Activity.objects.filter(action="product.deleted").values_list("description", flat=True)) == [
        "Product Bun deleted",
        "Product Loaf deleted",
    ]


def test_hiding_products_in_bulk_goes_through_the_service(admin_client, loaf, django_capture_on_commit_callbacks):
    bun = baker.make_recipe(
        "products.product", name="Bun", slug="bun", category="Bakery", price=Decimal("1.00"), stock=3, is_active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/products/product/", {"action": "mark_inactive", "_selected_action": [loaf.pk, bun.pk]}, follow=True
        )
    assert "1 product(s) now hidden from the shop." in response.content.decode()
    assert Activity.objects.get(action="product.bulk_deactivated").description == "1 products deactivated"
    assert [e.object_id for e in LogEntry.objects.all()] == [str(loaf.pk)]  # only the row that changed


def test_the_restock_filter_matches_the_dashboards_low_stock(admin_client, loaf):
    for name, stock, active in (("A", 0, True), ("B", 5, True), ("C", 6, True), ("D", 1, False)):
        baker.make_recipe("products.product", name=name, stock=stock, is_active=active)
    response = admin_client.get("/admin/products/product/?stock_level=restock&is_active__exact=1")
    assert sorted(p.name for p in response.context["cl"].result_list) == ["A", "B"]
