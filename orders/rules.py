"""The coupon rule, written once as named conditions (`Q` objects).

The database filters with these objects (the active list, the admin's "valid now" filter, the
guarded `UPDATE` that counts a use), and Python evaluates the very same objects on a loaded row
(`q_holds`) to say why a coupon is refused, to show "valid now" in the admin list and to price the
demo store's history. There is no second copy of any condition to keep in step.
"""

import operator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import F, Model, Q
from django.db.models.expressions import BaseExpression

from orders.models import Coupon

# What refuses a code that is unknown, switched off, not started or expired: the same words for all
# four, so nobody can tell a code that exists from one that never did (GET /coupons/active lists the
# usable ones anyway).
NOT_VALID = "Coupon is not valid"
USED_UP = "Coupon has been used up"

_LOOKUPS = {
    "exact": operator.eq,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}


def q_holds(instance: Model, q: Q) -> bool:
    """Whether `instance` satisfies `q`, decided in Python with the lookups above and `F()` references.

    A lookup this does not know raises, so the rule can't grow a condition that only one side understands.
    """
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(q_holds(instance, child))
            continue
        lookup, wanted = child
        field, _, name = lookup.partition("__")
        value = getattr(instance, field)
        if isinstance(wanted, F):
            wanted = getattr(instance, wanted.name)
        elif isinstance(wanted, BaseExpression):
            raise TypeError(f"q_holds can't evaluate the expression {wanted!r} in Python")
        if name == "isnull":
            results.append((value is None) == bool(wanted))
        elif name in ("", "exact") or name in _LOOKUPS:
            results.append(value is not None and wanted is not None and _LOOKUPS[name or "exact"](value, wanted))
        else:
            raise TypeError(f"q_holds doesn't know the lookup {lookup!r}")
    held = all(results) if q.connector == Q.AND else any(results)
    return not held if q.negated else held


@dataclass(frozen=True)
class Condition:
    q: Q
    reason: str


def coupon_usable_conditions(now: datetime) -> list[Condition]:
    """Usable now: active, started, not expired, not used up."""
    return [
        Condition(Q(is_active=True), NOT_VALID),
        Condition(Q(valid_from__lte=now), NOT_VALID),
        Condition(Q(valid_until__gt=now), NOT_VALID),
        Condition(Q(usage_limit__isnull=True) | Q(used_count__lt=F("usage_limit")), USED_UP),
    ]


def coupon_order_conditions(*, now: datetime, subtotal: Decimal, customer_uses) -> list[Condition]:
    """Usable now on an order of `subtotal` by a customer whose orders already used it `customer_uses`
    times (a number in Python, or a subquery counted by the database)."""
    return [
        *coupon_usable_conditions(now),
        Condition(Q(min_order_amount__lte=subtotal), "Coupon needs an order subtotal of at least {min_order_amount}"),
        Condition(
            Q(per_customer_limit__isnull=True) | Q(per_customer_limit__gt=customer_uses),
            "You have already used this coupon as many times as it allows",
        ),
    ]


def all_of(conditions: list[Condition]) -> Q:
    q = Q()
    for condition in conditions:
        q &= condition.q
    return q


def coupon_usable_q(now: datetime) -> Q:
    """A filter for Coupon querysets: the coupons usable now."""
    return all_of(coupon_usable_conditions(now))


def coupon_usable(coupon: Coupon, now: datetime) -> bool:
    """The same rule, on one loaded coupon."""
    return all(q_holds(coupon, condition.q) for condition in coupon_usable_conditions(now))


def coupon_refusal(*, coupon: Coupon | None, subtotal: Decimal, now: datetime, customer_uses: int = 0) -> str | None:
    """Why this coupon can't be used on this order now, or None when it can."""
    if coupon is None:
        return NOT_VALID
    for condition in coupon_order_conditions(now=now, subtotal=subtotal, customer_uses=customer_uses):
        if not q_holds(coupon, condition.q):
            return condition.reason.format(min_order_amount=coupon.min_order_amount)
    return None
