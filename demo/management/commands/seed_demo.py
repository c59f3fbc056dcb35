"""`python manage.py seed_demo`: fill an empty database with a believable demo store."""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from demo.seed import DemoOptions, demo_store_seed, store_has_data


def positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with a demo store: the business, products, customers, coupons, weeks of "
        "orders with payments, notifications and activities, an admin and a customer account. "
        "Does nothing when the store already has products or orders."
    )

    def add_arguments(self, parser):
        defaults = DemoOptions()
        options = [
            ("--orders", positive, defaults.orders, "orders to create"),
            ("--products", positive, defaults.products, "products in the catalogue"),
            ("--users", positive, defaults.users, "generated customers (besides the two demo accounts)"),
            ("--days", int, defaults.days, "days of order history, today included"),
            ("--seed", int, defaults.seed, "random seed: the same seed gives the same catalogue and customers"),
            ("--batch-size", int, defaults.batch_size, "rows per INSERT"),
        ]
        for flag, kind, default, help_text in options:
            parser.add_argument(flag, type=kind, default=default, help=f"{help_text} (default %(default)s)")
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="no progress bar (it is off anyway when stderr is not a terminal)",
        )

    def handle(self, *args, **opts):
        if opts["days"] < 1 or opts["batch_size"] < 1:
            raise CommandError("--days and --batch-size must be at least 1.")
        if opts["products"] < 1 and opts["orders"] > 0:
            raise CommandError("Orders need products: use --products 1 or more.")
        if store_has_data():
            self.stdout.write("The store already has products or orders; seed_demo changes nothing.")
            return

        options = DemoOptions(
            orders=opts["orders"],
            products=opts["products"],
            users=opts["users"],
            days=opts["days"],
            seed=opts["seed"],
            batch_size=opts["batch_size"],
            admin_email=os.environ.get("DEMO_ADMIN_EMAIL") or DemoOptions.admin_email,
            admin_password=os.environ.get("DEMO_ADMIN_PASSWORD") or DemoOptions.admin_password,
            customer_email=os.environ.get("DEMO_CUSTOMER_EMAIL") or DemoOptions.customer_email,
            customer_password=os.environ.get("DEMO_CUSTOMER_PASSWORD") or DemoOptions.customer_password,
        )
        started = time.monotonic()
        show_progress = not opts["no_progress"] and sys.stderr.isatty() and opts["verbosity"] > 0
        bar = tqdm(total=options.orders, desc="orders", unit=" orders", file=sys.stderr, disable=not show_progress)
        with bar:
            counts = demo_store_seed(
                options=options,
                log=(lambda line: bar.write(line, file=sys.stderr)) if opts["verbosity"] > 1 else (lambda _: None),
                on_orders=bar.update,
            )
        # The cache needs no clearing: the outbox triggers recorded every row, and what this process
        # did not apply after its commit, the relay applies.
        if connection.vendor == "postgresql":
            # Fresh planner statistics, so the dashboard's queries are planned for the real row counts.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        elapsed = time.monotonic() - started
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo store ready in {elapsed:.1f}s: {summary}."))
        self.stdout.write(f"Admin:    {options.admin_email} / {options.admin_password}")
        self.stdout.write(f"Customer: {options.customer_email} / {options.customer_password}")
