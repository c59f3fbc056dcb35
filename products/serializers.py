from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from products.models import Product
from shop.serializers import StrictInputModelSerializer

PRODUCT_FIELDS = [
    "id",
    "name",
    "slug",
    "description",
    "category",
    "price",
    "stock",
    "is_active",
    "image_url",
    "created_at",
    "updated_at",
]

POSTGRES_INT_MAX = 2**31 - 1


@extend_schema_serializer(component_name="Product")
class ProductOutputSerializer(serializers.ModelSerializer):
    image_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS
        read_only_fields = fields


class ProductInputSerializer(StrictInputModelSerializer):
    """Create (every required field) and update (PUT: all required; PATCH: any). The slug is optional."""

    slug = serializers.SlugField(max_length=220, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    stock = serializers.IntegerField(min_value=0, max_value=POSTGRES_INT_MAX, required=False)

    class Meta:
        model = Product
        fields = ["name", "slug", "description", "category", "price", "stock", "is_active", "image_url"]

    def validate_slug(self, value: str) -> str:
        taken = Product.objects.filter(slug=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("A product with this slug already exists.")
        return value
