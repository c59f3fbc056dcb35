"""Page-number pagination in the contract's shape: the list beside `count`, `page`, `pages`."""

import math

from rest_framework.exceptions import ValidationError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _positive_int(raw, name, default, maximum=None):
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: ["A whole number is required."]}) from None
    if value < 1:
        raise ValidationError({name: ["Must be at least 1."]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"Must be at most {maximum}."]})
    return value


def page_params(query_params) -> tuple[int, int]:
    page = _positive_int(query_params.get("page"), "page", 1, maximum=10**6)
    size = _positive_int(query_params.get("page_size"), "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    return page, size


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
