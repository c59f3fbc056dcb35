"""One strict query-string spec per route (issue 10; issue 13 item 17): unknown parameters are 400 on
every route, the bounds are declared once and shared by the API, the schema and the HTML form, and the
product list's canonical dict (its cache key) does not depend on the parameters' order."""

import re

import pytest
from django.http import QueryDict

from dashboard import selectors as dashboard_selectors
from dashboard.api import ACTIVITIES_QUERY, REVENUE_CHART_QUERY, TOP_PRODUCTS_QUERY
from dashboard.forms import DashboardPeriodForm
from dashboard.periods import DAYS_RANGE
from products.filters import PRODUCT_QUERY, product_filter_digest, product_filter_params
from shop.api.query import PAGE_QUERY, QuerySpec, Text


def every_operation(client):
    schema = client.get("/api/schema/?format=json").json()
    for route, operations in schema["paths"].items():
        for method in operations:
            yield method, re.sub(r"\{[^}]+\}", "1", route)


@pytest.mark.django_db
def test_an_unknown_query_parameter_is_400_on_every_route(staff_api):
    checked = []
    for method, url in every_operation(staff_api):
        response = staff_api.generic(method.upper(), f"{url}?utm_source=mail")
        assert response.status_code == 400, (method, url, response.status_code)
        body = response.json()
        assert body["code"] == "validation_error" and body["errors"] == {"utm_source": ["Unknown query parameter."]}
        checked.append(f"{method} {url}")
    # the routes that ignored unknown parameters before: orders, payments, coupons, business, product detail
    for route in ("/api/v1/orders", "/api/v1/payments", "/api/v1/coupons", "/api/v1/business", "/api/v1/products/1"):
        assert f"get {route}" in checked
    assert len(checked) >= 40


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=1&page=2", "page"),
        ("page_size=101", "page_size"),
        ("page=", "page"),
        ("page=1.0", "page"),
        ("status=lost", "status"),
    ],
)
def test_a_malformed_or_out_of_bounds_parameter_is_400(staff_api, query, field):
    response = staff_api.get(f"/api/v1/orders?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.django_db
def test_a_parameter_named_with_a_nul_character_is_400(staff_api):
    response = staff_api.get("/api/v1/business?a%00b=1")
    assert response.status_code == 400
    assert response.json()["errors"] == {"a\ufffdb": ["Unknown query parameter."]}


def test_the_product_list_normalizes_to_one_dict_whatever_the_order():
    first = product_filter_params(QueryDict("category=drinks&search=apple&min_price=1&in_stock=true"))
    second = product_filter_params(QueryDict("in_stock=true&min_price=1.00&search=%20apple&category=drinks"))
    assert (
        first
        == second
        == {
            "category": "drinks",
            "search": "apple",
            "min_price": "1.00",
            "in_stock": "true",
            "ordering": "name",
            "page": 1,
            "page_size": 20,
        }
    )
    assert product_filter_digest(first) == product_filter_digest(second)


def test_a_repeated_query_string_is_answered_from_the_per_process_memo():
    query = QueryDict("category=memo-test&page_size=7")
    product_filter_params(query)
    hits = PRODUCT_QUERY._memo.cache_info().hits
    assert product_filter_params(query) == {"category": "memo-test", "ordering": "name", "page": 1, "page_size": 7}
    assert PRODUCT_QUERY._memo.cache_info().hits == hits + 1


def test_an_answer_from_the_memo_is_a_copy_a_caller_may_change():
    spec = QuerySpec(q=Text(10))
    spec.clean(QueryDict("q=a"))["q"] = "changed"
    assert spec.clean(QueryDict("q=a")) == {"q": "a"}


def test_the_dashboard_bounds_are_declared_once_for_the_api_and_the_page_form():
    assert REVENUE_CHART_QUERY.params["days"].bounds == DAYS_RANGE == dashboard_selectors.DAYS_RANGE
    assert TOP_PRODUCTS_QUERY.params["limit"].bounds == ACTIVITIES_QUERY.params["limit"].bounds
    assert TOP_PRODUCTS_QUERY.params["limit"].bounds == dashboard_selectors.LIMIT_RANGE
    days = DashboardPeriodForm.base_fields["days"]
    assert (days.min_value, days.max_value) == REVENUE_CHART_QUERY.params["days"].bounds


@pytest.mark.django_db
def test_the_schema_states_each_routes_parameters_with_their_bounds(anon_api):
    schema = anon_api.get("/api/schema/?format=json").json()

    def parameters(route, method="get"):
        return {
            p["name"]: p["schema"] for p in schema["paths"][route][method].get("parameters", []) if p["in"] == "query"
        }

    page = {"type": "integer", "minimum": 1, "maximum": 10**6, "default": 1}
    assert parameters("/api/v1/orders")["page"] == page
    assert parameters("/api/v1/orders")["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert set(parameters("/api/v1/orders")["status"]["enum"]) >= {"pending", "cancelled"}
    assert parameters("/api/v1/dashboard/revenue-chart")["days"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 90,
        "default": 7,
    }
    assert parameters("/api/v1/dashboard/top-products")["limit"]["maximum"] == 50
    assert set(parameters("/api/v1/products")) == set(PRODUCT_QUERY.params)
    assert set(parameters("/api/v1/payments")) == set(PAGE_QUERY.params)
    assert parameters("/api/v1/business") == {}
