"""Serializers of the store's core: users, the business row, notifications.

Input serializers accept exactly what the schema declares (`shop.api.inputs.StrictInputSerializer`):
a typo in a field name, or a value of the wrong JSON type, is a 400, never silently ignored or coerced.
"""

import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from shop.api.inputs import StrictInputModelSerializer, StrictInputSerializer
from shop.models import Business, Notification, User
from shop.opening_hours import CLOCK_TIME, DAY_TEXT_MAX, WEEKDAYS, opening_hours_problems


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
    # min_length as the password rules' minimum, so the schema states it too.
    password = serializers.CharField(min_length=8, max_length=128, trim_whitespace=False, write_only=True)
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


TIMEZONES = sorted(zoneinfo.available_timezones())
OPENING_HOURS_SCHEMA = {
    "type": "object",
    "description": (
        'Per weekday (mon … sun; absent or null: closed): "HH:MM-HH:MM" as the admin writes it, other text '
        'up to 50 characters, or {"open": "HH:MM", "close": "HH:MM"}.'
    ),
    "properties": {
        day: {
            "nullable": True,
            "anyOf": [
                {"type": "string", "maxLength": DAY_TEXT_MAX},
                {
                    "type": "object",
                    "properties": {
                        "open": {"type": "string", "pattern": CLOCK_TIME, "example": "08:00"},
                        "close": {"type": "string", "pattern": CLOCK_TIME, "example": "22:00"},
                    },
                    "required": ["open", "close"],
                    "additionalProperties": False,
                },
            ],
        }
        for day in WEEKDAYS
    },
    "additionalProperties": False,
    "example": dict.fromkeys(WEEKDAYS, "08:00-22:00"),
}


@extend_schema_field(OPENING_HOURS_SCHEMA)
class OpeningHoursField(serializers.JSONField):
    """`{"mon": {"open": "08:00", "close": "22:00"}, "tue": "9-17", "sun": null, ...}`: a bounded shape,
    so that no nesting, size or character can reach the database that the schema does not allow."""

    def to_internal_value(self, data):
        problems = opening_hours_problems(data)
        if problems:
            raise serializers.ValidationError(problems)
        return data


class BusinessInputSerializer(StrictInputModelSerializer):
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", required=False, error_messages={"invalid": "Use a 3-letter ISO 4217 code."}
    )
    timezone = serializers.ChoiceField(choices=TIMEZONES, required=False, help_text="An IANA time zone name.")
    opening_hours = OpeningHoursField(required=False)
    delivery_fee = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    min_order_amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)

    class Meta:
        model = Business
        fields = [f for f in BUSINESS_FIELDS if f != "updated_at"]

    def validate_currency(self, value: str) -> str:
        return value.upper()


# --- notifications -------------------------------------------------------------------------------
@extend_schema_serializer(component_name="Notification")
class NotificationOutputSerializer(serializers.ModelSerializer):
    order_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "message", "order_id", "is_read", "created_at"]
        read_only_fields = fields
