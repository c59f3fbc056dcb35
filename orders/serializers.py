"""Input parsing and output shapes (API.md's `coupon`, `order`, `payment`) for the orders app."""

from rest_framework import serializers

from orders.models import Coupon, Order, OrderItem, Payment
from shop.serializers import StrictInputSerializer

MONEY = {"max_digits": 12, "decimal_places": 2}


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
            "per_customer_limit",
            "is_active",
        ]


class CouponInput(StrictInputSerializer):
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
    per_customer_limit = JsonIntegerField(required=False, allow_null=True, min_value=1, max_value=2_000_000_000)
    is_active = serializers.BooleanField(required=False)


class CouponValidateInput(StrictInputSerializer):
    code = JsonStringField(max_length=40)
    subtotal = serializers.DecimalField(**MONEY, min_value=0)


# --- orders ----------------------------------------------------------------------------------------
class OrderLineInput(StrictInputSerializer):
    product_id = JsonIntegerField(min_value=1, max_value=2_147_483_647)
    quantity = JsonIntegerField(min_value=1, max_value=1000)


class OrderPlaceInput(StrictInputSerializer):
    items = OrderLineInput(many=True, allow_empty=False, max_length=100)
    coupon_code = JsonStringField(max_length=40, required=False, allow_blank=True)
    delivery_address = JsonStringField(max_length=500)
    notes = JsonStringField(max_length=2000, required=False, allow_blank=True)
    payment_method = serializers.ChoiceField(choices=Order.PaymentMethod.choices)


class OrderStatusInput(StrictInputSerializer):
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
class PaymentCreateInput(StrictInputSerializer):
    order_id = JsonIntegerField(min_value=1, max_value=2_147_483_647)
    method = serializers.ChoiceField(choices=Order.PaymentMethod.choices)


class PaymentStatusInput(StrictInputSerializer):
    status = serializers.ChoiceField(choices=Payment.Status.choices)


class PaymentWebhookInput(StrictInputSerializer):
    transaction_ref = JsonStringField(max_length=64)
    status = serializers.ChoiceField(choices=Payment.Status.choices)


class PaymentOutput(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "order_id", "amount", "method", "status", "transaction_ref", "created_at", "completed_at"]
