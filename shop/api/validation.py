"""Running an input serializer: a view's one line between the request body and a service's arguments."""

from rest_framework import serializers


def validated_input(
    serializer_class: type[serializers.Serializer], data, *, instance=None, partial: bool = False
) -> dict:
    """The serializer's validated data; invalid input raises ValidationError (the envelope's 400)."""
    serializer = serializer_class(instance, data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
