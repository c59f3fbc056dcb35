"""The store's core data (shop/models.py): the database itself refuses rows that break the store's
invariants, whatever code writes them."""

from decimal import Decimal

import pytest
from model_bakery import baker

from shop.models import Business, User
from testing.db import refused

pytestmark = pytest.mark.django_db


def test_a_second_business_row_is_refused():
    baker.make_recipe("shop.business", name="Corner Market")

    with refused():
        Business.objects.create(name="Second Store")

    assert list(Business.objects.values_list("name", flat=True)) == ["Corner Market"]


def test_business_tax_rate_above_100_percent_is_refused():
    with refused():
        Business.objects.create(name="Corner Market", tax_rate=Decimal("100.01"))


def test_user_email_differing_only_in_case_is_refused():
    baker.make_recipe("shop.customer", email="ann@example.test", name="Ann")

    with refused():
        User.objects.create(email="ANN@example.test", name="Ann again")
