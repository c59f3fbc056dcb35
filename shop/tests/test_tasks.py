"""The core's Celery tasks (shop/tasks.py): a notification's delivery and beat's re-queueing of deliveries
still pending. The first tests run a real Celery worker (a thread of this process) consuming from the
machine's Redis as broker; the last runs the periodic task in-process, eagerly, as beat would.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Order
from orders.services import order_place, order_status_set
from shop.models import Notification
from shop.notifications import notification_create
from shop.tasks import notifications_retry_pending
from testing.celery import celery_app_using, rabbitmq_broker, redis_broker, running_worker, wait_until
from testing.redis_server import free_port


def place_order(customer, product) -> Order:
    return order_place(
        user=customer,
        items=[{"product_id": product.pk, "quantity": 1}],
        delivery_address="1 Main Street",
        payment_method="cash",
    )


def delivery_of(notification_id: int) -> str:
    return Notification.objects.values_list("delivery_status", flat=True).get(pk=notification_id)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", [redis_broker, rabbitmq_broker], ids=["redis", "rabbitmq"])
def test_a_status_change_is_delivered_by_a_real_worker(broker, customer, staff_user):
    product = baker.make_recipe("products.product", name="Pizza", category="food", price=Decimal("9.50"), stock=100)
    with broker() as (app, _namespace), running_worker(app):
        order = place_order(customer, product)
        order_status_set(order_id=order.pk, status=Order.Status.PREPARING, user=staff_user)

        notification = Notification.objects.get(order=order)
        assert wait_until(lambda: delivery_of(notification.pk) == "delivered", timeout=30)

    notification.refresh_from_db()
    assert notification.delivery_attempts == 1
    assert notification.delivered_at is not None
    assert notification.delivery_error == ""


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_deliveries_not_queued_while_the_broker_was_down_are_delivered_once_it_is_back(customer, staff_user):
    product = baker.make_recipe("products.product", name="Pizza", category="food", price=Decimal("9.50"), stock=100)
    with celery_app_using(f"redis://127.0.0.1:{free_port()}/0", {"socket_connect_timeout": 1, "max_retries": 0}):
        order = place_order(customer, product)
        order_status_set(order_id=order.pk, status=Order.Status.PREPARING, user=staff_user)
    notification = Notification.objects.get(order=order)
    assert notification.delivery_status == "pending"

    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with redis_broker() as (app, _prefix), running_worker(app):
        assert notifications_retry_pending() == 1
        assert wait_until(lambda: delivery_of(notification.pk) == "delivered", timeout=30)


@pytest.mark.django_db
def test_deliveries_still_pending_after_a_while_are_queued_again(customer, django_capture_on_commit_callbacks):
    broker = celery_app_using(f"redis://127.0.0.1:{free_port()}/0", {"socket_connect_timeout": 1, "max_retries": 0})
    with broker, django_capture_on_commit_callbacks(execute=True):
        stuck = notification_create(user=customer, title="Order A: preparing")
        recent = notification_create(user=customer, title="Order B: preparing")
    assert set(Notification.objects.values_list("delivery_status", flat=True)) == {"pending"}
    Notification.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(minutes=30))

    assert notifications_retry_pending() == 1

    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.delivery_status == "delivered"
    assert recent.delivery_status == "pending", "a recent one may still be on its way: left alone"
