"""Reads for coupons, orders and payments. The cached one (`coupon_active_list`) is in orders/cached.py."""

from datetime import datetime
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from orders.models import Coupon, Order, Payment
from orders.pricing import coupon_discount, coupon_refusal
from orders.serializers import CouponOutput
from shop.errors import ApplicationError, NotFound


def coupon_usable_q(now: datetime) -> Q:
    """Active, started, not expired and not used up at `now`: a filter for Coupon querysets."""
    return Q(is_active=True, valid_from__lte=now, valid_until__gt=now) & (
        Q(usage_limit__isnull=True) | Q(used_count__lt=F("usage_limit"))
    )


def coupons_valid_at(now: datetime) -> QuerySet[Coupon]:
    return Coupon.objects.filter(coupon_usable_q(now))


def coupon_by_code(code: str) -> Coupon | None:
    """Case-insensitive, through the unique index on lower(code)."""
    return Coupon.objects.alias(code_lower=Lower("code")).filter(code_lower=code.strip().lower()).first()


def coupon_list() -> QuerySet[Coupon]:
    return Coupon.objects.order_by("code", "id")


def coupon_get(*, coupon_id: int) -> Coupon:
    coupon = Coupon.objects.filter(pk=coupon_id).first()
    if coupon is None:
        raise NotFound("Coupon not found")
    return coupon


def coupon_check(*, code: str, subtotal: Decimal) -> dict:
    """What a coupon would take off this subtotal now, from the database (never cached)."""
    coupon = coupon_by_code(code)
    if coupon is None:
        return {"valid": False, "discount": "0.00", "reason": "Unknown coupon code"}
    reason = coupon_refusal(coupon=coupon, subtotal=subtotal, now=timezone.now())
    if reason is not None:
        return {"valid": False, "discount": "0.00", "reason": reason}
    discount = coupon_discount(coupon=coupon, subtotal=subtotal)
    return {"valid": True, "discount": str(discount), "coupon": CouponOutput(coupon).data}


def orders_visible_to(orders: QuerySet[Order], *, user) -> QuerySet[Order]:
    """A customer sees their own orders; an admin sees everyone's."""
    return orders if user.is_staff else orders.filter(user=user)


def order_list(*, user, status: str | None = None) -> QuerySet[Order]:
    """The user's own orders (an admin's: everyone's), newest first, items prefetched."""
    orders = orders_visible_to(Order.objects.prefetch_related("items").order_by("-created_at", "-id"), user=user)
    if status:
        if status not in Order.Status.values:
            raise ApplicationError(
                "Validation failed", {"status": [f"Must be one of: {', '.join(Order.Status.values)}."]}
            )
        orders = orders.filter(status=status)
    return orders


def order_get(*, user, order_id: int, for_update: bool = False) -> Order:
    """Another customer's order is "not found": its existence is never revealed.

    With `for_update`, the order row (with its user) is locked until the caller's transaction ends.
    """
    if for_update:
        orders = Order.objects.select_for_update(of=("self",)).select_related("user")
    else:
        orders = Order.objects.prefetch_related("items")
    order = orders_visible_to(orders, user=user).filter(pk=order_id).first()
    if order is None:
        raise NotFound("Order not found")
    return order


def payment_list(*, user) -> QuerySet[Payment]:
    payments = Payment.objects.order_by("-created_at", "-id")
    if not user.is_staff:
        payments = payments.filter(order__user=user)
    return payments
