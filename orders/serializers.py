"""Input parsing and output shapes (API.md's `coupon`, `order`, `payment`) for the orders app."""

from rest_framework import serializers

from orders.models import Coupon, Order, OrderItem, Payment

MONEY = {"max_digits": 12, "decimal_places": 2}


# Input serializers refuse keys they do not declare: a client sending `price` learns it is not
# accepted. (A comment, not a docstring: drf-spectacular would copy a docstring into every schema.)
class StrictInput(serializers.Serializer):

    def to_internal_value(self, data):
        extra_keys = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        unknown = {key: ["Unknown field."] for key in extra_keys}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown})
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class JsonIntegerField(serializers.IntegerField):
    """A JSON integer: "5", 5.0 and true are refused rather than coerced."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonStringField(serializers.CharField):
    """A JSON string: numbers are refused rather than coerced."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- coupons ---------------------------------------------------------------------------------------
class CouponOutput(serializers.ModelSerializer):
    class Meta:
        model = Coupon
        fields = [
            "id",
            "code",
            "description",
            "discount_type",
            "value",
            "min_order_amount",
            "max_discount",
            "valid_from",
            "valid_until",
            "usage_limit",
            "used_count",
            "is_active",
        ]


class CouponInput(StrictInput):
    # Field types only; rules that need the other fields or the database live in the service.

    code = serializers.RegexField(r"^[A-Za-z0-9_-]+$", max_length=40)
    description = JsonStringField(max_length=300, required=False, allow_blank=True)
    discount_type = serializers.ChoiceField(choices=Coupon.DiscountType.choices)
    value = serializers.DecimalField(**MONEY)
    min_order_amount = serializers.DecimalField(**MONEY, required=False, min_value=0)
    max_discount = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    usage_limit = JsonIntegerField(required=False, allow_null=True, min_value=1, max_value=2_000_000_000)
    is_active = serializers.BooleanField(required=False)


class CouponValidateInput(StrictInput):
    code = JsonStringField(max_length=40)
    subtotal = serializers.DecimalField(**MONEY, min_value=0)


# --- orders ----------------------------------------------------------------------------------------
class OrderLineInput(StrictInput):
    product_id = JsonIntegerField(min_value=1, max_value=2_147_483_647)
    quantity = JsonIntegerField(min_value=1, max_value=1000)


class OrderPlaceInput(StrictInput):
    items = OrderLineInput(many=True, allow_empty=False, max_length=100)
    coupon_code = JsonStringField(max_length=40, required=False, allow_blank=True)
    delivery_address = JsonStringField(max_length=500)
    notes = JsonStringField(max_length=2000, required=False, allow_blank=True)
    payment_method = serializers.ChoiceField(choices=Order.PaymentMethod.choices)


class OrderStatusInput(StrictInput):
    status = serializers.ChoiceField(choices=Order.Status.choices)


class OrderItemOutput(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["product_id", "name", "unit_price", "quantity", "line_total"]


class OrderOutput(serializers.ModelSerializer):
    items = OrderItemOutput(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "user_id",
            "items",
            "subtotal",
            "discount",
            "delivery_fee",
            "tax",
            "total",
            "coupon_code",
            "status",
            "payment_status",
            "payment_method",
            "delivery_address",
            "notes",
            "created_at",
            "updated_at",
        ]


# --- payments --------------------------------------------------------------------------------------
class PaymentCreateInput(StrictInput):
    order_id = JsonIntegerField(min_value=1, max_value=2_147_483_647)
    method = serializers.ChoiceField(choices=Order.PaymentMethod.choices)


class PaymentStatusInput(StrictInput):
    status = serializers.ChoiceField(choices=Payment.Status.choices)


class PaymentWebhookInput(StrictInput):
    transaction_ref = JsonStringField(max_length=64)
    status = serializers.ChoiceField(choices=Payment.Status.choices)


class PaymentOutput(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "order_id", "amount", "method", "status", "transaction_ref", "created_at", "completed_at"]
