"""Coupons over HTTP: the active list, validation, and the admins' CRUD.

Each view parses, calls one service or selector, and renders."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from orders import cached, selectors, services
from orders.serializers import CouponInput, CouponOutput, CouponValidateInput
from shop.api import examples as ex
from shop.api.pagination import paginate
from shop.api.permissions import IsAdmin
from shop.api.query import PAGE_QUERY, accepts_query
from shop.api.responses import cached_read_response, ok
from shop.api.schema import envelope, error_responses
from shop.api.throttling import ScopedSettingsRateThrottle
from shop.api.validation import validated_input


def coupon_data(coupon) -> dict:
    return {"coupon": CouponOutput(coupon).data}


COUPON = envelope("Coupon", {"coupon": CouponOutput()})


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
