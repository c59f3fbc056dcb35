"""Writes of orders: placing one, moving it along its status flow, cancelling, expiring unpaid holds.

Stock and coupon uses are taken with conditional `UPDATE ... SET x = x ± n WHERE <still possible>`
statements, so the database itself refuses to go below zero or past a limit, whatever the
concurrency. The cache needs no help: PostgreSQL's outbox triggers record every row these
statements change, and the cache layer applies them after the commit.
"""

from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from orders.models import Coupon, Order, OrderItem
from orders.pricing import MONEY_MAX, ZERO, OrderTotals, coupon_discount, order_totals, to_cents
from orders.selectors import order_get, orders_held
from orders.services.coupons import coupon_use_give_back, coupon_use_take
from orders.services.order_numbers import order_number_next
from orders.services.payments import payments_refund_completed
from products.models import Product
from shop.activity import activity_log
from shop.errors import ApplicationError, Conflict
from shop.notifications import notification_create
from shop.selectors import StoreSettings, store_settings

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

Line = tuple[Product, int, Decimal]  # product, quantity, line total


# --- placing ---------------------------------------------------------------------------------------
def _prefetched_items(order: Order, items: list[OrderItem]) -> None:
    """Hand `order.items` the rows just written, as prefetch_related would: the response is then
    built without a query after the commit, so a connection lost right after it can't turn a
    placed order into an error answer."""
    queryset = order.items.all()
    queryset._result_cache, queryset._prefetch_done = items, True
    order._prefetched_objects_cache = {"items": queryset}


def _open_store() -> StoreSettings:
    """The store's settings (through business:info), if it takes orders now."""
    store = store_settings()
    if not store.is_open:
        raise Conflict("The store is closed and not taking orders right now")
    return store


def _customer_holds_check(*, user) -> None:
    """A customer holds at most MAX_OPEN_ORDERS unpaid pending orders.

    Their user row is locked first (until commit), so two placements by one customer count one
    after the other: neither this count nor the coupon's per-customer count can be passed by
    placing orders at the same moment.
    """
    list(get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).order_by().values_list("pk"))
    limit = settings.MAX_OPEN_ORDERS
    if orders_held().filter(user=user).count() >= limit:
        message = f"You already have {limit} unpaid orders waiting; pay for or cancel one first"
        raise Conflict(message, {"orders": [message]})


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


def _priced_lines(
    quantities: dict[int, int], products: dict[int, Product], store: StoreSettings
) -> tuple[list[Line], Decimal]:
    """The lines at today's prices and their subtotal, which must reach the store's minimum."""
    lines = [(products[pid], qty, to_cents(products[pid].price * qty)) for pid, qty in quantities.items()]
    subtotal = sum((line_total for _, _, line_total in lines), ZERO)
    minimum = store.min_order_amount
    if subtotal < minimum:
        message = f"The minimum order is {minimum}; this order comes to {subtotal}"
        raise ApplicationError(message, {"items": [message]})
    return lines, subtotal


def _totals(*, subtotal: Decimal, coupon: Coupon | None, store: StoreSettings) -> OrderTotals:
    totals = order_totals(
        subtotal=subtotal,
        discount=coupon_discount(coupon=coupon, subtotal=subtotal) if coupon else ZERO,
        delivery_fee=store.delivery_fee,
        tax_rate=store.tax_rate,
    )
    if not totals.fit_the_money_columns():
        message = f"An order can come to at most {MONEY_MAX}; this one is {totals.total}"
        raise ApplicationError(message, {"items": [message]})
    return totals


def order_place(
    *,
    user,
    items: list[dict],
    delivery_address: str,
    payment_method: str,
    coupon_code: str = "",
    notes: str = "",
) -> Order:
    """Place an order priced from the database. All or nothing: stock, coupon use, number, order, items."""
    quantities: Counter[int] = Counter()
    for line in items:  # the same product on two lines is one line
        quantities[line["product_id"]] += line["quantity"]
    store = _open_store()
    now = timezone.now()
    with transaction.atomic():
        _customer_holds_check(user=user)
        lines, subtotal = _priced_lines(quantities, _stock_take(quantities=dict(quantities), now=now), store)
        coupon = None
        if coupon_code.strip():
            coupon = coupon_use_take(code=coupon_code, user=user, subtotal=subtotal, now=now)
        totals = _totals(subtotal=subtotal, coupon=coupon, store=store)
        order = Order.objects.create(
            # Numbered last: the day's sequence row stays locked from here to the commit.
            number=order_number_next(at=now, zone=store.timezone),
            user=user,
            coupon=coupon,
            coupon_code=coupon.code if coupon else "",
            **asdict(totals),
            payment_method=payment_method,
            delivery_address=delivery_address,
            notes=notes,
            created_at=now,
        )
        written = OrderItem.objects.bulk_create(
            OrderItem(order=order, product=p, name=p.name, unit_price=p.price, quantity=q, line_total=t)
            for p, q, t in lines
        )
        _prefetched_items(order, written)
        activity_log(
            action="order.placed",
            description=f"{user.email} placed order {order.number} ({order.total})",
            user=user,
            target=order,
        )
    return order


# --- the status flow -------------------------------------------------------------------------------
def _order_give_back(order: Order) -> None:
    """Cancelling returns the stock and the coupon use the order took."""
    now = timezone.now()
    for item in order.items.exclude(product=None).order_by("product_id"):
        Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity, updated_at=now)
    coupon_use_give_back(order=order, now=now)


def _order_transition(*, order: Order, status: str, user, why: str = "", action: str = "") -> Order:
    """Move a locked order to `status`. The store's own moves say `why` (to the customer and in the
    log) and log their own `action`."""
    if status not in ORDER_TRANSITIONS.get(order.status, set()):
        message = f"An order that is {order.status} cannot become {status}"
        raise Conflict(message, {"status": [message]})
    previous = order.status
    fields = ["status", "updated_at"]
    if status == Status.CANCELLED:
        _order_give_back(order)
        if order.payment_status == Order.PaymentStatus.PAID:
            payments_refund_completed(order=order, user=user)
            order.payment_status = Order.PaymentStatus.REFUNDED
            fields.append("payment_status")
    order.status = status
    order.save(update_fields=fields)
    notification_create(
        user=order.user,
        title=f"Order {order.number}: {Status(status).label.lower()}",
        message=f"{STATUS_MESSAGES[status]} {why}".strip(),
        order=order,
    )
    activity_log(
        action=action or ("order.cancelled" if status == Status.CANCELLED else "order.status_changed"),
        description=f"Order {order.number}: {previous} → {status}" + (f" ({why})" if why else ""),
        user=user,
        target=order,
    )
    return order


def order_status_set(*, order_id: int, status: str, user) -> Order:
    """Move an order along pending → preparing → out-for-delivery → delivered, or cancel it (admin).

    Cancelling a paid order refunds its completed payment.
    """
    with transaction.atomic():
        order = order_get(order_id=order_id, user=user, for_update=True)
        return _order_transition(order=order, status=status, user=user)


def order_cancel(*, order_id: int, user) -> Order:
    """A customer may cancel their own order while it is pending and unpaid; an admin also while
    preparing, and a paid one (its payment is refunded)."""
    with transaction.atomic():
        order = order_get(order_id=order_id, user=user, for_update=True)
        if not user.is_staff:
            if order.status != Status.PENDING:
                message = f"Only a pending order can be cancelled; this one is {order.status}"
                raise Conflict(message, {"status": [message]})
            if order.payment_status == Order.PaymentStatus.PAID:
                message = "This order is paid; ask the store to cancel it and refund the payment"
                raise Conflict(message, {"status": [message]})
        return _order_transition(order=order, status=Status.CANCELLED, user=user)


def order_holds_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cancel the holds (pending, unpaid) older than ORDER_HOLD_MINUTES: their stock and coupon use
    go back. Each order in its own transaction; one being changed right now is left for the next run.
    Returns how many were cancelled."""
    now = now or timezone.now()
    minutes = settings.ORDER_HOLD_MINUTES
    expired = orders_held().filter(created_at__lte=now - timedelta(minutes=minutes))
    cancelled = 0
    for order_id in list(expired.order_by("created_at", "id").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            # Still a hold once locked: a payment may have completed since the list was read.
            order = expired.select_for_update(of=("self",), skip_locked=True).select_related("user")
            order = order.filter(pk=order_id).first()
            if order is None:
                continue
            why = f"It was not paid within {minutes} minutes."
            _order_transition(order=order, status=Status.CANCELLED, user=None, why=why, action="order.expired")
            cancelled += 1
    return cancelled
