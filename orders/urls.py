from django.urls import path

import shop.api.converters  # noqa: F401 - registers <id:...>
from orders.api import coupons, orders, payments

urlpatterns = [
    path("coupons/active", coupons.CouponActiveApi.as_view(), name="coupons-active"),
    path("coupons/validate", coupons.CouponValidateApi.as_view(), name="coupons-validate"),
    path("coupons", coupons.CouponListApi.as_view(), name="coupons"),
    path("coupons/<id:coupon_id>", coupons.CouponDetailApi.as_view(), name="coupon-detail"),
    path("orders", orders.OrderListApi.as_view(), name="orders"),
    path("orders/<id:order_id>", orders.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<id:order_id>/cancel", orders.OrderCancelApi.as_view(), name="order-cancel"),
    path("orders/<id:order_id>/status", orders.OrderStatusApi.as_view(), name="order-status"),
    path("payments", payments.PaymentListApi.as_view(), name="payments"),
    path("payments/webhook", payments.PaymentWebhookApi.as_view(), name="payments-webhook"),
    path("payments/<id:payment_id>", payments.PaymentDetailApi.as_view(), name="payment-detail"),
]
