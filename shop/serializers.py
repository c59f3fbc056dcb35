"""Serializers of the store's core: users, the business row, notifications.

Input serializers reject keys they do not know (`StrictInputSerializer`): a typo in a field name
is a 400, never silently ignored.
"""

from collections.abc import Mapping

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from shop.models import Business, Notification, User


# Keys that are not writable fields fail validation, reported together with the other fields' errors
# (nested serializers included). A comment, not a docstring: drf-spectacular would copy a docstring
# into the schema of every input serializer.
class RejectUnknownFieldsMixin:
    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = {key: ["Unknown field."] for key in sorted(str(key) for key in data if key not in writable)}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StrictInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class StrictInputModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    pass


# --- users ---------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="User")
class UserOutputSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "phone", "role", "is_active", "date_joined"]
        read_only_fields = fields


class RegisterInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    name = serializers.CharField(max_length=150)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")

    def validate_email(self, value: str) -> str:
        return value.lower()

    def validate(self, attrs):
        candidate = User(email=attrs["email"], name=attrs["name"], phone=attrs.get("phone", ""))
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from None
        # Asked last, of a request that is otherwise a valid registration: a probe with a throwaway body
        # learns nothing about the address, and one that would pass creates a real (logged) account.
        if User.objects.filter(email__iexact=attrs["email"]).exists():
            raise serializers.ValidationError({"email": ["A user with this email already exists."]})
        return attrs


class LoginInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


class RefreshInputSerializer(StrictInputSerializer):
    refresh = serializers.CharField(max_length=2000)


class LogoutInputSerializer(StrictInputSerializer):
    refresh = serializers.CharField(max_length=2000, help_text="The refresh token to revoke (one of the caller's).")


# --- business ------------------------------------------------------------------------------------
BUSINESS_FIELDS = [
    "name",
    "description",
    "email",
    "phone",
    "address",
    "currency",
    "timezone",
    "opening_hours",
    "is_open",
    "delivery_fee",
    "min_order_amount",
    "tax_rate",
    "logo_url",
    "updated_at",
]


@extend_schema_serializer(component_name="Business")
class BusinessOutputSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text="An email address, or empty.")
    logo_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = Business
        fields = BUSINESS_FIELDS
        read_only_fields = fields


class BusinessInputSerializer(StrictInputModelSerializer):
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", required=False, error_messages={"invalid": "Use a 3-letter ISO 4217 code."}
    )
    opening_hours = serializers.JSONField(required=False)
    delivery_fee = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    min_order_amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)

    class Meta:
        model = Business
        fields = [f for f in BUSINESS_FIELDS if f != "updated_at"]

    def validate_currency(self, value: str) -> str:
        return value.upper()

    def validate_opening_hours(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError('Must be a JSON object, e.g. {"mon": "09:00-17:00"}.')
        if len(str(value)) > 5000:
            raise serializers.ValidationError("Too long.")
        return value


# --- notifications -------------------------------------------------------------------------------
@extend_schema_serializer(component_name="Notification")
class NotificationOutputSerializer(serializers.ModelSerializer):
    order_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "message", "order_id", "is_read", "created_at"]
        read_only_fields = fields
