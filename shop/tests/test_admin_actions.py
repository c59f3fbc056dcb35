"""Admin actions and saves go through the services (shop/admin_actions.py), so every change is validated
the same way, clears the cache, and lands in the activity log."""

import pytest
from django.contrib.auth.models import Permission
from model_bakery import baker

from orders.cache_families import COUPONS_ACTIVE
from orders.models import Order, Payment
from products.cache_families import PRODUCTS_ALL
from shop.models import Activity, Notification
from testing.admin import admin_url, product_form
from testing.cache import read

pytestmark = pytest.mark.django_db


def test_saving_a_product_in_the_admin_clears_products_all(
    admin_client, one_of_each, django_capture_on_commit_callbacks
):
    product = one_of_each["products.product"]
    read(PRODUCTS_ALL, {}, lambda: {"products": ["before"]})
    assert read(PRODUCTS_ALL, {}, lambda: {"products": ["before"]}).hit

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            admin_url("products.product", "change", product.pk), product_form(product, stock="3")
        )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    product.refresh_from_db()
    assert product.stock == 3
    assert not read(PRODUCTS_ALL, {}, lambda: {"products": ["after"]}).hit


def test_bulk_deactivating_products_clears_products_all(admin_client, one_of_each, django_capture_on_commit_callbacks):
    product = one_of_each["products.product"]
    read(PRODUCTS_ALL, {}, lambda: {"products": ["before"]})

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            admin_url("products.product", "changelist"), {"action": "mark_inactive", "_selected_action": [product.pk]}
        )

    product.refresh_from_db()
    assert product.is_active is False
    assert not read(PRODUCTS_ALL, {}, lambda: {"products": []}).hit


def test_bulk_deactivating_coupons_clears_active_coupons(admin_client, one_of_each, django_capture_on_commit_callbacks):
    coupon = one_of_each["orders.coupon"]
    read(COUPONS_ACTIVE, {}, lambda: {"coupons": ["SAVE10"]})

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            admin_url("orders.coupon", "changelist"), {"action": "deactivate", "_selected_action": [coupon.pk]}
        )

    coupon.refresh_from_db()
    assert coupon.is_active is False
    assert not read(COUPONS_ACTIVE, {}, lambda: {"coupons": []}).hit


def run_action(client, label: str, action: str, *objects):
    return client.post(
        admin_url(label, "changelist"), {"action": action, "_selected_action": [obj.pk for obj in objects]}, follow=True
    )


def test_order_status_action_moves_the_order_through_the_service(admin_client, one_of_each):
    order = one_of_each["orders.order"]

    run_action(admin_client, "orders.order", "set_status_preparing", order)

    order.refresh_from_db()
    assert order.status == Order.Status.PREPARING
    assert Notification.objects.filter(order=order, title__icontains="preparing").exists()
    assert Activity.objects.filter(action="order.status_changed", description__contains=order.number).exists()


def test_order_status_action_refuses_a_jump_in_the_flow_and_says_why(admin_client, one_of_each):
    order = one_of_each["orders.order"]

    response = run_action(admin_client, "orders.order", "set_status_delivered", order)

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert "cannot become delivered" in response.content.decode()


def test_cancelling_in_the_admin_gives_the_stock_back(admin_client, one_of_each):
    order, product = one_of_each["orders.order"], one_of_each["products.product"]

    run_action(admin_client, "orders.order", "set_status_cancelled", order)

    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert product.stock == 10 + 2


def test_refunding_a_payment_in_the_admin_marks_the_order_refunded(admin_client, one_of_each):
    payment = one_of_each["orders.payment"]

    run_action(admin_client, "orders.payment", "set_payment_refunded", payment)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.order.payment_status == Order.PaymentStatus.REFUNDED


def test_status_actions_need_the_change_permission(staff_user, staff_client, one_of_each):
    staff_user.user_permissions.add(*Permission.objects.filter(codename__in=["view_order", "view_payment"]))

    response = staff_client.get(admin_url("orders.order", "changelist"))

    assert response.status_code == 200
    assert "set_status_preparing" not in response.content.decode()
    run_action(staff_client, "orders.order", "set_status_preparing", one_of_each["orders.order"])
    one_of_each["orders.order"].refresh_from_db()
    assert one_of_each["orders.order"].status == Order.Status.PENDING


def test_marking_notifications_read_in_bulk_goes_through_the_service(admin_client, admin_user, one_of_each):
    notification = one_of_each["shop.notification"]
    other = baker.make_recipe("shop.notification", user=one_of_each["shop.user"], title="Already read", is_read=True)

    run_action(admin_client, "shop.notification", "mark_read", notification, other)

    notification.refresh_from_db()
    assert notification.is_read is True
    entry = Activity.objects.get(action="notification.bulk_read")
    assert entry.description == "1 notification(s) marked as read" and entry.user == admin_user


def test_no_admin_action_writes_with_queryset_update():
    """Admin writes go through the services (issue 10): no admin module calls QuerySet.update()."""
    import inspect

    import orders.admin.actions
    import orders.admin.coupons
    import orders.admin.orders
    import orders.admin.payments
    import products.admin
    import shop.admin
    import shop.admin_actions

    modules = (
        orders.admin.actions,
        orders.admin.coupons,
        orders.admin.orders,
        orders.admin.payments,
        products.admin,
        shop.admin,
        shop.admin_actions,
    )
    for module in modules:
        assert ".update(" not in inspect.getsource(module), module.__name__
