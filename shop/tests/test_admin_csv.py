"""CSV export of the orders and payments lists: the rows on screen (filters, search), every page, streamed."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.http import StreamingHttpResponse
from model_bakery import baker

from orders.models import Order, Payment
from shop.admin_csv import cell
from shop.models import User
from testing.orders import order_with_lines

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def orders(db):
    baker.make_recipe("shop.business", timezone="America/New_York")
    ann = baker.make_recipe("shop.customer", email="ann@example.test", name="ann")
    bob = baker.make_recipe("shop.customer", email="bob@example.test", name="bob")
    tea = baker.make_recipe("products.product", name="Tea", category="drinks", price=Decimal("2.00"))
    placed = []
    for i in range(130):  # more than one page of the list (100 rows)
        status = Order.Status.DELIVERED if i % 3 else Order.Status.CANCELLED
        quantity = 1 + i % 4
        order = order_with_lines(
            [(tea, quantity)],
            user=ann if i % 2 else bob,
            created_at=datetime(2026, 3, 1, 12, tzinfo=NEW_YORK) + timedelta(minutes=i),
            status=status,
        )
        if status == Order.Status.DELIVERED:
            baker.make_recipe(
                "orders.payment",
                order=order,
                amount=order.total,
                status=Payment.Status.COMPLETED,
                completed_at=order.created_at + timedelta(minutes=5),
            )
        placed.append(order)
    return placed


def read_csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_orders_export_has_the_lists_rows_with_its_filter_and_search(admin_client, orders):
    query = "status=delivered&q=ann%40example.test"
    on_screen = admin_client.get(f"/admin/orders/order/?{query}").context["cl"]
    rows = read_csv(admin_client.get(f"/admin/orders/order/export.csv?{query}"))

    expected = [o for o in orders if o.status == Order.Status.DELIVERED and o.user.email == "ann@example.test"]
    assert len(rows) == on_screen.result_count == len(expected) > 0
    assert {row["status"] for row in rows} == {"delivered"} and {row["customer_email"] for row in rows} == {
        "ann@example.test"
    }
    assert [row["number"] for row in rows] == [
        o.number for o in sorted(expected, key=lambda o: o.created_at, reverse=True)
    ]
    first = next(o for o in expected if o.number == rows[0]["number"])
    assert (
        rows[0]["total"] == f"{first.total}"
        and rows[0]["created_at"] == first.created_at.astimezone(NEW_YORK).isoformat()
    )


def test_the_export_has_every_page_not_only_the_one_on_screen(admin_client, orders):
    rows = read_csv(admin_client.get("/admin/orders/order/export.csv?p=2"))
    assert len(rows) == 130


def test_the_payments_export_follows_the_store_day_filter(admin_client, orders):
    query = "status__exact=completed&completed_at__from=2026-03-01&completed_at__to=2026-03-01"
    rows = read_csv(admin_client.get(f"/admin/orders/payment/export.csv?{query}"))
    completed = Payment.objects.filter(status="completed")
    assert (
        len(rows) == completed.count() == admin_client.get(f"/admin/orders/payment/?{query}").context["cl"].result_count
    )
    assert list(rows[0]) == [
        "transaction_ref",
        "order_number",
        "customer_email",
        "amount",
        "method",
        "status",
        "created_at",
        "completed_at",
    ]
    assert all(row["completed_at"].endswith("-05:00") for row in rows)  # New York, EST
    assert (
        read_csv(
            admin_client.get(
                "/admin/orders/payment/export.csv?completed_at__from=2026-03-02&completed_at__to=2026-03-02"
            )
        )
        == []
    )


def test_the_list_links_to_the_export_of_what_it_shows(admin_client, orders):
    html = admin_client.get("/admin/orders/order/?status=cancelled").content.decode()
    assert 'href="/admin/orders/order/export.csv?status=cancelled"' in html
    assert "Total of these orders" in html


def test_bad_filters_are_a_400_and_customers_get_nothing(admin_client, client, orders):
    assert admin_client.get("/admin/orders/order/export.csv?created_at__from=yesterday").status_code == 400
    client.force_login(User.objects.get(email="ann@example.test"))
    response = client.get("/admin/orders/order/export.csv")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_text_a_spreadsheet_would_run_as_a_formula_is_defused():
    assert cell('=HYPERLINK("http://x")', NEW_YORK) == '\'=HYPERLINK("http://x")'
    assert cell("@SUM(A1)", NEW_YORK) == "'@SUM(A1)" and cell("-2+3", NEW_YORK) == "'-2+3"
    assert cell("12 Main St", NEW_YORK) == "12 Main St"
    assert cell(datetime(2026, 3, 5, 17, 0, tzinfo=UTC), NEW_YORK) == "2026-03-05T12:00:00-05:00"


def test_an_address_with_a_formula_is_exported_defused(admin_client, orders):
    Order.objects.filter(pk=orders[0].pk).update(delivery_address="=cmd|' /C calc'!A0")
    rows = read_csv(admin_client.get(f"/admin/orders/order/export.csv?q={orders[0].number}"))
    assert rows[0]["delivery_address"] == "'=cmd|' /C calc'!A0"
