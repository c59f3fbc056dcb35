from decimal import Decimal

import pytest
from model_bakery import baker

from products.models import Product
from products.services import (
    product_bulk_set_active,
    product_change_description,
    product_create,
    product_unique_slug,
)
from shop.models import Activity

pytestmark = pytest.mark.django_db


def test_unique_slug_of_a_name_without_ascii_letters():
    assert product_unique_slug(name="茶") == "product"


def test_bulk_set_active_changes_only_what_differs_and_logs_once(staff_user):
    on = baker.make_recipe("products.product", is_active=True, _quantity=2)
    off = baker.make_recipe("products.product", is_active=False)

    changed = product_bulk_set_active(product_ids=[on[0].id, off.id], is_active=False, user=staff_user)

    assert changed == 1
    assert list(Product.objects.filter(is_active=True).values_list("id", flat=True)) == [on[1].id]
    assert Activity.objects.filter(action="product.bulk_deactivated").count() == 1


def test_create_validates_the_model_before_writing(staff_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        product_create(data={"name": "x", "category": "c", "price": -1}, user=staff_user)
    assert not Product.objects.exists() and not Activity.objects.exists()


@pytest.mark.parametrize(
    "before, after, text",
    [
        ({"price": Decimal("3.2")}, {"price": Decimal("3.50")}, "Product Oat milk: price 3.20 → 3.50"),
        ({"stock": 4, "price": Decimal("1")}, {"stock": 20, "price": Decimal("1")}, "Product Oat milk: stock 4 → 20"),
        (
            {"is_active": True, "name": "Oat milk"},
            {"is_active": False, "name": "Oat milk"},
            "Product Oat milk: now hidden from the shop",
        ),
        (
            {"description": "a", "stock": 1},
            {"description": "b", "stock": 2},
            "Product Oat milk: stock 1 → 2; also description",
        ),
        ({"description": "a"}, {"description": "b"}, "Product Oat milk: description changed"),
        ({"stock": 1}, {"stock": 1}, "Product Oat milk saved without changes"),
    ],
)
def test_a_product_change_in_words(before, after, text):
    assert product_change_description(name="Oat milk", before=before, after=after) == text
