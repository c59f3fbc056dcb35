from django.urls import path

import shop.api.converters  # noqa: F401 - registers <id:...>
from orders import api

urlpatterns = [
    path("coupons/active", api.CouponActiveApi.as_view(), name="coupons-active"),
    path("coupons/validate", api.CouponValidateApi.as_view(), name="coupons-validate"),
    path("coupons", api.CouponListApi.as_view(), name="coupons"),
    path("coupons/<id:coupon_id>", api.CouponDetailApi.as_view(), name="coupon-detail"),
    path("orders", api.OrderListApi.as_view(), name="orders"),
    path("orders/<id:order_id>", api.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<id:order_id>/cancel", api.OrderCancelApi.as_view(), name="order-cancel"),
    path("orders/<id:order_id>/status", api.OrderStatusApi.as_view(), name="order-status"),
    path("payments", api.PaymentListApi.as_view(), name="payments"),
    path("payments/webhook", api.PaymentWebhookApi.as_view(), name="payments-webhook"),
    path("payments/<id:payment_id>", api.PaymentDetailApi.as_view(), name="payment-detail"),
]
