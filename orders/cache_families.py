"""The orders app's cache family: the coupons valid now."""

from shop.cache import Rows, declare

COUPONS_ACTIVE = declare("coupons:active", pattern="coupons:active", ttl=600, depends_on=[Rows("orders.Coupon")])
