"""The product list's query string: validated by a FilterSet, normalized into a cache key digest.

`?category=a&search=b` and `?search=b&category=a` normalize to the same dict, hence the same key;
an unknown parameter or a malformed value is a 400 before any key is made.
"""

import hashlib
import json
from decimal import Decimal
from functools import lru_cache

import django_filters
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError

from products.models import Product
from shop.api.pagination import page_params

ORDERINGS = ["name", "-name", "price", "-price", "created_at", "-created_at", "stock", "-stock"]
DEFAULT_ORDERING = "name"
BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
PAGE_PARAMS = ("page", "page_size")


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category", max_length=100)
    search = django_filters.CharFilter(method="filter_search", max_length=200)
    min_price = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", min_value=0, max_digits=10, decimal_places=2
    )
    max_price = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", min_value=0, max_digits=10, decimal_places=2
    )
    in_stock = django_filters.ChoiceFilter(choices=BOOLEAN_CHOICES, method="filter_in_stock")
    ordering = django_filters.ChoiceFilter(choices=[(o, o) for o in ORDERINGS], method="filter_ordering")

    class Meta:
        model = Product
        fields = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))

    def filter_in_stock(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(stock__gt=0) if value == "true" else queryset.filter(stock__lte=0)

    def filter_ordering(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(value, "id")


FILTER_PARAMS = tuple(ProductFilter.base_filters)


def product_filter_params(query_params) -> dict:
    """The query string as a canonical dict: known keys only, canonical values, defaults filled in.

    Raises ValidationError (400) for unknown or repeated parameters and malformed values.
    """
    raw = tuple(sorted((key, tuple(query_params.getlist(key))) for key in query_params))
    return dict(_normalized(raw))


@lru_cache(maxsize=2048)
def _normalized(raw: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple:
    """Validation depends on the query string alone, so each process remembers its recent answers
    (a cache hit then costs no form validation). Errors raise and are not remembered."""
    errors = {}
    for key, values in raw:
        if key not in FILTER_PARAMS and key not in PAGE_PARAMS:
            errors[key] = ["Unknown query parameter."]
        elif len(values) > 1:
            errors[key] = ["Give this parameter once."]
    if errors:
        raise ValidationError(errors)
    given = {key: values[0] for key, values in raw}

    form = ProductFilter(data={k: v for k, v in given.items() if k in FILTER_PARAMS}).form
    if not form.is_valid():
        raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
    cleaned = form.cleaned_data
    low, high = cleaned.get("min_price"), cleaned.get("max_price")
    if low is not None and high is not None and low > high:
        raise ValidationError({"min_price": ["Must not be greater than max_price."]})

    params = {}
    for key in FILTER_PARAMS:
        value = cleaned.get(key)
        if value in (None, ""):
            continue
        params[key] = _canonical_decimal(value) if isinstance(value, Decimal) else value
    params.setdefault("ordering", DEFAULT_ORDERING)
    params["page"], params["page_size"] = page_params(given)
    return tuple(params.items())


def product_filter_digest(params: dict) -> str:
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def product_filter_queryset(queryset: QuerySet, params: dict) -> QuerySet:
    filters = {k: v for k, v in params.items() if k not in PAGE_PARAMS}
    return ProductFilter(data=filters, queryset=queryset).qs


def _canonical_decimal(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


# --- which cached lists a product change can alter (the cache layer's row-level invalidation) -------
# The same conditions as ProductFilter, in Python, on a product row as the outbox recorded it.
def product_matches(params: dict, row: dict) -> bool:
    """Would `product_filter_queryset(product_list_active(), params)` include this row?"""
    if not row.get("is_active"):
        return False
    if "category" in params and row.get("category") != params["category"]:
        return False
    if "search" in params:
        term, name, description = params["search"], row.get("name") or "", row.get("description") or ""
        # icontains compares upper-cased text in PostgreSQL; either case folding counts as a match.
        if not any(f(term) in f(name) or f(term) in f(description) for f in (str.lower, str.upper)):
            return False
    price = Decimal(str(row.get("price", 0)))
    if "min_price" in params and price < Decimal(params["min_price"]):
        return False
    if "max_price" in params and price > Decimal(params["max_price"]):
        return False
    return "in_stock" not in params or (int(row.get("stock") or 0) > 0) == (params["in_stock"] == "true")


def product_list_affected(params: dict, change) -> bool:
    """A filtered list can change when the product was in it or is now."""
    return any(product_matches(params, row) for row in change.rows)


ORDERING_COLUMNS = {"name": "name", "price": "price", "created_at": "created_at", "stock": "stock"}
FILTER_COLUMNS = {
    "category": ["category"],
    "search": ["name", "description"],
    "min_price": ["price"],
    "max_price": ["price"],
    "in_stock": ["in_stock"],
}


def product_filter_tags(params: dict) -> list[str]:
    """What decides which products a filtered page shows and in which order: the columns (tags) a
    change must touch to alter it. `in_stock` stands for stock crossing zero."""
    tags = {"is_active", ORDERING_COLUMNS[params.get("ordering", DEFAULT_ORDERING).lstrip("-")]}
    for name, columns in FILTER_COLUMNS.items():
        if name in params:
            tags.update(columns)
    return sorted(tags)


def product_change_tags(change) -> list[str]:
    """The tags a product change touches (an insert or a delete touches every list it may be in)."""
    if change.op in ("insert", "delete"):
        return ["is_active"]
    tags = [column for column in ("is_active", "category", "name", "description", "price", "created_at", "stock")
            if change.touches(column)]  # fmt: skip
    if (int(change.before("stock") or 0) > 0) != (int(change.after("stock") or 0) > 0):
        tags.append("in_stock")
    return tags
