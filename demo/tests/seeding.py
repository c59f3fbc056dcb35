"""Runs `seed_demo` on a small store, for the demo's tests."""

from io import StringIO

from django.core.management import call_command

SMALL = {"orders": 150, "products": 24, "users": 20, "days": 7, "seed": 7, "no_progress": True}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", **{**SMALL, **options}, stdout=out)
    return out.getvalue()
