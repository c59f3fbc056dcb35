"""Coupons, orders and payments over HTTP: parse, call one service or selector, render."""

import json

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from orders import cached, selectors, services
from orders.models import Order
from orders.serializers import (
    CouponInput,
    CouponOutput,
    CouponValidateInput,
    OrderOutput,
    OrderPlaceInput,
    OrderStatusInput,
    PaymentCreateInput,
    PaymentOutput,
    PaymentStatusInput,
    PaymentWebhookInput,
)
from orders.webhooks import webhook_signature_valid
from shop.api.pagination import paginate
from shop.api.permissions import IsAdmin
from shop.api.responses import cached_read_response, ok
from shop.api.schema import PAGE_PARAMETERS, envelope, error_responses
from shop.api.throttling import ScopedSettingsRateThrottle
from shop.api.validation import validated_input
from shop.errors import NotAuthenticated


def coupon_data(coupon) -> dict:
    return {"coupon": CouponOutput(coupon).data}


def order_data(order) -> dict:
    return {"order": OrderOutput(order).data}


def payment_updated(payment, changed: bool):
    """The answer to a payment status change, whether it changed anything or was a repeat."""
    message = "Payment updated" if changed else "Payment already had this status"
    return ok({"payment": PaymentOutput(payment).data}, message)


COUPON = envelope("Coupon", {"coupon": CouponOutput()})
ORDER = envelope("Order", {"order": OrderOutput()})
PAYMENT = envelope("Payment", {"payment": PaymentOutput()})


# --- coupons ---------------------------------------------------------------------------------------
class CouponActiveApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Coupons valid now (cached: coupons:active)",
        responses={200: envelope("ActiveCoupons", {"coupons": CouponOutput(many=True)}, cached=True)},
    )
    def get(self, request):
        return cached_read_response(request, cached.coupon_active_list, "Active coupons retrieved")


class CouponValidateApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedSettingsRateThrottle]
    throttle_scope = "coupon_validate"

    @extend_schema(
        summary="What a coupon takes off a subtotal, checked against the database",
        request=CouponValidateInput,
        responses={
            200: envelope(
                "CouponCheck",
                {
                    "valid": serializers.BooleanField(),
                    "discount": serializers.DecimalField(max_digits=12, decimal_places=2),
                    "reason": serializers.CharField(required=False),
                    "coupon": CouponOutput(required=False),
                },
            ),
            **error_responses(400, 401, 429),
        },
    )
    def post(self, request):
        data = validated_input(CouponValidateInput, request.data)
        result = selectors.coupon_check(code=data["code"], subtotal=data["subtotal"], user=request.user)
        return ok(result, "Coupon is valid" if result["valid"] else "Coupon cannot be used")


class CouponListApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="coupons_list",
        summary="Every coupon (admin)",
        parameters=PAGE_PARAMETERS,
        responses={
            200: envelope("CouponList", {"coupons": CouponOutput(many=True)}, paginated=True),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request):
        page = paginate(
            selectors.coupon_list(), request.query_params, lambda rows: CouponOutput(rows, many=True).data, "coupons"
        )
        return ok(page, "Coupons retrieved")

    @extend_schema(
        summary="Create a coupon (admin)",
        request=CouponInput,
        responses={201: COUPON, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        coupon = services.coupon_create(user=request.user, **validated_input(CouponInput, request.data))
        return ok(coupon_data(coupon), "Coupon created", status=201)


class CouponDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(summary="One coupon (admin)", responses={200: COUPON, **error_responses(401, 403, 404)})
    def get(self, request, coupon_id: int):
        return ok(coupon_data(selectors.coupon_get(coupon_id=coupon_id)), "Coupon retrieved")

    @extend_schema(
        summary="Replace a coupon (admin)",
        request=CouponInput,
        responses={200: COUPON, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request, coupon_id: int):
        return self._update(request, coupon_id, partial=False)

    @extend_schema(
        summary="Change some of a coupon's fields (admin)",
        request=CouponInput(partial=True),
        responses={200: COUPON, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, coupon_id: int):
        return self._update(request, coupon_id, partial=True)

    def _update(self, request, coupon_id: int, *, partial: bool):
        coupon = selectors.coupon_get(coupon_id=coupon_id)
        fields = validated_input(CouponInput, request.data, partial=partial)
        coupon = services.coupon_update(coupon=coupon, user=request.user, **fields)
        return ok(coupon_data(coupon), "Coupon updated")

    @extend_schema(
        summary="Delete a coupon (admin); orders keep its code",
        responses={200: envelope("CouponDeleted"), **error_responses(401, 403, 404)},
    )
    def delete(self, request, coupon_id: int):
        services.coupon_delete(coupon=selectors.coupon_get(coupon_id=coupon_id), user=request.user)
        return ok(None, "Coupon deleted")


# --- orders ----------------------------------------------------------------------------------------
class OrderListApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedSettingsRateThrottle]
    throttle_scope = "order_place"

    def get_throttles(self):
        # Placing orders is rate limited per user; reading one's orders is not.
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        operation_id="orders_list",
        summary="Own orders (admins: all), newest first; never cached",
        parameters=[
            OpenApiParameter("status", str, enum=Order.Status.values, description="Filter by status"),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: envelope("OrderList", {"orders": OrderOutput(many=True)}, paginated=True),
            **error_responses(400, 401),
        },
    )
    def get(self, request):
        orders = selectors.order_list(user=request.user, status=request.query_params.get("status"))
        page = paginate(orders, request.query_params, lambda rows: OrderOutput(rows, many=True).data, "orders")
        return ok(page, "Orders retrieved")

    @extend_schema(
        summary="Place an order, priced on the server; all or nothing",
        request=OrderPlaceInput,
        responses={201: ORDER, **error_responses(400, 401, 409, 429)},
    )
    def post(self, request):
        order = services.order_place(user=request.user, **validated_input(OrderPlaceInput, request.data))
        return ok(order_data(order), "Order placed", status=201)


class OrderDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One order (owner or admin)", responses={200: ORDER, **error_responses(401, 404)})
    def get(self, request, order_id: int):
        return ok(order_data(selectors.order_get(user=request.user, order_id=order_id)), "Order retrieved")


class OrderCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Cancel an order (owner while pending; admin while pending or preparing); restocks",
        request=None,
        responses={200: ORDER, **error_responses(401, 404, 409)},
    )
    def post(self, request, order_id: int):
        order = services.order_cancel(order_id=order_id, user=request.user)
        return ok(order_data(order), "Order cancelled")


class OrderStatusApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        summary="Move an order along its status flow (admin); notifies the customer",
        request=OrderStatusInput,
        responses={200: ORDER, **error_responses(400, 401, 403, 404, 409)},
    )
    def patch(self, request, order_id: int):
        status = validated_input(OrderStatusInput, request.data)["status"]
        order = services.order_status_set(order_id=order_id, status=status, user=request.user)
        return ok(order_data(order), "Order status updated")


# --- payments --------------------------------------------------------------------------------------
class PaymentListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="payments_list",
        summary="Own payments (admins: all), newest first",
        parameters=PAGE_PARAMETERS,
        responses={
            200: envelope("PaymentList", {"payments": PaymentOutput(many=True)}, paginated=True),
            **error_responses(400, 401),
        },
    )
    def get(self, request):
        payments = selectors.payment_list(user=request.user)
        page = paginate(payments, request.query_params, lambda rows: PaymentOutput(rows, many=True).data, "payments")
        return ok(page, "Payments retrieved")

    @extend_schema(
        summary="Start paying one's own order (status pending, amount = order total)",
        request=PaymentCreateInput,
        responses={201: PAYMENT, **error_responses(400, 401, 404, 409)},
    )
    def post(self, request):
        payment = services.payment_create(user=request.user, **validated_input(PaymentCreateInput, request.data))
        return ok({"payment": PaymentOutput(payment).data}, "Payment created", status=201)


class PaymentDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        summary="Set a payment's status (admin): pending → completed|failed, completed → refunded",
        request=PaymentStatusInput,
        responses={200: PAYMENT, **error_responses(400, 401, 403, 404, 409)},
    )
    def patch(self, request, payment_id: int):
        status = validated_input(PaymentStatusInput, request.data)["status"]
        payment, changed = services.payment_set_status(payment_id=payment_id, status=status, user=request.user)
        return payment_updated(payment, changed)


class PaymentWebhookApi(APIView):
    """The provider's callback. The signature covers the raw bytes, so they are read before any parsing."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Payment provider webhook (HMAC-SHA256 signed, idempotent)",
        parameters=[
            OpenApiParameter(
                "X-Signature",
                str,
                location=OpenApiParameter.HEADER,
                required=True,
                description="sha256=<hex HMAC-SHA256 of the raw body under PAYMENT_WEBHOOK_SECRET>",
            )
        ],
        request=PaymentWebhookInput,
        responses={200: PAYMENT, **error_responses(400, 401, 404, 409)},
    )
    def post(self, request):
        body = request.body
        if not webhook_signature_valid(
            body=body, header=request.headers.get("X-Signature"), secret=settings.PAYMENT_WEBHOOK_SECRET
        ):
            raise NotAuthenticated("Invalid or missing webhook signature")
        try:
            payload = json.loads(body)
        except ValueError:
            raise ParseError("The body is not valid JSON.") from None
        data = validated_input(PaymentWebhookInput, payload)
        payment, changed = services.payment_set_status(transaction_ref=data["transaction_ref"], status=data["status"])
        return payment_updated(payment, changed)
