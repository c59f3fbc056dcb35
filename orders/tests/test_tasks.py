"""Beat's tasks (orders/tasks.py): expired coupons are switched off, and coupons:active is cleared; unpaid
holds expire every minute (what expiring does: services/test_orders.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.cached import coupon_active_list
from orders.models import Coupon
from orders.tasks import coupons_deactivate_expired

pytestmark = pytest.mark.django_db


def test_expired_coupons_are_deactivated_and_the_active_list_is_cleared(django_capture_on_commit_callbacks):
    now = timezone.now()
    current = baker.make_recipe("orders.coupon", code="NOW10")
    expired = baker.make_recipe(
        "orders.coupon", code="OLD10", valid_from=now - timedelta(days=10), valid_until=now - timedelta(days=1)
    )
    coupon_active_list()
    assert coupon_active_list().hit

    with django_capture_on_commit_callbacks(execute=True):
        assert coupons_deactivate_expired() == 1

    assert Coupon.objects.get(pk=expired.pk).is_active is False
    assert Coupon.objects.get(pk=current.pk).is_active is True
    after = coupon_active_list()
    assert not after.hit, "QuerySet.update() sends no signal: the task must clear coupons:active itself"
    assert [c["code"] for c in after.data["coupons"]] == ["NOW10"]


def test_nothing_expired_changes_nothing_and_keeps_the_cache(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        baker.make_recipe("orders.coupon", code="NOW10")
    coupon_active_list()

    with django_capture_on_commit_callbacks(execute=True):
        assert coupons_deactivate_expired() == 0

    assert coupon_active_list().hit


def test_beat_runs_the_expiry_every_minute(settings):
    from config.celery_app import app

    entry = settings.CELERY_BEAT_SCHEDULE["orders-expire-unpaid-holds"]
    assert entry["task"] == "orders.tasks.order_holds_expire" and entry["schedule"] == 60.0
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
