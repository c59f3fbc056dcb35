"""The orders admin: status from the order's own page (cancel confirmed first), history, services, lists."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.utils import timezone

from dashboard.tests.builders import make_business, make_order, make_payment, make_user
from orders.models import Coupon, Order, Payment
from products.models import Product
from shop.models import Activity, Notification, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return User.objects.create_superuser(email="root@example.test", password="root-pass-123", name="Root")


@pytest.fixture
def staff_client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def order(db):
    make_business("America/New_York")
    bread = Product.objects.create(name="Bread", slug="bread", category="Bakery", price=Decimal("4.00"), stock=10)
    return make_order(make_user("ann@example.test"), timezone.now(), Order.Status.PENDING, [(bread, 2, "4.00")])


def history(order) -> list[str]:
    return [entry.get_change_message() for entry in LogEntry.objects.filter(object_id=str(order.pk)).order_by("id")]


def test_the_order_page_offers_the_next_steps(staff_client, order):
    html = staff_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert f'action="/admin/orders/order/{order.pk}/status/"' in html
    assert '<button type="submit">Start preparing</button>' in html
    assert f'<a class="bo-danger" href="/admin/orders/order/{order.pk}/cancel/">Cancel order…</a>' in html
    assert "Mark delivered" not in html  # not a step a pending order can take


def test_a_status_change_from_the_order_page_goes_through_the_service_and_into_the_history(staff_client, order):
    response = staff_client.post(f"/admin/orders/order/{order.pk}/status/", {"status": "preparing"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/orders/order/{order.pk}/change/"
    assert f"Order {order.number} is now preparing." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PREPARING
    assert history(order) == ["Status: pending → preparing"]
    assert Activity.objects.filter(
        action="order.status_changed", description__contains=order.number, user__email="root@example.test"
    ).exists()
    assert Notification.objects.filter(order=order).count() == 1  # the service tells the customer

    page = staff_client.get(f"/admin/orders/order/{order.pk}/history/").content.decode()
    assert "Status: pending → preparing" in page


def test_a_step_the_flow_does_not_allow_is_refused_with_the_services_reason(staff_client, order):
    response = staff_client.post(f"/admin/orders/order/{order.pk}/status/", {"status": "delivered"}, follow=True)
    assert "cannot become delivered" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and history(order) == []


def test_cancelling_asks_for_confirmation_first(staff_client, order):
    # The status buttons can't cancel: only the confirmation page can.
    staff_client.post(f"/admin/orders/order/{order.pk}/status/", {"status": "cancelled"})
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING

    page = staff_client.get(f"/admin/orders/order/{order.pk}/cancel/")
    html = page.content.decode()
    assert f"Cancel order {order.number}?" in html and "2 × Bread" in html
    assert f"Yes, cancel order {order.number}" in html
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING  # looking at the question changes nothing

    staff_client.post(f"/admin/orders/order/{order.pk}/cancel/")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert Product.objects.get(name="Bread").stock == 12  # the service gave the stock back
    assert history(order) == ["Status: pending → cancelled"]
    assert Activity.objects.filter(action="order.cancelled", description__contains=order.number).exists()


def test_an_order_that_can_no_longer_be_cancelled_says_so(staff_client, order):
    Order.objects.filter(pk=order.pk).update(status=Order.Status.DELIVERED)
    html = staff_client.get(f"/admin/orders/order/{order.pk}/cancel/").content.decode()
    assert "can no longer be cancelled" in html and "Yes, cancel" not in html
    assert "No further steps" in staff_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()


def test_status_changes_need_the_change_permission(client, order):
    viewer = User.objects.create_user(email="viewer@example.test", password="viewer-pass-1", name="V", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)
    assert "Start preparing" not in client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert client.post(f"/admin/orders/order/{order.pk}/status/", {"status": "preparing"}).status_code == 403
    assert client.post(f"/admin/orders/order/{order.pk}/cancel/").status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_bulk_status_actions_call_the_service_and_record_each_order(staff_client, order):
    other = make_order(order.user, timezone.now(), Order.Status.DELIVERED, [])
    response = staff_client.post(
        "/admin/orders/order/",
        {"action": "set_status_preparing", "_selected_action": [order.pk, other.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 order(s) now preparing." in html and "cannot become preparing" in html
    assert history(order) == ["Status: pending → preparing"] and history(other) == []
    assert Activity.objects.filter(action="order.status_changed").count() == 1


def test_bulk_payment_actions_record_each_payment(staff_client, order):
    payment = make_payment(order, "8.00", Payment.Status.PENDING)
    staff_client.post("/admin/orders/payment/", {"action": "set_payment_completed", "_selected_action": [payment.pk]})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED
    assert history(payment) == ["Status: pending → completed"]
    assert Activity.objects.filter(action="payment.completed").exists()


def test_the_order_list_shows_number_customer_status_total_and_created(staff_client, order):
    response = staff_client.get("/admin/orders/order/")
    assert list(response.context["cl"].list_display) == [
        "action_checkbox",
        "number",
        "customer",
        "status_label",
        "total_amount",
        "created",
    ]
    html = response.content.decode()
    assert "ann@example.test" in html and '<span class="status-badge status-pending">Pending</span>' in html


def test_the_payment_and_coupon_lists_keep_to_what_matters(staff_client, order):
    payments = staff_client.get("/admin/orders/payment/").context["cl"].list_display
    assert list(payments) == [
        "action_checkbox",
        "transaction_ref",
        "order_number",
        "customer",
        "amount_paid",
        "status_label",
        "completed",
    ]
    coupons = staff_client.get("/admin/orders/coupon/").context["cl"].list_display
    assert list(coupons) == ["action_checkbox", "code", "discount", "validity", "usage", "state"]


# --- coupons through their services ---------------------------------------------------------------
@pytest.fixture
def coupon(db):
    now = timezone.now()
    return Coupon.objects.create(
        code="SAVE10",
        discount_type="percent",
        value=10,
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=9),
    )


def test_deactivating_coupons_in_bulk_goes_through_the_coupon_service(staff_client, coupon):
    staff_client.post("/admin/orders/coupon/", {"action": "deactivate", "_selected_action": [coupon.pk]})
    coupon.refresh_from_db()
    assert coupon.is_active is False
    assert Activity.objects.filter(
        action="coupon.updated", description__contains="SAVE10", user__email="root@example.test"
    ).exists()
    assert history(coupon) == ["Deactivated"]


def test_a_coupon_saved_in_the_admin_goes_through_the_coupon_service(staff_client, coupon):
    local_from = timezone.localtime(coupon.valid_from)
    local_until = timezone.localtime(coupon.valid_until)
    response = staff_client.post(
        f"/admin/orders/coupon/{coupon.pk}/change/",
        {
            "code": "SAVE10",
            "description": "Ten off",
            "is_active": "on",
            "discount_type": "percent",
            "value": "10",
            "max_discount": "",
            "min_order_amount": "0",
            "valid_from_0": local_from.strftime("%Y-%m-%d"),
            "valid_from_1": local_from.strftime("%H:%M:%S"),
            "valid_until_0": local_until.strftime("%Y-%m-%d"),
            "valid_until_1": local_until.strftime("%H:%M:%S"),
            "usage_limit": "5",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    coupon.refresh_from_db()
    assert (coupon.usage_limit, coupon.description) == (5, "Ten off")
    assert Activity.objects.filter(action="coupon.updated").count() == 1


def test_deleting_a_coupon_in_the_admin_goes_through_the_coupon_service(staff_client, coupon):
    staff_client.post(f"/admin/orders/coupon/{coupon.pk}/delete/", {"post": "yes"})
    assert not Coupon.objects.exists()
    assert Activity.objects.filter(action="coupon.deleted", description__contains="SAVE10").exists()
