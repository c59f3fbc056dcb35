"""Money rules for coupons and orders: pure functions, no database access."""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from orders.models import Coupon

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def coupon_refusal(*, coupon: Coupon, subtotal: Decimal, now: datetime) -> str | None:
    """Why this coupon can't be used on this subtotal right now, or None when it can."""
    if not coupon.is_active:
        return "Coupon is not active"
    if now < coupon.valid_from:
        return "Coupon is not valid yet"
    if now >= coupon.valid_until:
        return "Coupon has expired"
    if coupon.usage_limit is not None and coupon.used_count >= coupon.usage_limit:
        return "Coupon has been used up"
    if subtotal < coupon.min_order_amount:
        return f"Coupon needs an order subtotal of at least {coupon.min_order_amount}"
    return None


def coupon_discount(*, coupon: Coupon, subtotal: Decimal) -> Decimal:
    """Percent of the subtotal capped by max_discount, or the fixed value; never more than the subtotal."""
    if coupon.discount_type == Coupon.DiscountType.PERCENT:
        discount = to_cents(subtotal * coupon.value / 100)
        if coupon.max_discount is not None:
            discount = min(discount, coupon.max_discount)
    else:
        discount = coupon.value
    return to_cents(min(discount, subtotal))


@dataclass(frozen=True)
class OrderTotals:
    subtotal: Decimal
    discount: Decimal
    delivery_fee: Decimal
    tax: Decimal
    total: Decimal


def order_totals(*, subtotal: Decimal, discount: Decimal, delivery_fee: Decimal, tax_rate: Decimal) -> OrderTotals:
    """Tax is tax_rate percent of the discounted subtotal; the delivery fee is not taxed."""
    taxable = subtotal - discount
    tax = to_cents(taxable * tax_rate / 100)
    return OrderTotals(
        subtotal=to_cents(subtotal),
        discount=to_cents(discount),
        delivery_fee=to_cents(delivery_fee),
        tax=tax,
        total=to_cents(taxable + delivery_fee + tax),
    )
