"""The broker is down (nothing listens on its port): writes still succeed, nothing that matters is lost,
and the outage is logged once, not once per request."""

import logging
import time
from decimal import Decimal

import pytest
from model_bakery import baker

from orders.models import Order
from orders.services import order_place, order_status_set
from shop.models import Notification
from shop.queueing import enqueue
from shop.tasks import notification_deliver
from testing.celery import celery_app_using
from testing.redis_server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    url = f"redis://127.0.0.1:{free_port()}/0"
    with celery_app_using(url, {"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0}) as app:
        yield app


def queueing_errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "shop.queueing" and r.levelno >= logging.ERROR]


def test_orders_and_status_changes_succeed_and_the_outage_is_logged_once(
    broker_down, settings, caplog, customer, staff_user, django_capture_on_commit_callbacks
):
    product = baker.make_recipe("products.product", name="Soup", category="food", price=Decimal("4.00"), stock=100)
    settings.CELERY_PUBLISH_COOLDOWN = 0  # every request really tries the broker
    caplog.set_level(logging.INFO, logger="shop.queueing")
    orders = []
    for _ in range(4):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            order = order_place(
                user=customer,
                items=[{"product_id": product.pk, "quantity": 1}],
                delivery_address="2 High Street",
                payment_method="card",
            )
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            order_status_set(order_id=order.pk, status=Order.Status.PREPARING, user=staff_user)
        assert callbacks, "the delivery is queued after commit"
        assert time.monotonic() - started < 5, "a refused broker must not hold a request up"
        orders.append(order)

    assert Order.objects.filter(status=Order.Status.PREPARING).count() == 4
    rows = Notification.objects.filter(order__in=orders)
    assert [n.delivery_status for n in rows] == ["pending"] * 4
    assert len(queueing_errors(caplog)) == 1
    assert "broker unreachable" in queueing_errors(caplog)[0].getMessage()


def test_enqueue_reports_failure_without_raising_and_skips_the_broker_during_the_cool_down(broker_down, settings):
    settings.CELERY_PUBLISH_COOLDOWN = 60
    assert enqueue(notification_deliver, 1) is False
    started = time.monotonic()
    assert enqueue(notification_deliver, 2) is False
    assert time.monotonic() - started < 0.05, "during the cool-down the broker is not tried at all"


def test_a_hung_broker_costs_one_timeout_per_cool_down_not_one_per_request(redis_server, settings):
    settings.CELERY_PUBLISH_COOLDOWN = 60
    with celery_app_using(redis_server.url, {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "max_retries": 0}):
        redis_server.freeze()
        try:
            started = time.monotonic()
            assert enqueue(notification_deliver, 1) is False
            first = time.monotonic() - started
            started = time.monotonic()
            assert [enqueue(notification_deliver, n) for n in range(2, 12)] == [False] * 10
            others = time.monotonic() - started
        finally:
            redis_server.thaw()
    assert first < 5, "the first caller waits out the socket timeout, not an unbounded hang"
    assert others < 0.5, "the next ten callers don't wait on the broker at all"


def test_queueing_resumes_and_says_so_when_the_broker_is_back(redis_server, settings, caplog):
    settings.CELERY_PUBLISH_COOLDOWN = 0
    caplog.set_level(logging.INFO, logger="shop.queueing")
    with celery_app_using(redis_server.url, {"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0}):
        assert enqueue(notification_deliver, 1) is True
        redis_server.kill()
        assert enqueue(notification_deliver, 2) is False
        assert enqueue(notification_deliver, 3) is False
        redis_server.start()
        assert enqueue(notification_deliver, 4) is True

    messages = [r.getMessage() for r in caplog.records if r.name == "shop.queueing"]
    assert len(queueing_errors(caplog)) == 1
    assert sum("reachable again" in m for m in messages) == 1
    assert redis_server.client().llen("celery") == 1, "the task queued after the restart reached the broker"
