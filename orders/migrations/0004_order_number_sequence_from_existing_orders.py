"""Start each day's order-number sequence after the numbers that day already has.

Orders numbered `ORD-YYYYMMDD-NNNNN` before this migration (seed_demo wrote them that way) would
otherwise collide with the first numbers the sequence gives out. Older random suffixes
(`ORD-20261126-S53KGFBI33ZIKW5F`) are left as they are: they can't collide with digits.
"""

import re
from datetime import date

from django.db import migrations

NUMBERED = re.compile(r"^ORD-(\d{4})(\d{2})(\d{2})-(\d+)$")


def sequences_from_existing_numbers(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderNumberSequence = apps.get_model("orders", "OrderNumberSequence")
    last: dict[date, int] = {}
    for number in Order.objects.filter(number__regex=r"^ORD-[0-9]{8}-[0-9]+$").values_list("number", flat=True).iterator():
        year, month, day, sequence = NUMBERED.match(number).groups()
        key = date(int(year), int(month), int(day))
        last[key] = max(last.get(key, 0), int(sequence))
    OrderNumberSequence.objects.bulk_create(
        [OrderNumberSequence(day=day, last_value=value) for day, value in last.items()], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_coupon_per_customer_limit_refund_due_order_number_sequence"),
    ]

    operations = [
        migrations.RunPython(sequences_from_existing_numbers, migrations.RunPython.noop),
    ]
