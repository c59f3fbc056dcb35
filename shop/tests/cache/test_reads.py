"""Every cached endpoint, found in the registry of cached reads (shop/cache/reads.py), keeps API.md's
promises for cached reads: `data.fromCache` and `X-Cache` go MISS → HIT, a strong ETag, 304 on
If-None-Match with no body, and the same data both times."""

import pytest
from model_bakery import baker

from shop.cache import cached_reads
from testing.cache import outbox_applied

ENDPOINTS = [(read.name, url, read.staff) for read in cached_reads() for url in read.http]


@pytest.fixture
def store(db, staff_user):
    product = baker.make_recipe("products.product", category="drinks", stock=3)
    baker.make_recipe("shop.business", timezone="UTC")
    outbox_applied()
    return {"product_id": product.pk, "category": product.category}


def test_every_cached_read_with_an_endpoint_is_checked_here():
    assert {name for name, _, _ in ENDPOINTS} >= {r.name for r in cached_reads() if r.http}
    assert len(ENDPOINTS) >= 9


@pytest.mark.parametrize(("name", "template", "staff"), ENDPOINTS, ids=[f"{n}:{t}" for n, t, _ in ENDPOINTS])
def test_a_cached_endpoint_goes_miss_then_hit_with_a_strong_etag_and_304(
    store, anon_api, staff_api, name, template, staff
):
    client = staff_api if staff else anon_api
    url = template.format(**store)
    first, second = client.get(url), client.get(url)
    assert (first.status_code, second.status_code) == (200, 200), first.content
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    one, two = first.json()["data"], second.json()["data"]
    assert (one.pop("fromCache"), two.pop("fromCache")) == (False, True)
    one.pop("lastUpdated", None), two.pop("lastUpdated", None)
    assert one == two
    etag = second["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (not_modified.status_code, not_modified.content, not_modified["ETag"]) == (304, b"", etag)
