"""Reads for coupons, orders and payments. The cached one (`coupon_active_list`) is in orders/cached.py."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.db.models.lookups import Exact
from django.utils import timezone

from orders.models import Coupon, Order, Payment
from orders.pricing import coupon_discount
from orders.rules import NOT_VALID, coupon_refusal, coupon_usable_q
from orders.serializers import CouponOutput
from shop.errors import ApplicationError, NotFound


def coupons_valid_at(now: datetime) -> QuerySet[Coupon]:
    return Coupon.objects.filter(coupon_usable_q(now))


def coupon_named(code: str) -> Exact:
    """A filter for the coupon with this code, case-insensitive, through the unique index on lower(code)."""
    return Exact(Lower("code"), code.strip().lower())


def coupon_by_code(code: str) -> Coupon | None:
    return Coupon.objects.filter(coupon_named(code)).first()


def _customer_orders_using_coupons(user) -> QuerySet[Order]:
    """The orders of this customer that hold a coupon use: every one not cancelled."""
    return Order.objects.filter(user=user).exclude(status=Order.Status.CANCELLED)


def coupon_customer_uses(*, coupon: Coupon, user) -> int:
    """How many times this customer's orders use this coupon (one query; none when it has no per-customer limit)."""
    if coupon.per_customer_limit is None:
        return 0
    return _customer_orders_using_coupons(user).filter(coupon=coupon).count()


def coupon_customer_uses_subquery(user) -> Coalesce:
    """The same count, for a Coupon queryset: the database counts it per coupon row."""
    per_coupon = _customer_orders_using_coupons(user).filter(coupon=OuterRef("pk")).order_by().values("coupon")
    return Coalesce(Subquery(per_coupon.annotate(uses=Count("pk")).values("uses")[:1]), 0)


def coupon_list() -> QuerySet[Coupon]:
    return Coupon.objects.order_by("code", "id")


def coupon_get(*, coupon_id: int) -> Coupon:
    coupon = Coupon.objects.filter(pk=coupon_id).first()
    if coupon is None:
        raise NotFound("Coupon not found")
    return coupon


def coupon_check(*, code: str, subtotal: Decimal, user) -> dict:
    """What a coupon would take off this customer's order of `subtotal` now, from the database (never cached).

    An unknown code and one that is switched off, not started or expired get the same answer.
    """
    coupon = coupon_by_code(code)
    uses = coupon_customer_uses(coupon=coupon, user=user) if coupon is not None else 0
    reason = coupon_refusal(coupon=coupon, subtotal=subtotal, now=timezone.now(), customer_uses=uses)
    if reason == NOT_VALID:
        return {"valid": False, "discount": "0.00", "reason": NOT_VALID}
    if reason is not None:
        return {"valid": False, "discount": "0.00", "reason": reason}
    discount = coupon_discount(coupon=coupon, subtotal=subtotal)
    return {"valid": True, "discount": str(discount), "coupon": CouponOutput(coupon).data}


def orders_held() -> QuerySet[Order]:
    """Holds: orders still pending and unpaid. They keep stock from others, so a customer may have at
    most MAX_OPEN_ORDERS of them, and the store cancels one after ORDER_HOLD_MINUTES."""
    return Order.objects.filter(status=Order.Status.PENDING, payment_status=Order.PaymentStatus.UNPAID)


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
