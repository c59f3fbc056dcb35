"""Housekeeping writes on coupons and orders, run on a schedule (see orders/tasks.py)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from orders.models import Coupon
from shop.activity import activity_log


def coupons_deactivate_expired(*, now: datetime | None = None) -> int:
    """Switch off active coupons whose window has ended. Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = Coupon.objects.filter(is_active=True, valid_until__lte=now).update(is_active=False, updated_at=now)
        if expired:
            activity_log(action="coupons.expired", description=f"{expired} expired coupon(s) deactivated")
    return expired
