"""Notification delivery: queued after commit, through the configured channel, retried, failures recorded.

These run Celery eagerly (no broker): the delivery task runs in the test when its on-commit
callback does, retries included (eager retries don't wait out their countdown).
"""

import logging

import pytest
from django.db import transaction

from shop.channels import ChannelError, LogChannel, channel_get
from shop.models import Notification
from shop.notifications import notification_create, notification_deliver

pytestmark = pytest.mark.django_db

sent: list[int] = []


class AlwaysDownChannel:
    def send(self, notification):
        raise ChannelError("push gateway answered 503")


class FlakyChannel:
    """Fails the first two attempts of each notification, then delivers."""

    attempts: dict[int, int] = {}

    def send(self, notification):
        n = self.attempts[notification.pk] = self.attempts.get(notification.pk, 0) + 1
        if n <= 2:
            raise ChannelError(f"timeout on attempt {n}")
        sent.append(notification.pk)


class RecordingChannel:
    def send(self, notification):
        sent.append(notification.pk)


@pytest.fixture(autouse=True)
def _reset_channels():
    sent.clear()
    FlakyChannel.attempts.clear()


def create(customer, title="Order SHOP-1: preparing") -> Notification:
    return notification_create(user=customer, title=title, message="We are preparing your order.")


def test_the_default_channel_logs_the_notification_and_marks_it_delivered(
    customer, caplog, django_capture_on_commit_callbacks
):
    assert isinstance(channel_get(), LogChannel)
    caplog.set_level(logging.INFO, logger="shop.notifications")
    with django_capture_on_commit_callbacks(execute=True):
        notification = create(customer)

    notification.refresh_from_db()
    assert (notification.delivery_status, notification.delivery_attempts) == ("delivered", 1)
    assert notification.delivered_at is not None
    logged = [r.getMessage() for r in caplog.records if r.name == "shop.notifications"]
    assert any("Order SHOP-1: preparing" in line and customer.email in line for line in logged)


def test_delivery_is_queued_only_when_the_transaction_commits(customer, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_CHANNEL = f"{__name__}.RecordingChannel"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = create(customer)
    assert len(callbacks) == 1
    assert sent == [], "nothing is delivered before commit"

    callbacks[0]()
    assert sent == [notification.pk]


def test_a_rolled_back_notification_is_neither_written_nor_delivered(
    customer, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_CHANNEL = f"{__name__}.RecordingChannel"
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        create(customer)
        raise RuntimeError("the status change failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert sent == []


def test_a_failing_channel_is_retried_until_it_delivers(customer, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_CHANNEL = f"{__name__}.FlakyChannel"
    with django_capture_on_commit_callbacks(execute=True):
        notification = create(customer)

    notification.refresh_from_db()
    assert (notification.delivery_status, notification.delivery_attempts) == ("delivered", 3)
    assert notification.delivery_error == ""
    assert sent == [notification.pk]


def test_a_delivery_that_fails_for_good_is_recorded_on_the_notification(
    customer, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_CHANNEL = f"{__name__}.AlwaysDownChannel"
    settings.NOTIFICATION_DELIVERY_MAX_RETRIES = 3
    with django_capture_on_commit_callbacks(execute=True):
        notification = create(customer)

    notification.refresh_from_db()
    assert notification.delivery_status == "failed"
    assert notification.delivery_attempts == 4, "the first attempt and three retries"
    assert notification.delivery_error == "push gateway answered 503"
    assert notification.delivered_at is None


def test_a_notification_already_delivered_is_not_sent_again(customer, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_CHANNEL = f"{__name__}.RecordingChannel"
    with django_capture_on_commit_callbacks(execute=True):
        notification = create(customer)

    notification_deliver(notification_id=notification.pk)  # a re-queued duplicate
    notification.refresh_from_db()
    assert sent == [notification.pk]
    assert notification.delivery_attempts == 1
