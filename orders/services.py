"""Writes for coupons, orders and payments: one function per use case, each in one transaction.

Stock and coupon uses are taken with conditional `UPDATE ... SET x = x ± n WHERE <still possible>`
statements, so the database itself refuses to go below zero or past a limit, whatever the
concurrency. The cache needs no help: PostgreSQL's outbox triggers record every row these
statements change, and the cache layer applies them after the commit.
"""

import base64
import secrets
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from orders.models import Coupon, Order, OrderItem, Payment
from orders.pricing import ZERO, coupon_discount, coupon_refusal, order_totals, to_cents
from orders.selectors import coupon_by_code, coupon_usable_q, order_get
from products.models import Product
from shop.activity import activity_log
from shop.errors import ApplicationError, Conflict, NotFound
from shop.models import Business
from shop.notifications import notification_create

Status = Order.Status

ORDER_TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING: {Status.PREPARING, Status.CANCELLED},
    Status.PREPARING: {Status.OUT_FOR_DELIVERY, Status.CANCELLED},
    Status.OUT_FOR_DELIVERY: {Status.DELIVERED},
}

STATUS_MESSAGES = {
    Status.PREPARING: "We are preparing your order.",
    Status.OUT_FOR_DELIVERY: "Your order is on its way.",
    Status.DELIVERED: "Your order has been delivered. Enjoy!",
    Status.CANCELLED: "Your order has been cancelled.",
}

PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    Payment.Status.PENDING: {Payment.Status.COMPLETED, Payment.Status.FAILED},
    Payment.Status.COMPLETED: {Payment.Status.REFUNDED},
}
ORDER_PAYMENT_STATUS = {
    Payment.Status.COMPLETED: Order.PaymentStatus.PAID,
    Payment.Status.REFUNDED: Order.PaymentStatus.REFUNDED,
}


# --- coupons ---------------------------------------------------------------------------------------
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
    activity_log(action="coupon.created", description=f"Coupon {coupon.code} created", user=user)
    return coupon


def coupon_update(*, coupon: Coupon, user, **fields) -> Coupon:
    coupon = _coupon_save(coupon, fields)
    activity_log(action="coupon.updated", description=f"Coupon {coupon.code} updated", user=user)
    return coupon


def coupon_delete(*, coupon: Coupon, user) -> None:
    """Orders keep their coupon_code; their link to the coupon row is set to null."""
    code = coupon.code
    with transaction.atomic():
        coupon.delete()
        activity_log(action="coupon.deleted", description=f"Coupon {code} deleted", user=user)


def _coupon_take(*, coupon: Coupon, subtotal: Decimal, now: datetime) -> Coupon:
    """Count one use, only while the coupon is still usable; returns it locked and fresh."""
    usable = coupon_usable_q(now) & Q(min_order_amount__lte=subtotal)
    taken = Coupon.objects.filter(usable, pk=coupon.pk).update(used_count=F("used_count") + 1, updated_at=now)
    fresh = Coupon.objects.filter(pk=coupon.pk).first()
    if fresh is None:
        raise Conflict("Coupon is no longer available", {"coupon_code": ["Coupon is no longer available"]})
    if not taken:
        reason = coupon_refusal(coupon=fresh, subtotal=subtotal, now=now) or "Coupon has been used up"
        raise Conflict(reason, {"coupon_code": [reason]})
    return fresh


# --- orders ----------------------------------------------------------------------------------------
def _prefetched_items(order: Order, items: list[OrderItem]) -> None:
    """Hand `order.items` the rows just written, as prefetch_related would: the response is then
    built without a query after the commit, so a connection lost right after it can't turn a
    placed order into an error answer."""
    queryset = order.items.all()
    queryset._result_cache, queryset._prefetch_done = items, True
    order._prefetched_objects_cache = {"items": queryset}


def _order_number(now: datetime) -> str:
    suffix = base64.b32encode(secrets.token_bytes(10)).decode()
    return f"ORD-{timezone.localtime(now):%Y%m%d}-{suffix}"


def _stock_take(*, quantities: dict[int, int], now: datetime) -> dict[int, Product]:
    """Take every line's stock or raise (the caller's transaction then gives it all back).

    Rows are updated in product id order so that two orders never wait on each other's rows.
    """
    for product_id in sorted(quantities):
        wanted = quantities[product_id]
        taken = Product.objects.filter(pk=product_id, is_active=True, stock__gte=wanted).update(
            stock=F("stock") - wanted, updated_at=now
        )
        if not taken:
            product = Product.objects.filter(pk=product_id, is_active=True).first()
            if product is None:
                message = f"Product {product_id} is not available"
                raise Conflict(message, {"items": [message]})
            raise Conflict(
                f"Insufficient stock for {product.name}",
                {"items": [f"Only {product.stock} of {product.name} left; {wanted} requested."]},
            )
    # Our UPDATEs hold these rows' locks until commit: the prices read now are the ones charged.
    return Product.objects.in_bulk(list(quantities))


def order_place(
    *,
    user,
    items: list[dict],
    delivery_address: str,
    payment_method: str,
    coupon_code: str = "",
    notes: str = "",
) -> Order:
    """Place an order priced from the database. All or nothing: stock, coupon use, order, items."""
    quantities: Counter[int] = Counter()
    for line in items:  # the same product on two lines is one line
        quantities[line["product_id"]] += line["quantity"]

    business = Business.objects.first()
    if business is not None and not business.is_open:
        raise Conflict("The store is closed and not taking orders right now")
    coupon = None
    if coupon_code.strip():
        coupon = coupon_by_code(coupon_code)
        if coupon is None:
            raise ApplicationError("Unknown coupon code", {"coupon_code": ["Unknown coupon code."]})

    now = timezone.now()
    with transaction.atomic():
        products = _stock_take(quantities=dict(quantities), now=now)
        lines = [(products[pid], qty, to_cents(products[pid].price * qty)) for pid, qty in quantities.items()]
        subtotal = sum((line_total for _, _, line_total in lines), ZERO)
        minimum = business.min_order_amount if business else ZERO
        if subtotal < minimum:
            message = f"The minimum order is {minimum}; this order comes to {subtotal}"
            raise ApplicationError(message, {"items": [message]})
        discount = ZERO
        if coupon is not None:
            coupon = _coupon_take(coupon=coupon, subtotal=subtotal, now=now)
            discount = coupon_discount(coupon=coupon, subtotal=subtotal)
        totals = order_totals(
            subtotal=subtotal,
            discount=discount,
            delivery_fee=business.delivery_fee if business else ZERO,
            tax_rate=business.tax_rate if business else ZERO,
        )
        order = Order.objects.create(
            number=_order_number(now),
            user=user,
            coupon=coupon,
            coupon_code=coupon.code if coupon else "",
            **asdict(totals),
            payment_method=payment_method,
            delivery_address=delivery_address,
            notes=notes,
            created_at=now,
        )
        items = OrderItem.objects.bulk_create(
            OrderItem(order=order, product=p, name=p.name, unit_price=p.price, quantity=q, line_total=t)
            for p, q, t in lines
        )
        _prefetched_items(order, items)
        activity_log(
            action="order.placed", description=f"{user.email} placed order {order.number} ({order.total})", user=user
        )
    return order


def _order_give_back(order: Order) -> None:
    """Cancelling returns the stock and the coupon use the order took."""
    now = timezone.now()
    for item in order.items.exclude(product=None).order_by("product_id"):
        Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity, updated_at=now)
    if order.coupon_id:
        Coupon.objects.filter(pk=order.coupon_id, used_count__gt=0).update(
            used_count=F("used_count") - 1, updated_at=now
        )


def _order_transition(*, order: Order, status: str, user) -> Order:
    if status not in ORDER_TRANSITIONS.get(order.status, set()):
        message = f"An order that is {order.status} cannot become {status}"
        raise Conflict(message, {"status": [message]})
    previous = order.status
    if status == Status.CANCELLED:
        _order_give_back(order)
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    notification_create(
        user=order.user,
        title=f"Order {order.number}: {Status(status).label.lower()}",
        message=STATUS_MESSAGES[status],
        order=order,
    )
    activity_log(
        action="order.cancelled" if status == Status.CANCELLED else "order.status_changed",
        description=f"Order {order.number}: {previous} → {status}",
        user=user,
    )
    return order


def order_status_set(*, order_id: int, status: str, user) -> Order:
    """Move an order along pending → preparing → out-for-delivery → delivered, or cancel it (admin)."""
    with transaction.atomic():
        order = order_get(order_id=order_id, user=user, for_update=True)
        return _order_transition(order=order, status=status, user=user)


def order_cancel(*, order_id: int, user) -> Order:
    """A customer may cancel their own order while it is pending; an admin also while preparing."""
    with transaction.atomic():
        order = order_get(order_id=order_id, user=user, for_update=True)
        if not user.is_staff and order.status != Status.PENDING:
            message = f"Only a pending order can be cancelled; this one is {order.status}"
            raise Conflict(message, {"status": [message]})
        return _order_transition(order=order, status=Status.CANCELLED, user=user)


# --- payments --------------------------------------------------------------------------------------
def payment_create(*, user, order_id: int, method: str) -> Payment:
    """Start paying one's own order: one pending payment at a time, for the order's total."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, user=user).first()
        if order is None:
            raise NotFound("Order not found")
        if order.status == Status.CANCELLED:
            raise Conflict("This order is cancelled and cannot be paid")
        if order.payment_status != Order.PaymentStatus.UNPAID:
            raise Conflict(f"This order is already {order.payment_status}")
        if order.payments.filter(status=Payment.Status.PENDING).exists():
            raise Conflict("A payment for this order is already pending")
        payment = Payment.objects.create(
            order=order, amount=order.total, method=method, transaction_ref=f"pay_{secrets.token_hex(12)}"
        )
        activity_log(
            action="payment.created",
            description=f"Payment {payment.transaction_ref} of {payment.amount} for order {order.number}",
            user=user,
        )
    return payment


def payment_set_status(
    *, status: str, payment_id: int | None = None, transaction_ref: str | None = None, user=None
) -> tuple[Payment, bool]:
    """Apply a payment's status change (admin PATCH or the provider's webhook).

    Returns (payment, changed). Asking for the status it already has changes nothing, so a
    repeated webhook is harmless; an impossible transition is a Conflict.
    """
    lookup = {"pk": payment_id} if payment_id is not None else {"transaction_ref": transaction_ref}
    with transaction.atomic():
        found = Payment.objects.filter(**lookup).values_list("pk", "order_id").first()
        if found is None:
            raise NotFound("Payment not found")
        payment_pk, order_pk = found
        # The order first, as payment_create does, so the two never wait on each other.
        order = Order.objects.select_for_update().get(pk=order_pk)
        payment = Payment.objects.select_for_update().get(pk=payment_pk)
        if payment.status == status:
            return payment, False
        if status not in PAYMENT_TRANSITIONS.get(payment.status, set()):
            message = f"A payment that is {payment.status} cannot become {status}"
            raise Conflict(message, {"status": [message]})

        payment.status = status
        if status == Payment.Status.COMPLETED:
            payment.completed_at = timezone.now()
        payment.save(update_fields=["status", "completed_at", "updated_at"])
        order_payment_status = ORDER_PAYMENT_STATUS.get(status)
        if order_payment_status is not None:
            order.payment_status = order_payment_status
            order.save(update_fields=["payment_status", "updated_at"])
        activity_log(
            action=f"payment.{status}",
            description=f"Payment {payment.transaction_ref} ({payment.amount}) for order {order.number}: {status}",
            user=user,
        )
    return payment, True
