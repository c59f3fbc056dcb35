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
from shop.api import examples as ex
from shop.api.inputs import whole_patch
from shop.api.pagination import paginate
from shop.api.permissions import IsAdmin
from shop.api.query import PAGE_QUERY, Choice, accepts_query
from shop.api.responses import cached_read_response, ok
from shop.api.schema import envelope, error_responses
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


ORDER_LIST_QUERY = PAGE_QUERY.extend(
    status=Choice(Order.Status.values, description="Only orders in this status (admins; customers see their own).")
)

COUPON = envelope("Coupon", {"coupon": CouponOutput()})
ORDER = envelope("Order", {"order": OrderOutput()})
PAYMENT = envelope("Payment", {"payment": PaymentOutput()})


# --- coupons ---------------------------------------------------------------------------------------
class CouponActiveApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="coupons_active",
        summary="Coupons valid now",
        description="Public, no login needed; cached under `coupons:active`. Active, within their dates, not used up.",
        responses={200: envelope("ActiveCoupons", {"coupons": CouponOutput(many=True)}, cached=True)},
        examples=[ex.answer("Active coupons retrieved", {"coupons": [ex.COUPON], "fromCache": True})],
    )
    def get(self, request):
        return cached_read_response(request, cached.coupon_active_list, "Active coupons retrieved")


class CouponValidateApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedSettingsRateThrottle]
    throttle_scope = "coupon_validate"

    @extend_schema(
        operation_id="coupons_validate",
        summary="What a coupon takes off a subtotal",
        description=(
            "Checked against the database, never cached. An unusable code is still 200, with `valid: false` "
            "and the `reason`."
        ),
        request=CouponValidateInput,
        examples=[
            ex.request({"code": "WELCOME10", "subtotal": "42.00"}),
            ex.answer("Coupon is valid", {"valid": True, "discount": "4.20", "coupon": ex.COUPON}),
        ],
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
        description="All coupons, active or not, by code; paginated.",
        examples=[ex.answer("Coupons retrieved", ex.page("coupons", [ex.COUPON]))],
        responses={
            200: envelope("CouponList", {"coupons": CouponOutput(many=True)}, paginated=True),
            **error_responses(400, 401, 403),
        },
    )
    @accepts_query(PAGE_QUERY)
    def get(self, request):
        page = paginate(
            selectors.coupon_list(), request.query, lambda rows: CouponOutput(rows, many=True).data, "coupons"
        )
        return ok(page, "Coupons retrieved")

    @extend_schema(
        operation_id="coupons_create",
        summary="Create a coupon (admin)",
        description=(
            "Codes are unique regardless of case. `value` is a percentage (at most 100) or a fixed amount, "
            "greater than 0; `valid_until` after `valid_from`; `max_discount` null for no cap."
        ),
        request=CouponInput,
        responses={201: COUPON, **error_responses(400, 401, 403)},
        examples=[ex.request(ex.COUPON_INPUT), ex.answer("Coupon created", {"coupon": ex.COUPON_NEW}, status=201)],
    )
    def post(self, request):
        coupon = services.coupon_create(user=request.user, **validated_input(CouponInput, request.data))
        return ok(coupon_data(coupon), "Coupon created", status=201)


class CouponDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="coupons_retrieve",
        summary="One coupon (admin)",
        description="Active or not, with how often it has been used.",
        responses={200: COUPON, **error_responses(401, 403, 404)},
        examples=[ex.answer("Coupon retrieved", {"coupon": ex.COUPON})],
    )
    def get(self, request, coupon_id: int):
        return ok(coupon_data(selectors.coupon_get(coupon_id=coupon_id)), "Coupon retrieved")

    @extend_schema(
        operation_id="coupons_update",
        summary="Replace a coupon (admin)",
        description="The same rules as creating one; `used_count` is kept (a limit below it is 400).",
        request=CouponInput,
        responses={200: COUPON, **error_responses(400, 401, 403, 404)},
        examples=[
            ex.request({**ex.COUPON_INPUT, "usage_limit": 800}),
            ex.answer("Coupon updated", {"coupon": {**ex.COUPON_NEW, "usage_limit": 800}}),
        ],
    )
    def put(self, request, coupon_id: int):
        return self._update(request, coupon_id, partial=False)

    @extend_schema(
        operation_id="coupons_partial_update",
        summary="Change some of a coupon's fields (admin)",
        description="Only the fields given change; the rules hold for the result.",
        request=CouponInput(partial=True),
        responses={200: COUPON, **error_responses(400, 401, 403, 404)},
        examples=[
            ex.request({"is_active": False}, "Switch off"),
            ex.answer("Coupon updated", {"coupon": {**ex.COUPON, "is_active": False}}),
        ],
    )
    def patch(self, request, coupon_id: int):
        return self._update(request, coupon_id, partial=True)

    def _update(self, request, coupon_id: int, *, partial: bool):
        coupon = selectors.coupon_get(coupon_id=coupon_id)
        fields = validated_input(CouponInput, request.data, partial=partial)
        coupon = services.coupon_update(coupon=coupon, user=request.user, **fields)
        return ok(coupon_data(coupon), "Coupon updated")

    @extend_schema(
        operation_id="coupons_destroy",
        summary="Delete a coupon (admin)",
        description="Orders that used it keep its code.",
        responses={200: envelope("CouponDeleted"), **error_responses(401, 403, 404)},
        examples=[ex.answer("Coupon deleted", None)],
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
        summary="Your orders (admins: everyone's), newest first",
        description="Paginated, never cached; `status` filters.",
        examples=[ex.answer("Orders retrieved", ex.page("orders", [ex.ORDER]))],
        responses={
            200: envelope("OrderList", {"orders": OrderOutput(many=True)}, paginated=True),
            **error_responses(400, 401),
        },
    )
    @accepts_query(ORDER_LIST_QUERY)
    def get(self, request):
        orders = selectors.order_list(user=request.user, status=request.query.get("status"))
        page = paginate(orders, request.query, lambda rows: OrderOutput(rows, many=True).data, "orders")
        return ok(page, "Orders retrieved")

    @extend_schema(
        operation_id="orders_create",
        summary="Place an order",
        description=(
            "Priced on the server from the database (client prices are ignored); all or nothing. An unknown or "
            "inactive product, short stock, a used-up coupon, more than MAX_OPEN_ORDERS unpaid orders or a closed "
            "store is 409 with nothing written; a coupon that is not valid now, a subtotal under the store's minimum "
            "or a total beyond what an order can hold is 400. Stock is held for ORDER_HOLD_MINUTES until paid. "
            "The same product on two lines counts as one line. Rate limited per customer (429)."
        ),
        request=OrderPlaceInput,
        responses={201: ORDER, **error_responses(400, 401, 409, 429)},
        examples=[
            ex.request(ex.ORDER_PLACE, "Demo store order"),
            ex.answer("Order placed", {"order": ex.ORDER}, status=201),
        ],
    )
    def post(self, request):
        order = services.order_place(user=request.user, **validated_input(OrderPlaceInput, request.data))
        return ok(order_data(order), "Order placed", status=201)


class OrderDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_retrieve",
        summary="One order",
        description="Your own (admins: any). Another customer's order is 404, as if it did not exist.",
        responses={200: ORDER, **error_responses(401, 404)},
        examples=[ex.answer("Order retrieved", {"order": ex.ORDER})],
    )
    def get(self, request, order_id: int):
        return ok(order_data(selectors.order_get(user=request.user, order_id=order_id)), "Order retrieved")


class OrderCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_cancel",
        summary="Cancel an order",
        description=(
            "Its customer while it is pending and unpaid (a paid order is 409: the store cancels and refunds it); "
            "an admin while pending or preparing, which marks a completed payment refunded. Anything else is 409. "
            "The stock and the coupon use go back."
        ),
        request=None,
        responses={200: ORDER, **error_responses(401, 404, 409)},
        examples=[ex.answer("Order cancelled", {"order": {**ex.ORDER, "status": "cancelled"}})],
    )
    def post(self, request, order_id: int):
        order = services.order_cancel(order_id=order_id, user=request.user)
        return ok(order_data(order), "Order cancelled")


class OrderStatusApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="orders_status_update",
        summary="Move an order along its status flow (admin)",
        description=(
            "pending → preparing → out-for-delivery → delivered; pending or preparing → cancelled. Any other "
            "move is 409. The customer gets a notification."
        ),
        request=whole_patch(OrderStatusInput),
        responses={200: ORDER, **error_responses(400, 401, 403, 404, 409)},
        examples=[
            ex.request({"status": "preparing"}),
            ex.answer("Order status updated", {"order": {**ex.ORDER, "status": "preparing"}}),
        ],
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
        summary="Your payments (admins: everyone's), newest first",
        description="Paginated, never cached.",
        examples=[ex.answer("Payments retrieved", ex.page("payments", [ex.PAYMENT_COMPLETED]))],
        responses={
            200: envelope("PaymentList", {"payments": PaymentOutput(many=True)}, paginated=True),
            **error_responses(400, 401),
        },
    )
    @accepts_query(PAGE_QUERY)
    def get(self, request):
        payments = selectors.payment_list(user=request.user)
        page = paginate(payments, request.query, lambda rows: PaymentOutput(rows, many=True).data, "payments")
        return ok(page, "Payments retrieved")

    @extend_schema(
        operation_id="payments_create",
        summary="Start paying your order",
        description=(
            "A pending payment for the order's total, with the `transaction_ref` the provider's webhook will "
            "name. Someone else's order is 404; a cancelled or paid order, or one with a pending payment, 409."
        ),
        request=PaymentCreateInput,
        responses={201: PAYMENT, **error_responses(400, 401, 404, 409)},
        examples=[
            ex.request({"order_id": 1501, "method": "card"}),
            ex.answer("Payment created", {"payment": ex.PAYMENT}, status=201),
        ],
    )
    def post(self, request):
        payment = services.payment_create(user=request.user, **validated_input(PaymentCreateInput, request.data))
        return ok({"payment": PaymentOutput(payment).data}, "Payment created", status=201)


class PaymentDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="payments_status_update",
        summary="Set a payment's status (admin)",
        description=(
            "pending → completed or failed, completed → refunded; the same status again is a 200 that "
            "changes nothing; anything else 409. A completed payment marks its order paid (`refund_due` if the "
            "order was cancelled meanwhile)."
        ),
        request=whole_patch(PaymentStatusInput),
        responses={200: PAYMENT, **error_responses(400, 401, 403, 404, 409)},
        examples=[
            ex.request({"status": "completed"}),
            ex.answer("Payment updated", {"payment": ex.PAYMENT_COMPLETED}),
        ],
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
        operation_id="payments_webhook",
        summary="The payment provider's callback",
        description=(
            "For the provider, not for apps. The body is signed: `X-Signature: sha256=<hex HMAC-SHA256 of the raw "
            "body under PAYMENT_WEBHOOK_SECRET>`; a missing or wrong signature is 401. Idempotent: a repeat of an "
            "applied change is 200 again. Same transitions as the admin's status change."
        ),
        examples=[
            ex.request({"transaction_ref": ex.PAYMENT["transaction_ref"], "status": "completed"}),
            ex.answer("Payment updated", {"payment": ex.PAYMENT_COMPLETED}),
        ],
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
