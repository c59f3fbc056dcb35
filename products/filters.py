"""The product list's query string: one strict spec, normalized into a cache key digest.

`PRODUCT_QUERY` (shop.api.query) is the one declaration of what the list accepts: it validates the
query string (400 for an unknown, repeated or malformed parameter, before any key is made), gives
the canonical dict that the digest is made of (`?category=a&search=b` and `?search=b&category=a`
give the same dict, hence the same key), remembers recent answers per process (a cache hit costs no
validation), and documents the parameters in the OpenAPI schema. The FilterSet below only applies
the cleaned values to a queryset.
"""

import hashlib
import json
from decimal import Decimal

import django_filters
from django.db.models import Q, QuerySet

from products.models import Product
from shop.api.query import PAGE_QUERY, Choice, Money, QuerySpec, Text

ORDERINGS = ["name", "-name", "price", "-price", "created_at", "-created_at", "stock", "-stock"]
DEFAULT_ORDERING = "name"
BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
PAGE_PARAMS = tuple(PAGE_QUERY.params)


def _prices_in_order(params: dict) -> dict | None:
    low, high = params.get("min_price"), params.get("max_price")
    if low is not None and high is not None and Decimal(low) > Decimal(high):
        return {"min_price": ["Must not be greater than max_price."]}
    return None


PRODUCT_QUERY = QuerySpec(
    checks=(_prices_in_order,),
    category=Text(100, description="Exact category (empty: any)."),
    search=Text(200, description="Case-insensitive match in name or description (empty: any)."),
    min_price=Money(description="Lowest price, e.g. 10.00."),
    max_price=Money(description="Highest price, not below min_price."),
    in_stock=Choice([c for c, _ in BOOLEAN_CHOICES], description="true: stock > 0; false: out of stock."),
    ordering=Choice(ORDERINGS, default=DEFAULT_ORDERING, description="Sort order; ties by id."),
    **PAGE_QUERY.params,
)
FILTER_PARAMS = tuple(name for name in PRODUCT_QUERY.params if name not in PAGE_PARAMS)


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category")
    search = django_filters.CharFilter(method="filter_search")
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
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


def product_filter_params(query_params) -> dict:
    """The query string as a canonical dict: known keys only, canonical values, defaults filled in.

    Raises ValidationError (400) for unknown or repeated parameters and malformed values."""
    return PRODUCT_QUERY.clean(query_params)


def product_filter_digest(params: dict) -> str:
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def product_filter_queryset(queryset: QuerySet, params: dict) -> QuerySet:
    filters = {k: v for k, v in params.items() if k not in PAGE_PARAMS}
    return ProductFilter(data=filters, queryset=queryset).qs


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


# The product columns list pages are filed under (what a page filters or sorts on), and `in_stock`.
PRODUCT_TAG_COLUMNS = ("is_active", "category", "name", "description", "price", "created_at", "stock")
PRODUCT_TAGS = [*PRODUCT_TAG_COLUMNS, "in_stock"]


def product_change_tags(change) -> list[str]:
    """The tags a product change touches (an insert or a delete touches every list it may be in)."""
    if change.op in ("insert", "delete"):
        return ["is_active"]
    tags = [column for column in PRODUCT_TAG_COLUMNS if change.touches(column)]
    if (int(change.before("stock") or 0) > 0) != (int(change.after("stock") or 0) > 0):
        tags.append("in_stock")
    return tags
