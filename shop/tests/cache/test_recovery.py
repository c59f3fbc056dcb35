"""Catching up after Redis was away (shop/cache/recovery.py): a write made during an outage waits in the
outbox and is applied before anything is served from Redis again, even with no relay running; a Redis
restarted from an older dump is not trusted. Each test breaks a redis-server of its own (fixture
`redis_server`); the breaker's 1 s cool-down passes when the test advances `breaker_clock`."""

import pytest
from django.db import transaction
from model_bakery import baker

from products import cached as product_reads
from products.models import Product
from shop.cache.outbox import pending
from shop.cache.outbox_sql import OUTBOX_TABLE
from testing.db import other_connection

pytestmark = pytest.mark.faults

COOLDOWN = 1.0  # own_redis_store's breaker (testing/fixtures.py)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outage", ["frozen", "killed and restarted with its data"])
def test_a_write_during_an_outage_succeeds_and_nothing_stale_is_served_after_it(
    outage, own_redis_store, redis_server, breaker_clock
):
    """The write's invalidation waits in the outbox; the process that noticed the outage catches up
    (applies the outbox) before it serves from Redis again, even with no relay running."""
    tea = baker.make_recipe("products.product", stock=5)
    assert product_reads.product_detail(product_id=tea.pk).data["product"]["stock"] == 5
    client = redis_server.client()
    if outage == "frozen":
        redis_server.freeze()
    else:
        client.save()  # the entry is in the dump: a restart brings it back
        redis_server.kill()

    with transaction.atomic():
        Product.objects.filter(pk=tea.pk).update(stock=4)
    assert pending()["count"] == 1, "the invalidation waits in the database"
    assert product_reads.product_detail(product_id=tea.pk).data["product"]["stock"] == 4, "reads: the database"

    if outage == "frozen":
        redis_server.thaw()
    else:
        redis_server.start(keep_data=True)
        assert redis_server.client().exists(f"faults:{{products}}:{tea.pk}"), "the old entry came back"
    breaker_clock.advance(COOLDOWN)
    after = product_reads.product_detail(product_id=tea.pk)
    assert (after.hit, after.data["product"]["stock"]) == (False, 4)
    assert pending()["count"] == 0
    assert product_reads.product_detail(product_id=tea.pk).hit


@pytest.mark.django_db(transaction=True)
def test_catching_up_applies_rows_another_process_still_holds(own_redis_store, redis_server, breaker_clock):
    """A relay may hold the outbox's rows when Redis comes back (mid-pass, or its own breaker still
    open). A web process catching up applies them itself rather than skip them and serve what they
    made stale."""
    tea = baker.make_recipe("products.product", stock=5)
    assert product_reads.product_detail(product_id=tea.pk).data["product"]["stock"] == 5
    redis_server.freeze()
    with transaction.atomic():
        Product.objects.filter(pk=tea.pk).update(stock=4)
    assert pending()["count"] == 1

    with other_connection() as relay, relay.transaction():
        relay.execute(f"SELECT id FROM {OUTBOX_TABLE} FOR UPDATE")  # what a relay's pass holds
        redis_server.thaw()
        breaker_clock.advance(COOLDOWN)
        after = product_reads.product_detail(product_id=tea.pk)
        assert (after.hit, after.data["product"]["stock"]) == (False, 4)


@pytest.mark.django_db(transaction=True)
def test_a_redis_restarted_from_an_older_dump_is_not_trusted(own_redis_store, redis_server):
    """An invalidation applied before the crash is not in the dump taken before it: the entry comes
    back. The cache remembers which server it last trusted and clears every family on a new one."""
    from shop.cache.recovery import catch_up

    tea = baker.make_recipe("products.product", stock=5)
    assert catch_up(own_redis_store) == 0  # the relay's pass marks this server as trusted
    product_reads.product_detail(product_id=tea.pk)
    redis_server.client().save()
    with transaction.atomic():
        Product.objects.filter(pk=tea.pk).update(stock=1)  # applied at once: the entry is gone ...
    assert pending()["count"] == 0
    redis_server.kill()
    redis_server.start(keep_data=True)  # ... and back from the dump
    assert redis_server.client().exists(f"faults:{{products}}:{tea.pk}")

    own_redis_store.client.connection_pool.disconnect()
    assert catch_up(own_redis_store) == 0
    assert product_reads.product_detail(product_id=tea.pk).data["product"]["stock"] == 1
