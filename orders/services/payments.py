"""Writes of payments: starting one, applying a status change (admin or webhook), refunds on cancel.

Money states: a completed payment makes its order `paid`; a refunded one `refunded`; a payment
that completes for an order already cancelled makes it `refund_due` (the store owes the money back).
"""

import secrets

from django.db import transaction
from django.utils import timezone

from orders.models import Order, Payment
from shop.activity import activity_log
from shop.errors import Conflict, NotFound

PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    Payment.Status.PENDING: {Payment.Status.COMPLETED, Payment.Status.FAILED},
    Payment.Status.COMPLETED: {Payment.Status.REFUNDED},
}
ORDER_PAYMENT_STATUS = {
    Payment.Status.COMPLETED: Order.PaymentStatus.PAID,
    Payment.Status.REFUNDED: Order.PaymentStatus.REFUNDED,
}


def _payment_logged(payment: Payment, order: Order, user, note: str = "") -> None:
    activity_log(
        action=f"payment.{payment.status}",
        description=(
            f"Payment {payment.transaction_ref} ({payment.amount}) for order {order.number}: {payment.status}{note}"
        ),
        user=user,
        target=payment,
    )


def payment_create(*, user, order_id: int, method: str) -> Payment:
    """Start paying one's own order: one pending payment at a time, for the order's total."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, user=user).first()
        if order is None:
            raise NotFound("Order not found")
        if order.status == Order.Status.CANCELLED:
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
            target=payment,
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
        # The order first, as payment_create and the order services do, so they never wait on each other.
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
        note = ""
        if status == Payment.Status.COMPLETED and order.status == Order.Status.CANCELLED:
            order_payment_status, note = Order.PaymentStatus.REFUND_DUE, " (the order is cancelled: refund due)"
        if order_payment_status is not None:
            order.payment_status = order_payment_status
            order.save(update_fields=["payment_status", "updated_at"])
        _payment_logged(payment, order, user, note)
    return payment, True


def payments_refund_completed(*, order: Order, user) -> list[Payment]:
    """Mark the completed payments of a (locked) order refunded, in the caller's transaction.

    The caller sets the order's own payment_status.
    """
    refunded = list(order.payments.select_for_update().filter(status=Payment.Status.COMPLETED))
    for payment in refunded:
        payment.status = Payment.Status.REFUNDED
        payment.save(update_fields=["status", "updated_at"])
        _payment_logged(payment, order, user, " (order cancelled)")
    return refunded
