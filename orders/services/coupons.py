"""Writes of coupons: admin CRUD, and taking or giving back one use for an order."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower

from orders.models import Coupon, Order
from orders.rules import NOT_VALID, USED_UP, all_of, coupon_order_conditions, coupon_refusal
from orders.selectors import coupon_customer_uses, coupon_customer_uses_subquery, coupon_named
from shop.activity import activity_log
from shop.errors import ApplicationError, Conflict


def _coupon_rules(*, fields: dict, coupon_id: int | None) -> None:
    """Rules across fields and rows, checked on the merged result of a create or an update."""
    errors: dict[str, list[str]] = {}
    if fields["value"] <= 0:
        errors["value"] = ["Must be greater than 0."]
    elif fields["discount_type"] == Coupon.DiscountType.PERCENT and fields["value"] > 100:
        errors["value"] = ["A percent discount can be at most 100."]
    if fields.get("max_discount") is not None and fields["max_discount"] <= 0:
        errors["max_discount"] = ["Must be greater than 0, or null for no cap."]
    if fields["valid_until"] <= fields["valid_from"]:
        errors["valid_until"] = ["Must be later than valid_from."]
    same_code = Coupon.objects.alias(code_lower=Lower("code")).filter(code_lower=fields["code"].lower())
    if same_code.exclude(pk=coupon_id).exists():
        errors["code"] = ["A coupon with this code already exists (codes are case-insensitive)."]
    if fields.get("usage_limit") is not None and fields["usage_limit"] < fields.get("used_count", 0):
        errors["usage_limit"] = [f"Already used {fields['used_count']} times."]
    if errors:
        raise ApplicationError("Validation failed", errors)


COUPON_RULE_FIELDS = (
    "code",
    "value",
    "discount_type",
    "max_discount",
    "valid_from",
    "valid_until",
    "usage_limit",
    "used_count",
)


def _coupon_save(coupon: Coupon, fields: dict) -> Coupon:
    merged = {name: getattr(coupon, name) for name in COUPON_RULE_FIELDS} | fields
    _coupon_rules(fields=merged, coupon_id=coupon.pk)
    creating = coupon.pk is None
    for name, value in fields.items():
        setattr(coupon, name, value)
    try:
        with transaction.atomic():
            # Only the fields given: a full save would write back a used_count that orders have
            # moved on since this coupon was read.
            coupon.save(update_fields=None if creating else [*fields, "updated_at"])
    except IntegrityError as error:
        if "coupon_code_unique_ci" in str(error):  # two admins saving the same code at once
            raise ApplicationError("Validation failed", {"code": ["A coupon with this code already exists."]}) from None
        raise Conflict("The coupon changed while it was being saved; reload it and try again") from None
    return coupon


def coupon_create(*, user, **fields) -> Coupon:
    coupon = _coupon_save(Coupon(used_count=0), fields)
    activity_log(action="coupon.created", description=f"Coupon {coupon.code} created", user=user, target=coupon)
    return coupon


def coupon_update(*, coupon: Coupon, user, **fields) -> Coupon:
    coupon = _coupon_save(coupon, fields)
    activity_log(action="coupon.updated", description=f"Coupon {coupon.code} updated", user=user, target=coupon)
    return coupon


def coupon_delete(*, coupon: Coupon, user) -> None:
    """Orders keep their coupon_code; their link to the coupon row is set to null."""
    code = coupon.code
    with transaction.atomic():
        coupon.delete()
        activity_log(action="coupon.deleted", description=f"Coupon {code} deleted", user=user)


def coupon_use_take(*, code: str, user, subtotal: Decimal, now: datetime) -> Coupon:
    """Count one use of the coupon named `code` on this customer's order, in the caller's transaction.

    The rule is checked by the `UPDATE` itself, so concurrent orders can't take a coupon past its
    `usage_limit`. The customer's own uses are counted inside that statement too; the placement has
    locked the customer's row first, so two orders by one customer count one after the other.
    Returns the coupon as it is now (its row stays locked until the caller's transaction ends).
    """
    rule = all_of(
        coupon_order_conditions(now=now, subtotal=subtotal, customer_uses=coupon_customer_uses_subquery(user))
    )
    named = Coupon.objects.filter(coupon_named(code))
    taken = named.filter(rule).update(used_count=F("used_count") + 1, updated_at=now)
    coupon = named.first()
    if taken:
        return coupon
    uses = coupon_customer_uses(coupon=coupon, user=user) if coupon is not None else 0
    reason = coupon_refusal(coupon=coupon, subtotal=subtotal, now=now, customer_uses=uses) or USED_UP
    if reason == NOT_VALID:  # unknown, switched off, not started or expired: the same answer for all
        raise ApplicationError(reason, {"coupon_code": [f"{reason}."]})
    raise Conflict(reason, {"coupon_code": [reason]})


def coupon_use_give_back(*, order: Order, now: datetime) -> bool:
    """A cancelled order's coupon use counts no more (its customer's count drops by itself: it
    counts orders that are not cancelled). Returns whether a use was given back."""
    if not order.coupon_id:
        return False
    Coupon.objects.filter(pk=order.coupon_id, used_count__gt=0).update(used_count=F("used_count") - 1, updated_at=now)
    return True
