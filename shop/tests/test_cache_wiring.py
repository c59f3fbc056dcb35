import pytest
from model_bakery import baker

from products.cache_families import PRODUCTS_ALL
from shop import cache


@pytest.mark.django_db
def test_product_save_clears_products_all_after_commit(django_capture_on_commit_callbacks):
    cache.read_through(PRODUCTS_ALL, {}, lambda: {"products": []})
    assert cache.read_through(PRODUCTS_ALL, {}, lambda: {"products": []}).hit

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        baker.make("products.Product", stock=3, price="1.00")
    assert cache.read_through(PRODUCTS_ALL, {}, lambda: {"products": []}).hit, "cleared before commit"

    for callback in callbacks:
        callback()
    assert not cache.read_through(PRODUCTS_ALL, {}, lambda: {"products": []}).hit
