from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from orders.cache_families import COUPONS_ACTIVE
from orders.models import Coupon, Order, OrderItem, Payment
from products.cache_families import PRODUCTS_ALL
from products.models import Product
from shop.models import Activity, Business, Notification, User
from testing.cache import read

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    "shop.user",
    "shop.business",
    "shop.notification",
    "shop.activity",
    "products.product",
    "orders.coupon",
    "orders.order",
    "orders.payment",
]
ADDABLE = ["shop.user", "shop.notification", "products.product", "orders.coupon"]
NOT_ADDABLE = ["shop.business", "shop.activity", "orders.order", "orders.payment"]


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.test", password="root-pass-123", name="Root")


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def store(superuser):
    """One row of every model, so every change page has something to show."""
    now = timezone.now()
    customer = User.objects.create_user(email="ann@example.test", password="ann-pass-123", name="Ann")
    product = Product.objects.create(
        name="Sourdough Loaf", slug="sourdough-loaf", category="Bakery", price=Decimal("6.50"), stock=10
    )
    coupon = Coupon.objects.create(
        code="SAVE10",
        discount_type=Coupon.DiscountType.PERCENT,
        value=Decimal("10"),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=1),
    )
    order = Order.objects.create(
        number="ORD-1",
        user=customer,
        coupon=coupon,
        coupon_code="SAVE10",
        subtotal=Decimal("13.00"),
        discount=Decimal("1.30"),
        delivery_fee=Decimal("3.99"),
        tax=Decimal("1.04"),
        total=Decimal("16.73"),
        payment_method=Order.PaymentMethod.CARD,
        delivery_address="1 Main Street",
    )
    OrderItem.objects.create(
        order=order,
        product=product,
        name=product.name,
        unit_price=product.price,
        quantity=2,
        line_total=Decimal("13.00"),
    )
    payment = Payment.objects.create(
        order=order, amount=order.total, method="card", status="completed", transaction_ref="txn_1", completed_at=now
    )
    return {
        "shop.user": customer,
        "shop.business": Business.objects.create(name="Corner Market"),
        "shop.notification": Notification.objects.create(user=customer, order=order, title="Your order is on its way"),
        "shop.activity": Activity.objects.create(action="order.placed", description="Ann placed ORD-1", user=customer),
        "products.product": product,
        "orders.coupon": coupon,
        "orders.order": order,
        "orders.payment": payment,
    }


def admin_url(label: str, view: str, *args) -> str:
    app_label, model = label.split(".")
    return reverse(f"admin:{app_label}_{model}_{view}", args=args)


@pytest.mark.parametrize("label", ALL_MODELS)
def test_staff_sees_every_changelist(staff_client, store, label):
    response = staff_client.get(admin_url(label, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("label", ALL_MODELS)
def test_staff_sees_every_change_page(staff_client, store, label):
    response = staff_client.get(admin_url(label, "change", store[label].pk))
    assert response.status_code == 200


@pytest.mark.parametrize("label", ALL_MODELS)
def test_changelist_search_answers(staff_client, store, label):
    response = staff_client.get(admin_url(label, "changelist"), {"q": "ann"})
    assert response.status_code == 200


@pytest.mark.parametrize("label", ADDABLE)
def test_staff_sees_the_add_page_where_adding_is_allowed(staff_client, label):
    assert staff_client.get(admin_url(label, "add")).status_code == 200


@pytest.mark.parametrize("label", NOT_ADDABLE)
def test_add_page_is_refused_where_rows_come_from_the_services(staff_client, store, label):
    assert staff_client.get(admin_url(label, "add")).status_code == 403


def test_business_can_be_added_while_there_is_none_and_never_deleted(staff_client):
    assert staff_client.get(admin_url("shop.business", "add")).status_code == 200
    business = Business.objects.create(name="Corner Market")
    assert staff_client.get(admin_url("shop.business", "add")).status_code == 403
    assert staff_client.get(admin_url("shop.business", "delete", business.pk)).status_code == 403


@pytest.mark.parametrize("label", ALL_MODELS)
def test_non_staff_user_is_sent_to_the_admin_login(client, store, label):
    client.force_login(store["shop.user"])
    response = client.get(admin_url(label, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("label", ALL_MODELS)
def test_anonymous_user_is_sent_to_the_admin_login(client, store, label):
    response = client.get(admin_url(label, "change", store[label].pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def product_form(product: Product, **changes) -> dict:
    local_created = timezone.localtime(product.created_at)
    data = {
        "name": product.name,
        "slug": product.slug,
        "category": product.category,
        "description": product.description,
        "image_url": product.image_url,
        "price": str(product.price),
        "stock": str(product.stock),
        "is_active": "on" if product.is_active else "",
        "created_at_0": local_created.strftime("%Y-%m-%d"),
        "created_at_1": local_created.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_saving_a_product_in_the_admin_clears_products_all(staff_client, store, django_capture_on_commit_callbacks):
    product = store["products.product"]
    read(PRODUCTS_ALL, {}, lambda: {"products": ["before"]})
    assert read(PRODUCTS_ALL, {}, lambda: {"products": ["before"]}).hit

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            admin_url("products.product", "change", product.pk), product_form(product, stock="3")
        )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    product.refresh_from_db()
    assert product.stock == 3
    assert not read(PRODUCTS_ALL, {}, lambda: {"products": ["after"]}).hit


def test_bulk_deactivating_products_clears_products_all(staff_client, store, django_capture_on_commit_callbacks):
    product = store["products.product"]
    read(PRODUCTS_ALL, {}, lambda: {"products": ["before"]})

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            admin_url("products.product", "changelist"), {"action": "mark_inactive", "_selected_action": [product.pk]}
        )

    product.refresh_from_db()
    assert product.is_active is False
    assert not read(PRODUCTS_ALL, {}, lambda: {"products": []}).hit


def test_bulk_deactivating_coupons_clears_active_coupons(staff_client, store, django_capture_on_commit_callbacks):
    coupon = store["orders.coupon"]
    read(COUPONS_ACTIVE, {}, lambda: {"coupons": ["SAVE10"]})

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            admin_url("orders.coupon", "changelist"), {"action": "deactivate", "_selected_action": [coupon.pk]}
        )

    coupon.refresh_from_db()
    assert coupon.is_active is False
    assert not read(COUPONS_ACTIVE, {}, lambda: {"coupons": []}).hit


def test_adding_a_user_in_the_admin_sets_a_password_they_can_log_in_with(staff_client, client):
    response = staff_client.post(
        admin_url("shop.user", "add"),
        {
            "email": "New.Person@Example.test",
            "name": "New Person",
            "phone": "",
            "usable_password": "true",
            "password1": "a-long-pass-2024",
            "password2": "a-long-pass-2024",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.test")
    assert user.check_password("a-long-pass-2024")


def test_adding_a_user_whose_email_differs_only_in_case_is_refused(staff_client, store):
    response = staff_client.post(
        admin_url("shop.user", "add"),
        {
            "email": "ANN@example.test",
            "name": "Ann again",
            "usable_password": "true",
            "password1": "a-long-pass-2024",
            "password2": "a-long-pass-2024",
        },
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="ann@example.test").count() == 1


def test_adding_a_user_with_mismatched_passwords_is_refused(staff_client):
    response = staff_client.post(
        admin_url("shop.user", "add"),
        {
            "email": "x@example.test",
            "name": "X",
            "usable_password": "true",
            "password1": "a-long-pass-2024",
            "password2": "other",
        },
    )

    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.test").exists()


def test_order_money_is_read_only_in_the_admin(staff_client, store):
    order = store["orders.order"]
    response = staff_client.get(admin_url("orders.order", "change", order.pk))

    form_fields = set(response.context["adminform"].form.fields)
    assert form_fields == {"delivery_address", "notes"}
    assert "Sourdough Loaf" in response.content.decode()  # the items inline


def test_business_with_an_unknown_time_zone_is_refused(staff_client):
    response = staff_client.post(
        admin_url("shop.business", "add"),
        {
            "name": "Corner Market",
            "currency": "usd",
            "timezone": "Mars/Olympus_Mons",
            "opening_hours": "{}",
            "delivery_fee": "0",
            "min_order_amount": "0",
            "tax_rate": "0",
        },
    )

    assert response.status_code == 200
    assert "timezone" in response.context["adminform"].form.errors
    assert not Business.objects.exists()


def run_action(client, label: str, action: str, *objects):
    return client.post(
        admin_url(label, "changelist"), {"action": action, "_selected_action": [obj.pk for obj in objects]}, follow=True
    )


def test_order_status_action_moves_the_order_through_the_service(staff_client, store):
    order = store["orders.order"]

    run_action(staff_client, "orders.order", "set_status_preparing", order)

    order.refresh_from_db()
    assert order.status == Order.Status.PREPARING
    assert Notification.objects.filter(order=order, title__icontains="preparing").exists()
    assert Activity.objects.filter(action="order.status_changed", description__contains=order.number).exists()


def test_order_status_action_refuses_a_jump_in_the_flow_and_says_why(staff_client, store):
    order = store["orders.order"]

    response = run_action(staff_client, "orders.order", "set_status_delivered", order)

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert "cannot become delivered" in response.content.decode()


def test_cancelling_in_the_admin_gives_the_stock_back(staff_client, store):
    order, product = store["orders.order"], store["products.product"]

    run_action(staff_client, "orders.order", "set_status_cancelled", order)

    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert product.stock == 10 + 2


def test_refunding_a_payment_in_the_admin_marks_the_order_refunded(staff_client, store):
    payment = store["orders.payment"]

    run_action(staff_client, "orders.payment", "set_payment_refunded", payment)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.order.payment_status == Order.PaymentStatus.REFUNDED


def test_status_actions_need_the_change_permission(client, store):
    viewer = User.objects.create_user(email="viewer@example.test", password="viewer-pass-1", name="V", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_order", "view_payment"]))
    client.force_login(viewer)

    response = client.get(admin_url("orders.order", "changelist"))

    assert response.status_code == 200
    assert "set_status_preparing" not in response.content.decode()
    run_action(client, "orders.order", "set_status_preparing", store["orders.order"])
    store["orders.order"].refresh_from_db()
    assert store["orders.order"].status == Order.Status.PENDING


def test_marking_notifications_read_in_bulk_goes_through_the_service(staff_client, store):
    notification = store["shop.notification"]
    other = Notification.objects.create(user=store["shop.user"], title="Already read", is_read=True)

    run_action(staff_client, "shop.notification", "mark_read", notification, other)

    notification.refresh_from_db()
    assert notification.is_read is True
    entry = Activity.objects.get(action="notification.bulk_read")
    assert entry.description == "1 notification(s) marked as read" and entry.user.email == "root@example.test"


def test_no_admin_action_writes_with_queryset_update():
    """Admin writes go through the services (issue 10): no admin module calls QuerySet.update()."""
    import inspect

    import orders.admin
    import products.admin
    import shop.admin
    import shop.admin_actions

    for module in (orders.admin, products.admin, shop.admin, shop.admin_actions):
        assert ".update(" not in inspect.getsource(module), module.__name__
