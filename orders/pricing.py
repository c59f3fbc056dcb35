"""Money rules for coupons and orders: pure functions, no database access."""

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from orders.models import MONEY, Coupon

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount the money columns hold (12 digits, 2 after the point): 9999999999.99.
MONEY_MAX = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"]) - CENT


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


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

    def fit_the_money_columns(self) -> bool:
        return all(amount <= MONEY_MAX for amount in asdict(self).values())


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
