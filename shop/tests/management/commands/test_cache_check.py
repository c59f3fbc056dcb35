"""`manage.py cache_check`: each cached endpoint called twice over HTTP, the second answer from the cache."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from model_bakery import baker

from shop.baker_recipes import PASSWORD
from shop.cache import cached_reads
from shop.management.commands.cache_check import Reply, endpoint_paths, judge


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def reply(status=200, x_cache="MISS", from_cache=False) -> Reply:
    return Reply(
        status=status, seconds=0.01, x_cache=x_cache, body={"success": True, "data": {"fromCache": from_cache}}
    )


MISS, HIT = reply(), reply(x_cache="HIT", from_cache=True)


@pytest.mark.parametrize(
    ("first", "second", "cold", "admin", "outcome"),
    [
        (MISS, HIT, True, True, "ok"),
        (MISS, HIT, False, False, "ok"),
        (HIT, HIT, False, False, "ok"),  # warm and not cleared: can only report
        (HIT, HIT, True, True, "fail"),  # cleared, yet the first call was a hit
        (MISS, MISS, True, True, "fail"),  # the second call did not come from the cache
        (MISS, reply(x_cache="HIT", from_cache=False), True, True, "fail"),  # header and body disagree
        (reply(x_cache=None), HIT, True, True, "fail"),  # no X-Cache header
        (reply(status=500), HIT, True, True, "fail"),
        (reply(status=403), reply(status=403), False, False, "skip"),  # dashboard without admin
        (reply(status=401), reply(status=401), True, True, "fail"),  # an admin must get through
    ],
)
def test_cache_check_judges_each_pair_of_calls(first, second, cold, admin, outcome):
    assert judge(first, second, cold=cold, admin=admin).outcome == outcome


def test_cache_check_fills_in_the_first_product_and_category():
    listing = Reply(
        200, 0.01, "MISS", {"data": {"products": [{"id": 9, "category": "hot drinks"}], "fromCache": False}}
    )
    paths, left_out = endpoint_paths(listing)
    assert {"/products", "/products?category=hot%20drinks&page=1", "/products/9", "/business"} <= set(paths)
    assert paths.index("/products/9") < paths.index("/dashboard/stats"), "public endpoints first"
    assert len(paths) == len([r for r in cached_reads() if r.http]) and left_out == []

    paths, left_out = endpoint_paths(Reply(200, 0.01, "MISS", {"data": {"products": [], "fromCache": False}}))
    assert sorted(left_out) == ["/products/{product_id}", "/products?category={category}&page=1"]
    assert len(paths) == len([r for r in cached_reads() if r.http]) - 2


def test_cache_check_fails_when_the_server_cannot_be_reached():
    from testing.redis_server import free_port

    with pytest.raises(CommandError, match="Cannot reach"):
        run("cache_check", "--base-url", f"http://127.0.0.1:{free_port()}", "--timeout", "2")


@pytest.mark.django_db(transaction=True)
def test_cache_check_against_the_running_app(live_server, staff_user):
    from shop.models import Business

    baker.make_recipe("products.product", name="Tea", slug="tea", category="drinks", price=Decimal("2.00"), stock=3)
    if not Business.objects.exists():
        baker.make_recipe("shop.business")
    report = run("cache_check", "--base-url", live_server.url, "--email", staff_user.email, "--password", PASSWORD)
    assert "Cache cleared" in report
    assert report.count("OK    GET") == len([r for r in cached_reads() if r.http]), report
    assert "MISS → HIT" in report


def test_cache_check_runs_from_the_command_line():
    """manage.py runs a command's system checks first: the command must not shadow BaseCommand.check."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    from testing.redis_server import free_port

    finished = subprocess.run(
        [sys.executable, "manage.py", "cache_check", "--base-url", f"http://127.0.0.1:{free_port()}", "--timeout", "2"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1 and "Cannot reach" in finished.stderr, finished.stderr[-2000:]
