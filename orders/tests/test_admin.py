"""The orders admin: status from the order's own page (cancel confirmed first), history, services, lists."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon, Order, Payment
from orders.services import order_place
from products.models import Product
from shop.models import Activity, Notification

pytestmark = pytest.mark.django_db

# The admin pages need model permissions: they are seen through pytest-django's `admin_client`, a
# superuser's session (`admin_user`); `staff_client` is staff without them.


@pytest.fixture
def order(db):
    """Ann's pending order of 2 × Bread at 4.00, in a store in New York (in this module, `order` is this one)."""
    baker.make_recipe("shop.business", timezone="America/New_York")
    bread = baker.make_recipe("products.product", name="Bread", price=Decimal("4.00"), stock=10)
    ann = baker.make_recipe("shop.customer", email="ann@example.test")
    order = baker.make_recipe(
        "orders.order", user=ann, status=Order.Status.PENDING, subtotal=Decimal("8.00"), total=Decimal("8.00")
    )
    baker.make_recipe(
        "orders.order_item",
        order=order,
        product=bread,
        name="Bread",
        unit_price=Decimal("4.00"),
        quantity=2,
        line_total=Decimal("8.00"),
    )
    return order


def history(order) -> list[str]:
    return [entry.get_change_message() for entry in LogEntry.objects.filter(object_id=str(order.pk)).order_by("id")]


def test_the_order_page_offers_the_next_steps(admin_client, order):
    html = admin_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert f'action="/admin/orders/order/{order.pk}/status/"' in html
    assert '<button type="submit">Start preparing</button>' in html
    assert f'<a class="bo-danger" href="/admin/orders/order/{order.pk}/cancel/">Cancel order…</a>' in html
    assert "Mark delivered" not in html  # not a step a pending order can take


def test_a_status_change_from_the_order_page_goes_through_the_service_and_into_the_history(
    admin_client, admin_user, order
):
    response = admin_client.post(f"/admin/orders/order/{order.pk}/status/", {"status": "preparing"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/orders/order/{order.pk}/change/"
    assert f"Order {order.number} is now preparing." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PREPARING
    assert history(order) == ["Status: pending → preparing"]
    assert Activity.objects.filter(
        action="order.status_changed", description__contains=order.number, user__email=admin_user.email
    ).exists()
    assert Notification.objects.filter(order=order).count() == 1  # the service tells the customer

    page = admin_client.get(f"/admin/orders/order/{order.pk}/history/").content.decode()
    assert "Status: pending → preparing" in page


def test_a_step_the_flow_does_not_allow_is_refused_with_the_services_reason(admin_client, order):
    response = admin_client.post(f"/admin/orders/order/{order.pk}/status/", {"status": "delivered"}, follow=True)
    assert "cannot become delivered" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and history(order) == []


def test_cancelling_asks_for_confirmation_first(admin_client, order):
    # The status buttons can't cancel: only the confirmation page can.
    admin_client.post(f"/admin/orders/order/{order.pk}/status/", {"status": "cancelled"})
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING

    page = admin_client.get(f"/admin/orders/order/{order.pk}/cancel/")
    html = page.content.decode()
    assert f"Cancel order {order.number}?" in html and "2 × Bread" in html
    assert f"Yes, cancel order {order.number}" in html
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING  # looking at the question changes nothing

    admin_client.post(f"/admin/orders/order/{order.pk}/cancel/")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert Product.objects.get(name="Bread").stock == 12  # the service gave the stock back
    assert history(order) == ["Status: pending → cancelled"]
    assert Activity.objects.filter(action="order.cancelled", description__contains=order.number).exists()


def test_an_order_that_can_no_longer_be_cancelled_says_so(admin_client, order):
    Order.objects.filter(pk=order.pk).update(status=Order.Status.DELIVERED)
    html = admin_client.get(f"/admin/orders/order/{order.pk}/cancel/").content.decode()
    assert "can no longer be cancelled" in html and "Yes, cancel" not in html
    assert "No further steps" in admin_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()


def test_status_changes_need_the_change_permission(staff_client, staff_user, order):
    staff_user.user_permissions.add(Permission.objects.get(codename="view_order"))  # staff who may only look
    assert "Start preparing" not in staff_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert staff_client.post(f"/admin/orders/order/{order.pk}/status/", {"status": "preparing"}).status_code == 403
    assert staff_client.post(f"/admin/orders/order/{order.pk}/cancel/").status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_bulk_status_actions_call_the_service_and_record_each_order(admin_client, order):
    other = baker.make_recipe("orders.order", user=order.user, status=Order.Status.DELIVERED)
    response = admin_client.post(
        "/admin/orders/order/",
        {"action": "set_status_preparing", "_selected_action": [order.pk, other.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 order(s) now preparing." in html and "cannot become preparing" in html
    assert history(order) == ["Status: pending → preparing"] and history(other) == []
    assert Activity.objects.filter(action="order.status_changed").count() == 1


def test_bulk_payment_actions_record_each_payment(admin_client, order):
    payment = baker.make_recipe("orders.payment", order=order, amount=Decimal("8.00"), status=Payment.Status.PENDING)
    admin_client.post("/admin/orders/payment/", {"action": "set_payment_completed", "_selected_action": [payment.pk]})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED
    assert history(payment) == ["Status: pending → completed"]
    assert Activity.objects.filter(action="payment.completed").exists()


def test_the_order_list_shows_number_customer_status_total_and_created(admin_client, order):
    response = admin_client.get("/admin/orders/order/")
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


def test_the_payment_and_coupon_lists_keep_to_what_matters(admin_client, order):
    payments = admin_client.get("/admin/orders/payment/").context["cl"].list_display
    assert list(payments) == [
        "action_checkbox",
        "transaction_ref",
        "order_number",
        "customer",
        "amount_paid",
        "status_label",
        "completed",
    ]
    coupons = admin_client.get("/admin/orders/coupon/").context["cl"].list_display
    assert list(coupons) == ["action_checkbox", "code", "discount", "validity", "usage", "state"]


def test_refund_due_is_shown_and_filterable_in_the_admin_order_list(admin_client, customer, order):
    soda = baker.make_recipe("products.product", name="Soda", price=Decimal("2.00"), stock=5)
    other = order_place(
        user=customer,
        items=[{"product_id": soda.pk, "quantity": 1}],
        delivery_address="x",
        payment_method="card",
    )
    Order.objects.filter(pk=order.pk).update(status="cancelled", payment_status="refund_due")

    page = admin_client.get("/admin/orders/order/", {"payment_status__exact": "refund_due"})

    assert page.status_code == 200
    html = page.content.decode()
    assert order.number in html and other.number not in html
    assert "Refund due" in html


# --- coupons through their services ----------------------------------------------------------------
@pytest.fixture
def coupon(db):
    return baker.make_recipe("orders.coupon", code="SAVE10", discount_type="percent", value=Decimal("10"))


def test_deactivating_coupons_in_bulk_goes_through_the_coupon_service(admin_client, admin_user, coupon):
    admin_client.post("/admin/orders/coupon/", {"action": "deactivate", "_selected_action": [coupon.pk]})
    coupon.refresh_from_db()
    assert coupon.is_active is False
    assert Activity.objects.filter(
        action="coupon.updated", description__contains="SAVE10", user__email=admin_user.email
    ).exists()
    assert history(coupon) == ["Deactivated"]


def test_a_coupon_saved_in_the_admin_goes_through_the_coupon_service(admin_client, coupon):
    local_from = timezone.localtime(coupon.valid_from)
    local_until = timezone.localtime(coupon.valid_until)
    response = admin_client.post(
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


def test_deleting_a_coupon_in_the_admin_goes_through_the_coupon_service(admin_client, coupon):
    admin_client.post(f"/admin/orders/coupon/{coupon.pk}/delete/", {"post": "yes"})
    assert not Coupon.objects.exists()
    assert Activity.objects.filter(action="coupon.deleted", description__contains="SAVE10").exists()


def test_the_admin_coupon_form_edits_the_per_customer_limit(admin_client):
    coupon = baker.make_recipe("orders.coupon", code="ONCE")
    page = admin_client.get(f"/admin/orders/coupon/{coupon.pk}/change/")
    assert page.status_code == 200
    assert 'name="per_customer_limit"' in page.content.decode()
