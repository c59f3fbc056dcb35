"""Order numbers `ORD-YYYYMMDD-NNNNN`: the store's local day and a sequence per day, on every path.

Uniqueness under concurrent placements: test_orders_concurrency.py.
"""

import importlib
import re
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from model_bakery import baker

from orders.models import Order, OrderNumberSequence
from orders.services import order_numbers_reserve, order_place
from shop.models import Business

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^ORD-(\d{8})-(\d{5,})$")


def zone_whose_date_differs_from_utc() -> str:
    """UTC+14 is a day ahead from 10:00 UTC on, UTC-12 a day behind until 12:00 UTC."""
    return "Pacific/Kiritimati" if timezone.now().hour >= 10 else "Etc/GMT+12"


def place(user, product):
    return order_place(
        user=user, items=[{"product_id": product.pk, "quantity": 1}], delivery_address="x", payment_method="cash"
    )


def local_day(zone: str) -> str:
    return datetime.now(ZoneInfo(zone)).strftime("%Y%m%d")


def test_numbers_take_the_business_timezones_date_and_count_from_one(customer_api):
    zone = zone_whose_date_differs_from_utc()
    baker.make_recipe("shop.business", timezone=zone)
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
    body = {"items": [{"product_id": pizza.pk, "quantity": 1}], "delivery_address": "x", "payment_method": "cash"}

    numbers = [customer_api.post("/api/v1/orders", body, format="json").json()["data"]["order"]["number"] for _ in "ab"]

    assert local_day(zone) != timezone.now().strftime("%Y%m%d")
    assert numbers == [f"ORD-{local_day(zone)}-00001", f"ORD-{local_day(zone)}-00002"]


def test_without_a_business_row_the_date_is_in_settings_time_zone(customer, settings):
    settings.TIME_ZONE = zone = zone_whose_date_differs_from_utc()
    order = place(customer, baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10))
    assert order.number == f"ORD-{local_day(zone)}-00001"


def test_each_day_has_its_own_sequence():
    assert order_numbers_reserve(day=date(2026, 3, 1)) == 1
    assert order_numbers_reserve(day=date(2026, 3, 1), count=10) == 2
    assert order_numbers_reserve(day=date(2026, 3, 2)) == 1
    assert order_numbers_reserve(day=date(2026, 3, 1)) == 12
    assert dict(OrderNumberSequence.objects.values_list("day", "last_value")) == {
        date(2026, 3, 1): 12,
        date(2026, 3, 2): 1,
    }


def test_a_placement_that_rolls_back_gives_its_number_back(customer):
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
    with pytest.raises(RuntimeError), transaction.atomic():
        place(customer, pizza)
        raise RuntimeError("the request failed after placing")
    assert place(customer, pizza).number.endswith("-00001")


def test_orders_placed_after_seed_demo_continue_its_numbering(customer):
    call_command("seed_demo", orders=60, products=12, users=10, days=2, seed=3, no_progress=True, stdout=StringIO())
    zone = Business.objects.get().timezone
    seeded_today = Order.objects.filter(number__startswith=f"ORD-{local_day(zone)}-").count()
    assert all(NUMBER.match(number) for number in Order.objects.values_list("number", flat=True))

    order = place(customer, baker.make_recipe("products.product", name="Fresh", price=Decimal("10.00"), stock=10))

    assert order.number == f"ORD-{local_day(zone)}-{seeded_today + 1:05d}"


def test_the_migration_starts_each_days_sequence_after_the_numbers_already_given():
    migration = importlib.import_module("orders.migrations.0004_order_number_sequence_from_existing_orders")
    for number in ("ORD-20260101-00007", "ORD-20260101-00003", "ORD-20260102-00001", "ORD-20261126-S53KGFBI33ZIKW5F"):
        baker.make_recipe("orders.order", number=number)

    migration.sequences_from_existing_numbers(apps, None)

    assert dict(OrderNumberSequence.objects.values_list("day", "last_value")) == {
        date(2026, 1, 1): 7,
        date(2026, 1, 2): 1,
    }
    assert order_numbers_reserve(day=date(2026, 1, 1)) == 8
