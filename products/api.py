"""Products API: parse, call one selector or service, render the envelope."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from products import cached
from products.filters import BOOLEAN_CHOICES, ORDERINGS, product_filter_params
from products.selectors import product_get
from products.serializers import ProductInputSerializer, ProductOutputSerializer
from products.services import product_create, product_delete, product_update
from shop.api.permissions import IsAdmin, IsAdminUnlessGet, is_admin
from shop.api.responses import cached_ok, cached_read_response, ok
from shop.api.schema import PAGE_PARAMETERS, envelope, error_responses
from shop.api.validation import validated_input
from shop.errors import NotFound

PRODUCT_ENVELOPE = envelope("Product", {"product": ProductOutputSerializer()})
PRODUCT_CACHED_ENVELOPE = envelope("ProductDetail", {"product": ProductOutputSerializer()}, cached=True)
PRODUCT_LIST_ENVELOPE = envelope(
    "ProductList",
    {
        "products": ProductOutputSerializer(many=True),
        "count": serializers.IntegerField(),
        "page": serializers.IntegerField(required=False, help_text="Only when a query string is given."),
        "pages": serializers.IntegerField(required=False, help_text="Only when a query string is given."),
    },
    cached=True,
)
FILTER_PARAMETERS = [
    OpenApiParameter("category", OpenApiTypes.STR, description="Exact category."),
    OpenApiParameter("search", OpenApiTypes.STR, description="Case-insensitive match in name or description."),
    OpenApiParameter("min_price", OpenApiTypes.DECIMAL, description="Lowest price, e.g. 10.00."),
    OpenApiParameter("max_price", OpenApiTypes.DECIMAL, description="Highest price."),
    OpenApiParameter("in_stock", OpenApiTypes.STR, enum=[c for c, _ in BOOLEAN_CHOICES]),
    OpenApiParameter("ordering", OpenApiTypes.STR, enum=ORDERINGS, description="Default: name."),
    *PAGE_PARAMETERS,
]


class ProductListCreateApi(APIView):
    def get_permissions(self):
        return [IsAdmin()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(
        operation_id="products_list",
        summary="Active products: all of them (no query string, cached under products:all) or filtered and paginated",
        parameters=FILTER_PARAMETERS,
        responses={200: PRODUCT_LIST_ENVELOPE, **error_responses(400, 503)},
    )
    def get(self, request):
        if not request.query_params:
            return cached_read_response(request, cached.product_list_all, "Products retrieved")
        params = product_filter_params(request.query_params)
        return cached_read_response(request, cached.product_list_filtered, "Products retrieved", **params)

    @extend_schema(
        operation_id="products_create",
        summary="Create a product (admin); the slug is made from the name when absent",
        request=ProductInputSerializer,
        responses={201: PRODUCT_ENVELOPE, **error_responses(400, 401, 403, 409)},
    )
    def post(self, request):
        product = product_create(data=validated_input(ProductInputSerializer, request.data), user=request.user)
        return ok({"product": ProductOutputSerializer(product).data}, "Product created", status=201)


class ProductDetailApi(APIView):
    permission_classes = [IsAdminUnlessGet]

    @extend_schema(
        operation_id="products_retrieve",
        summary="One product (cached under products:{id}); inactive ones only for admins",
        responses={200: PRODUCT_CACHED_ENVELOPE, **error_responses(404)},
    )
    def get(self, request, product_id: int):
        if is_admin(request.user):
            return cached_read_response(request, cached.product_detail, "Product retrieved", product_id=product_id)
        detail = cached.product_detail(product_id=product_id)
        if not detail.data["product"]["is_active"]:
            raise NotFound("Product not found")
        return cached_ok(request, detail, "Product retrieved")

    @extend_schema(
        operation_id="products_update",
        summary="Replace a product (admin)",
        request=ProductInputSerializer,
        responses={200: PRODUCT_ENVELOPE, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request, product_id: int):
        return self._update(request, product_id, partial=False)

    @extend_schema(
        operation_id="products_partial_update",
        summary="Change some fields of a product (admin)",
        request=ProductInputSerializer(partial=True),
        responses={200: PRODUCT_ENVELOPE, **error_responses(400, 401, 403, 404, 409)},
    )
    def patch(self, request, product_id: int):
        return self._update(request, product_id, partial=True)

    @extend_schema(
        operation_id="products_destroy",
        summary="Delete a product (admin); answers with the deleted product",
        responses={200: PRODUCT_ENVELOPE, **error_responses(401, 403, 404)},
    )
    def delete(self, request, product_id: int):
        product = product_delete(product_id=product_id, user=request.user)
        return ok({"product": ProductOutputSerializer(product).data}, "Product deleted")

    def _update(self, request, product_id: int, *, partial: bool):
        data = validated_input(
            ProductInputSerializer, request.data, instance=product_get(product_id=product_id), partial=partial
        )
        product = product_update(product_id=product_id, data=data, user=request.user)
        return ok({"product": ProductOutputSerializer(product).data}, "Product updated")
