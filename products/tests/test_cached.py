"""Writes clear only what they change (issue 12), seen through the API: product lists are assembled
from each product's own entry, so a stock or price change costs one entry, not every list."""

import threading
from decimal import Decimal

import pytest
from django.db import transaction
from model_bakery import baker

from products import cached as product_reads
from products.models import Product
from testing.cache import outbox_applied

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(db):
    products = {
        "apple": baker.make_recipe("products.product", name="Apple", category="fruit", price=Decimal("1.00"), stock=5),
        "banana": baker.make_recipe(
            "products.product", name="Banana", category="fruit", price=Decimal("2.00"), stock=1
        ),
        "bread": baker.make_recipe("products.product", name="Bread", category="bakery", price=Decimal("3.00"), stock=8),
    }
    outbox_applied()
    return products


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response


def warm(client, *urls):
    for url in urls:
        get(client, url)
        assert get(client, url)["X-Cache"] == "HIT", url


def committed(capture, write):
    """Run a write as if committed: its outbox rows are applied (the test's transaction never commits)."""
    with capture(execute=True):
        write()


def test_an_order_on_one_product_leaves_the_others_and_unrelated_lists_as_hits(
    shelf, anon_api, customer_api, django_capture_on_commit_callbacks
):
    banana, bread = shelf["banana"], shelf["bread"]
    bakery = "/api/v1/products?category=bakery"
    warm(anon_api, "/api/v1/products", bakery, f"/api/v1/products/{bread.pk}", f"/api/v1/products/{banana.pk}")

    body = {
        "items": [{"product_id": banana.pk, "quantity": 1}],
        "delivery_address": "1 Main St",
        "payment_method": "cash",
    }
    committed(
        django_capture_on_commit_callbacks,
        lambda: customer_api.post("/api/v1/orders", body, format="json"),
    )

    assert get(anon_api, f"/api/v1/products/{bread.pk}")["X-Cache"] == "HIT"
    assert get(anon_api, bakery)["X-Cache"] == "HIT"
    after = get(anon_api, f"/api/v1/products/{banana.pk}")
    assert (after["X-Cache"], after.json()["data"]["product"]["stock"]) == ("MISS", 0)


def test_the_full_list_after_an_order_reloads_only_the_changed_product(
    shelf, anon_api, django_capture_on_commit_callbacks, django_assert_num_queries
):
    warm(anon_api, "/api/v1/products")
    committed(django_capture_on_commit_callbacks, lambda: Product.objects.filter(pk=shelf["apple"].pk).update(stock=4))

    with django_assert_num_queries(1):  # the one product, by id
        listing = get(anon_api, "/api/v1/products")
    assert listing["X-Cache"] == "MISS"
    assert {p["name"]: p["stock"] for p in listing.json()["data"]["products"]} == {"Apple": 4, "Banana": 1, "Bread": 8}
    assert get(anon_api, "/api/v1/products")["X-Cache"] == "HIT"


def test_a_product_crossing_zero_stock_clears_the_in_stock_pages(shelf, anon_api, django_capture_on_commit_callbacks):
    in_stock, out_of_stock, by_name = (
        "/api/v1/products?in_stock=true",
        "/api/v1/products?in_stock=false",
        "/api/v1/products?category=fruit",
    )
    warm(anon_api, in_stock, out_of_stock, by_name)

    committed(django_capture_on_commit_callbacks, lambda: Product.objects.filter(pk=shelf["banana"].pk).update(stock=0))

    assert [p["name"] for p in get(anon_api, in_stock).json()["data"]["products"]] == ["Apple", "Bread"]
    assert [p["name"] for p in get(anon_api, out_of_stock).json()["data"]["products"]] == ["Banana"]
    fruit = get(anon_api, by_name)  # not cleared: it shows the same products, Banana's entry tells its stock
    assert {p["name"]: p["stock"] for p in fruit.json()["data"]["products"]} == {"Apple": 5, "Banana": 0}


def test_a_price_change_reaches_every_list_it_appears_in_and_nothing_else(
    shelf, anon_api, django_capture_on_commit_callbacks
):
    apple = shelf["apple"]
    with_apple = ["/api/v1/products", "/api/v1/products?category=fruit", "/api/v1/products?max_price=1.50"]
    without_apple = [
        "/api/v1/products?category=bakery",
        "/api/v1/products?min_price=2.50",
        f"/api/v1/products/{shelf['bread'].pk}",
    ]
    warm(anon_api, *with_apple, *without_apple)

    committed(django_capture_on_commit_callbacks, lambda: Product.objects.filter(pk=apple.pk).update(price="1.20"))

    for url in without_apple:
        assert get(anon_api, url)["X-Cache"] == "HIT", url
    for url in with_apple:
        listing = get(anon_api, url)
        prices = {p["name"]: p["price"] for p in listing.json()["data"]["products"]}
        assert prices["Apple"] == "1.20", url
    moved = "/api/v1/products?max_price=1.10"
    assert "Apple" not in [p["name"] for p in get(anon_api, moved).json()["data"]["products"]]


def test_a_renamed_product_moves_in_the_full_list(shelf, anon_api, django_capture_on_commit_callbacks):
    warm(anon_api, "/api/v1/products")
    apple = Product.objects.filter(pk=shelf["apple"].pk)
    committed(django_capture_on_commit_callbacks, lambda: apple.update(name="Zucchini"))
    names = [p["name"] for p in get(anon_api, "/api/v1/products").json()["data"]["products"]]
    assert names == ["Banana", "Bread", "Zucchini"]


def test_etag_and_304_and_a_new_etag_after_an_invalidation(shelf, anon_api, django_capture_on_commit_callbacks):
    etags = {}
    for url in ("/api/v1/products", f"/api/v1/products/{shelf['apple'].pk}", "/api/v1/products?category=fruit"):
        get(anon_api, url)
        etag = etags[url] = get(anon_api, url)["ETag"]
        assert etag.startswith('"') and "W/" not in etag
        again = anon_api.get(url, HTTP_IF_NONE_MATCH=etag)
        assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag), url

    committed(django_capture_on_commit_callbacks, lambda: Product.objects.filter(pk=shelf["apple"].pk).update(stock=2))
    rebuilt = get(anon_api, "/api/v1/products")
    assert rebuilt["X-Cache"] == "MISS" and rebuilt["ETag"] != etags["/api/v1/products"]
    # From the cache now: fromCache differs.
    served = anon_api.get("/api/v1/products", HTTP_IF_NONE_MATCH=rebuilt["ETag"])
    assert served.status_code == 200 and served["X-Cache"] == "HIT"
    for url in etags:
        assert anon_api.get(url, HTTP_IF_NONE_MATCH=etags[url]).status_code == 200, f"the old ETag of {url} is stale"
        current = get(anon_api, url)["ETag"]
        assert anon_api.get(url, HTTP_IF_NONE_MATCH=current).status_code == 304
    unknown = '"0000000000000000"'
    stale = anon_api.get("/api/v1/products", HTTP_IF_NONE_MATCH=unknown)
    assert stale.status_code == 200 and stale["ETag"] != unknown


def test_a_304_costs_no_sql_and_no_body(shelf, anon_api, django_assert_num_queries):
    get(anon_api, "/api/v1/products")
    etag = get(anon_api, "/api/v1/products")["ETag"]
    with django_assert_num_queries(0):
        response = anon_api.get("/api/v1/products", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""


def test_gzip_for_bodies_over_a_kibibyte_when_accepted(shelf, anon_api):
    for n in range(20):
        baker.make_recipe("products.product", name=f"Cake {n:02d}", category="bakery", price=Decimal("4.00"), stock=3)
    get(anon_api, "/api/v1/products")
    plain = get(anon_api, "/api/v1/products")
    zipped = anon_api.get("/api/v1/products", HTTP_ACCEPT_ENCODING="gzip")
    import gzip

    assert plain.get("Content-Encoding") is None and len(plain.content) > 1024
    assert zipped["Content-Encoding"] == "gzip" and gzip.decompress(zipped.content) == plain.content
    assert zipped["ETag"] != plain["ETag"] and "Accept-Encoding" in zipped["Vary"]
    small = anon_api.get(f"/api/v1/products/{shelf['apple'].pk}", HTTP_ACCEPT_ENCODING="gzip")
    assert small.get("Content-Encoding") is None, "small bodies are sent as they are"


@pytest.mark.django_db(transaction=True)
def test_a_list_loader_racing_a_write_never_leaves_a_stale_fragment():
    """Forced interleaving: the full list is loaded from the database, a product changes and its
    invalidation runs, then the loader stores what it read. The product's entry must not come back
    with the old stock, in the list or in its detail."""
    apple = baker.make_recipe("products.product", name="Apple", category="fruit", price=Decimal("1.00"), stock=5)
    baker.make_recipe("products.product", name="Banana", category="fruit", price=Decimal("2.00"), stock=1)
    read_rows, resume = threading.Event(), threading.Event()
    build = product_reads.product_list_all.build

    def slow_build():
        assembly = build()  # the rows are read here, with Apple's old stock
        read_rows.set()
        assert resume.wait(5)
        return assembly

    product_reads.product_list_all.build = slow_build
    try:
        reader = threading.Thread(target=product_reads.product_list_all)
        reader.start()
        assert read_rows.wait(5)
        with transaction.atomic():
            Product.objects.filter(pk=apple.pk).update(stock=0)  # committed; the writer applies it at once
        resume.set()
        reader.join(5)
    finally:
        product_reads.product_list_all.build = build

    listing = product_reads.product_list_all().data
    assert {p["name"]: p["stock"] for p in listing["products"]}["Apple"] == 0
    assert product_reads.product_detail(product_id=apple.pk).data["product"]["stock"] == 0
