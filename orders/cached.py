"""The orders app's cached read: the coupons valid now."""

import math

from django.db.models import Min
from django.utils import timezone

from orders import selectors
from orders.cache_families import COUPONS_ACTIVE
from orders.models import Coupon
from orders.serializers import CouponOutput
from shop.cache import Expiring, cached


@cached(COUPONS_ACTIVE, http=["/api/v1/coupons/active"])
def coupon_active_list() -> Expiring:
    """`{coupons}` valid now. The list changes by itself when a listed coupon expires or a future one
    starts, with no write to clear it; so the entry is kept only until the nearest such moment
    (within the family's TTL), and a coupon is never served after its valid_until."""
    now = timezone.now()
    coupons = list(selectors.coupons_valid_at(now))
    starts = Coupon.objects.filter(is_active=True, valid_from__gt=now).aggregate(first=Min("valid_from"))["first"]
    moments = [c.valid_until for c in coupons] + ([starts] if starts else [])
    next_change = min(moments, default=None)
    seconds = None if next_change is None else math.floor((next_change - timezone.now()).total_seconds())
    return Expiring({"coupons": CouponOutput(coupons, many=True).data}, seconds)
