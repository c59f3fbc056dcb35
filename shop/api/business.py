"""The business row: anyone reads it (cached under business:info), admins change it."""

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from shop.api import examples as ex
from shop.api.permissions import IsAdminUnlessGet
from shop.api.responses import cached_read_response, ok
from shop.api.schema import envelope, error_responses
from shop.api.validation import validated_input
from shop.cached import business_info
from shop.selectors import business_get
from shop.serializers import BusinessInputSerializer, BusinessOutputSerializer
from shop.services import business_update

BUSINESS_ENVELOPE = envelope("Business", {"business": BusinessOutputSerializer()})


class BusinessApi(APIView):
    permission_classes = [IsAdminUnlessGet]

    @extend_schema(
        operation_id="business_retrieve",
        summary="The store: name, contact, hours, fees and tax",
        description="Public, no login needed. Cached under `business:info`. 404 until the store has been set up.",
        responses={
            200: envelope("BusinessInfo", {"business": BusinessOutputSerializer()}, cached=True),
            **error_responses(404),
        },
        examples=[ex.answer("Business retrieved", {"business": ex.BUSINESS, "fromCache": True})],
    )
    def get(self, request):
        return cached_read_response(request, business_info, "Business retrieved")

    @extend_schema(
        operation_id="business_update",
        summary="Replace the business settings (admin)",
        description=(
            "Replaces every field (`name` is required; fields not given take their defaults); creates the row if "
            "the store has none yet. Clears `business:info`."
        ),
        request=BusinessInputSerializer,
        responses={200: BUSINESS_ENVELOPE, **error_responses(400, 401, 403)},
        examples=[
            ex.request({k: v for k, v in ex.BUSINESS.items() if k != "updated_at"}),
            ex.answer("Business updated", {"business": ex.BUSINESS}),
        ],
    )
    def put(self, request):
        return self._write(request, partial=False)

    @extend_schema(
        operation_id="business_partial_update",
        summary="Change some business settings (admin)",
        description="Only the fields given change. 404 until the store has been set up (use PUT).",
        request=BusinessInputSerializer(partial=True),
        responses={200: BUSINESS_ENVELOPE, **error_responses(400, 401, 403, 404)},
        examples=[
            ex.request(ex.BUSINESS_CHANGE, "Closed on Sundays, cheaper delivery"),
            ex.answer("Business updated", {"business": {**ex.BUSINESS, **ex.BUSINESS_CHANGE}}),
        ],
    )
    def patch(self, request):
        return self._write(request, partial=True)

    def _write(self, request, *, partial: bool):
        data = validated_input(BusinessInputSerializer, request.data, instance=business_get(), partial=partial)
        business = business_update(data=data, partial=partial, user=request.user)
        return ok({"business": BusinessOutputSerializer(business).data}, "Business updated")
