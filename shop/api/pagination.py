"""Page-number pagination in the contract's shape: the list beside `count`, `page`, `pages`.

The bounds are `shop.api.query.PAGE_QUERY`'s (page ≥ 1, page_size 1–100, default 20); requests are
checked against it before a view runs, so `paginate` receives clean values.
"""

import math

from shop.api.query import PAGE_QUERY


def page_params(query_params) -> tuple[int, int]:
    """`(page, page_size)` from a cleaned query dict, defaults filled in."""
    page = query_params.get("page") or PAGE_QUERY.params["page"].default
    size = query_params.get("page_size") or PAGE_QUERY.params["page_size"].default
    return int(page), int(size)


def page_of(queryset, query_params) -> tuple[list, int, int, int]:
    """(rows of the page, count, page, pages). A page past the end is empty, not an error."""
    page, size = page_params(query_params)
    count = queryset.count()
    rows = list(queryset[(page - 1) * size : page * size])
    return rows, count, page, max(1, math.ceil(count / size))


def paginate(queryset, query_params, serialize, key: str) -> dict:
    """`serialize(list_of_rows) -> list_of_dicts`, beside `count`, `page`, `pages`."""
    rows, count, page, pages = page_of(queryset, query_params)
    return {key: serialize(rows), "count": count, "page": page, "pages": pages}
