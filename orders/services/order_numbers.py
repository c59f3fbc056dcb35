"""Order numbers `ORD-YYYYMMDD-NNNNN`: the local day in the business's timezone and a sequence per day.

One row per day (`OrderNumberSequence`) is bumped with a single `INSERT ... ON CONFLICT DO UPDATE
... RETURNING` in the transaction that writes the orders. The row stays locked until that
transaction ends, so concurrent placements get consecutive numbers one after the other; a
placement that rolls back gives its number back with its row change. Every path that creates
orders (the order service, seed_demo) takes its numbers here.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection

from orders.models import OrderNumberSequence


def order_number_format(day: date, sequence: int) -> str:
    return f"ORD-{day:%Y%m%d}-{sequence:05d}"


def order_numbers_reserve(*, day: date, count: int = 1) -> int:
    """Reserve `count` consecutive numbers of `day`; returns the first one's sequence (from 1)."""
    table = connection.ops.quote_name(OrderNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last_value) VALUES (%s, %s) "
            f"ON CONFLICT (day) DO UPDATE SET last_value = {table}.last_value + EXCLUDED.last_value "
            "RETURNING last_value",
            [day, count],
        )
        (last,) = cursor.fetchone()
    return last - count + 1


def order_number_next(*, at: datetime, zone: ZoneInfo) -> str:
    """The next number of the local day of `at`."""
    day = at.astimezone(zone).date()
    return order_number_format(day, order_numbers_reserve(day=day))
