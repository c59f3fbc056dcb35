"""The coupon rule is written once (orders.rules): the database's filter and Python's check of the same
objects agree on every kind of coupon, and the admin's "valid now" column and filter use them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Q, Value
from django.utils import timezone
from model_bakery import baker

from orders.models import Coupon
from orders.rules import (
    NOT_VALID,
    all_of,
    coupon_order_conditions,
    coupon_refusal,
    coupon_usable,
    coupon_usable_q,
    q_holds,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def every_kind_of_coupon(db):
    """Each state the rule tells apart, and the edges of each condition."""
    now = timezone.now()
    kinds = {
        "usable": {},
        "switched off": {"is_active": False},
        "starts later": {"valid_from": now + DAY, "valid_until": now + 2 * DAY},
        "starts exactly now": {"valid_from": now},
        "expired": {"valid_from": now - 2 * DAY, "valid_until": now - DAY},
        "ends exactly now": {"valid_from": now - DAY, "valid_until": now},
        "used up": {"usage_limit": 3, "used_count": 3},
        "one use left": {"usage_limit": 3, "used_count": 2},
        "minimum 50": {"min_order_amount": Decimal("50.00")},
        "once per customer": {"per_customer_limit": 1},
        "twice per customer": {"per_customer_limit": 2},
    }
    coupons = [baker.make_recipe("orders.coupon", code=f"C{i}", **fields) for i, fields in enumerate(kinds.values())]
    return now, dict(zip(kinds, coupons, strict=True))


def test_usable_now_is_the_same_in_the_database_and_in_python(every_kind_of_coupon):
    now, coupons = every_kind_of_coupon
    in_database = set(Coupon.objects.filter(coupon_usable_q(now)).values_list("code", flat=True))
    in_python = {coupon.code for coupon in Coupon.objects.all() if coupon_usable(coupon, now)}

    assert in_database == in_python
    unusable = {"switched off", "starts later", "expired", "ends exactly now", "used up"}
    assert in_python == {c.code for kind, c in coupons.items() if kind not in unusable}


@pytest.mark.parametrize("subtotal", ["10.00", "50.00"])
@pytest.mark.parametrize("customer_uses", [0, 1, 2])
def test_usable_on_an_order_is_the_same_in_the_database_and_in_python(every_kind_of_coupon, subtotal, customer_uses):
    now, _ = every_kind_of_coupon
    subtotal = Decimal(subtotal)
    rule = all_of(coupon_order_conditions(now=now, subtotal=subtotal, customer_uses=Value(customer_uses)))
    in_database = set(Coupon.objects.filter(rule).values_list("code", flat=True))
    in_python = {
        coupon.code
        for coupon in Coupon.objects.all()
        if coupon_refusal(coupon=coupon, subtotal=subtotal, now=now, customer_uses=customer_uses) is None
    }
    assert in_database == in_python


def test_each_refusal_names_its_reason_and_unknown_is_not_told_apart(every_kind_of_coupon):
    now, coupons = every_kind_of_coupon

    def why(kind, subtotal="20.00", uses=0):
        return coupon_refusal(coupon=coupons.get(kind), subtotal=Decimal(subtotal), now=now, customer_uses=uses)

    assert {why(kind) for kind in ("switched off", "starts later", "expired", "ends exactly now", "unknown")} == {
        NOT_VALID
    }
    assert why("used up") == "Coupon has been used up"
    assert why("minimum 50") == "Coupon needs an order subtotal of at least 50.00"
    assert why("minimum 50", subtotal="50.00") is None
    assert why("once per customer", uses=1) == "You have already used this coupon as many times as it allows"
    assert why("twice per customer", uses=1) is None
    assert why("usable", uses=99) is None


def test_q_holds_refuses_what_it_cannot_decide_in_python():
    coupon = baker.make_recipe("orders.coupon", code="X")
    assert q_holds(coupon, ~Q(code="Y") & (Q(used_count__gte=F("used_count")) | Q(usage_limit__gt=1)))
    with pytest.raises(TypeError, match="lookup"):
        q_holds(coupon, Q(code__icontains="x"))
    with pytest.raises(TypeError, match="expression"):
        q_holds(coupon, Q(used_count__lt=Value(1)))


def test_the_admin_state_column_and_valid_now_filter_follow_the_rule(admin_client, every_kind_of_coupon):
    from orders.admin.coupons import CouponAdmin

    now, _ = every_kind_of_coupon
    usable = set(Coupon.objects.filter(coupon_usable_q(now)).values_list("code", flat=True))

    filtered = admin_client.get("/admin/orders/coupon/", {"validity": "now"})

    assert filtered.status_code == 200
    assert {c.code for c in filtered.context["cl"].result_list} == usable
    column = CouponAdmin(Coupon, None).state
    assert {c.code for c in Coupon.objects.all() if "Valid now" in column(c)} == usable
