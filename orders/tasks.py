"""Celery tasks of the orders app: thin, they call a service."""

from celery import shared_task

from orders.maintenance import coupons_deactivate_expired as coupons_deactivate_expired_service
from orders.services import order_holds_expire as order_holds_expire_service


@shared_task
def coupons_deactivate_expired() -> int:
    """Beat: deactivate coupons whose validity has ended (and clear coupons:active)."""
    return coupons_deactivate_expired_service()


@shared_task
def order_holds_expire() -> int:
    """Beat: cancel unpaid pending orders older than ORDER_HOLD_MINUTES (their stock and coupon use go back)."""
    return order_holds_expire_service()
