from shop.cache import declare

COUPONS_ACTIVE = declare("coupons:active", pattern="coupons:active", ttl=600, clears_on=["orders.Coupon"])
