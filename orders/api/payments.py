"""Payments over HTTP: the admins' list and status changes, and the provider's signed webhook.

Each view parses, calls one service or selector, and renders."""

import json

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from orders import selectors, services
from orders.serializers import PaymentCreateInput, PaymentOutput, PaymentStatusInput, PaymentWebhookInput
from orders.webhooks import webhook_signature_valid
from shop.api import examples as ex
from shop.api.inputs import whole_patch
from shop.api.pagination import paginate
from shop.api.permissions import IsAdmin
from shop.api.query import PAGE_QUERY, accepts_query
from shop.api.responses import ok
from shop.api.schema import envelope, error_responses
from shop.api.validation import validated_input
from shop.errors import NotAuthenticated


def payment_updated(payment, changed: bool):
    """The answer to a payment status change, whether it changed anything or was a repeat."""
    message = "Payment updated" if changed else "Payment already had this status"
    return ok({"payment": PaymentOutput(payment).data}, message)


PAYMENT = envelope("Payment", {"payment": PaymentOutput()})


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
