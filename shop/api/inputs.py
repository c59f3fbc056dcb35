"""Input serializers that accept exactly what the OpenAPI schema declares.

DRF's fields are generous: a BooleanField takes "yes" and 1, an IntegerField "5" and 5.0, a CharField
a number, a DecimalField " 1_000." or 1e2. A generated client then sends what the schema allows and a
fuzzer finds what it does not. Here, before DRF's own validation, every value given must have its
field's JSON type, money is a decimal string in one plain form (`decimal_pattern`, which the schema
publishes as the field's `pattern`), times are RFC 3339 with an offset, and keys that are not
writable fields are errors (a typo in a field name is a 400, never silently ignored). All problems
are reported together.
"""

import re
from collections.abc import Mapping
from decimal import Decimal

from rest_framework import serializers
from rest_framework.fields import empty

RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


# A web address Django's URLValidator accepts, in a form a JSON schema can state (and every match is an
# RFC 3986 URI): http(s), a dotted host name ending in a letters-only top-level label, an optional port,
# path and query; no user info, no IP address, no fragment, no spaces.
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_URL_CHARS = r"[A-Za-z0-9._~:/@!$&'()*+,;=-]"
URL_PATTERN = rf"^https?://({_LABEL}\.)+[A-Za-z]{{2,63}}(:[0-9]{{1,5}})?(/{_URL_CHARS}*)?(\?({_URL_CHARS}|\?)*)?$"


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The plain form of an amount for `field`: no exponent, no leading zeros, no sign unless the
    field takes negative values, at most its whole digits and decimal places; a `max_value` that is a
    power of ten (100 for a percentage) is part of the pattern."""
    places = field.decimal_places or 0
    whole = (field.max_digits - places) if field.max_digits is not None else 18
    fraction = rf"(\.[0-9]{{1,{places}}})?" if places else ""
    sign = "-?" if field.min_value is None or field.min_value < 0 else ""
    top = _power_of_ten_exponent(field.max_value)
    if top is not None and top < whole:
        below = "0" if top == 0 else rf"(0|[1-9][0-9]{{0,{top - 1}}})"
        exact = "1" + "0" * top + (rf"(\.0{{1,{places}}})?" if places else "")
        return rf"^{sign}({below}{fraction}|{exact})$"
    number = "0" if whole == 0 else rf"(0|[1-9][0-9]{{0,{whole - 1}}})"
    return rf"^{sign}{number}{fraction}$"


def _power_of_ten_exponent(value) -> int | None:
    if value is None:
        return None
    value = Decimal(value)
    exponent = len(str(int(value))) - 1
    return exponent if value == Decimal(10) ** exponent else None


def json_type_error(field: serializers.Field, value) -> str | None:
    """Why `value` (from parsed JSON) cannot be `field`'s input, or None."""
    if value is None:
        return None  # DRF's allow_null decides
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else "Must be a whole number."
    if isinstance(field, serializers.DecimalField):
        if isinstance(value, str) and re.fullmatch(decimal_pattern(field)[1:-1], value):
            return None
        return 'Must be an amount written as a string, such as "12.50".'
    if isinstance(field, serializers.URLField):
        if isinstance(value, str) and (value == "" and field.allow_blank or re.fullmatch(URL_PATTERN[1:-1], value)):
            return None
        return "Must be an http(s) address such as https://example.com/logo.png."
    if isinstance(field, serializers.DateTimeField):
        if isinstance(value, str) and RFC3339.fullmatch(value):
            return None
        return "Must be a date and time with its offset, such as 2026-01-31T18:00:00Z."
    if isinstance(field, serializers.CharField | serializers.ChoiceField):
        return None if isinstance(value, str) else "Must be a string."
    return None


class RejectUnknownFieldsMixin:
    # A comment, not a docstring: drf-spectacular would copy a docstring into every input schema.
    # Keys that are not writable fields, and values of the wrong JSON type, fail validation, reported
    # together with the other fields' errors (nested serializers included).
    def to_internal_value(self, data):
        errors = {}
        if isinstance(data, Mapping):
            writable = {name: field for name, field in self.fields.items() if not field.read_only}
            for key in sorted(str(key) for key in data if key not in writable):
                errors[key] = ["Unknown field."]
            for name, field in writable.items():
                message = json_type_error(field, data.get(name, empty)) if name in data else None
                if message:
                    errors[name] = [message]
            data = {key: value for key, value in data.items() if key in writable and key not in errors}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if errors and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **errors}) from None
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


class StrictInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class StrictInputModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    pass


def whole_patch(serializer_class):
    """For `@extend_schema(request=...)` of a PATCH whose body is not partial (every required field
    required, as for a status change): the schema keeps the fields required."""
    serializer = serializer_class()
    serializer.whole_patch = True
    return serializer
