"""Writes of the orders app, one module per entity: `coupons`, `orders` (with `order_numbers`), `payments`.

Services are the only writers: keyword-only functions named `<entity>_<action>`, each in one
transaction, raising domain errors from `shop.errors`. Callers import them from here.
"""

from orders.services.coupons import (
    coupon_create,
    coupon_delete,
    coupon_update,
    coupon_use_give_back,
    coupon_use_take,
)
from orders.services.order_numbers import order_number_format, order_number_next, order_numbers_reserve
from orders.services.orders import (
    ORDER_TRANSITIONS,
    STATUS_MESSAGES,
    order_cancel,
    order_holds_expire,
    order_place,
    order_status_set,
)
from orders.services.payments import PAYMENT_TRANSITIONS, payment_create, payment_set_status, payments_refund_completed

__all__ = [
    "ORDER_TRANSITIONS",
    "PAYMENT_TRANSITIONS",
    "STATUS_MESSAGES",
    "coupon_create",
    "coupon_delete",
    "coupon_update",
    "coupon_use_give_back",
    "coupon_use_take",
    "order_cancel",
    "order_holds_expire",
    "order_number_format",
    "order_number_next",
    "order_numbers_reserve",
    "order_place",
    "order_status_set",
    "payment_create",
    "payment_set_status",
    "payments_refund_completed",
]
