"""Housekeeping writes on coupons and orders, run on a schedule (see orders/tasks.py)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from orders.models import Coupon
from shop.activity import activity_log
from shop.cache import invalidate_models_on_commit


def coupons_deactivate_expired(*, now: datetime | None = None) -> int:
    """Switch off active coupons whose window has ended; clears coupons:active. Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        # QuerySet.update() sends no post_save, so the cache families are cleared here, after commit.
        expired = Coupon.objects.filter(is_active=True, valid_until__lte=now).update(is_active=False, updated_at=now)
        if expired:
            invalidate_models_on_commit(Coupon, cause=f"{expired} expired coupons deactivated")
            activity_log(action="coupons.expired", description=f"{expired} expired coupon(s) deactivated")
    return expired
