from products.cache_families import PRODUCTS_ALL
from shop import cache


def test_second_read_is_a_hit_with_the_same_bytes():
    calls = []

    def loader():
        calls.append(1)
        return {"products": [{"id": 1}], "count": 1}

    first = cache.read_through(PRODUCTS_ALL, {}, loader)
    second = cache.read_through(PRODUCTS_ALL, {}, loader)
    assert (first.hit, second.hit) == (False, True)
    assert first.raw == second.raw
    assert len(calls) == 1
