"""System checks of the cache layer (shop/cache/checks.py)."""

import pytest
from django.core.management import call_command
from django.db import connection

from shop.cache import checks
from shop.cache.families import _REGISTRY, Family, Rows


def test_a_typo_in_cache_ttls_is_an_error(settings):
    settings.CACHE_TTLS = {"products:al": 60, "products:all": 60}
    errors = checks.check_declarations()
    assert [(e.id, "products:al" in e.msg) for e in errors] == [("cache.E001", True)]


def test_a_family_depending_on_an_unknown_model_is_an_error(monkeypatch):
    monkeypatch.setitem(_REGISTRY, "bogus:one", Family("bogus:one", "bogus:one", 60, (Rows("products.Prodct"),)))
    assert [e.id for e in checks.check_declarations()] == ["cache.E002"]


def test_the_declarations_pass_as_they_are():
    assert checks.check_declarations() == []


@pytest.mark.django_db
def test_triggers_that_differ_from_the_declarations_are_reported():
    assert checks.check_triggers(databases=["default"]) == []
    with connection.cursor() as cursor:
        cursor.execute("COMMENT ON TABLE shop_cache_outbox IS 'triggers 0000'")
    assert [w.id for w in checks.check_triggers(databases=["default"])] == ["cache.W001"]
    call_command("migrate", verbosity=0)
    assert checks.check_triggers(databases=["default"]) == []
