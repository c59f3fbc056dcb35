"""Products API: parse, call one selector or service, render the envelope."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from products import cached
from products.filters import PRODUCT_QUERY
from products.selectors import product_get
from products.serializers import ProductInputSerializer, ProductOutputSerializer
from products.services import product_create, product_delete, product_update
from shop.api import examples as ex
from shop.api.permissions import IsAdmin, IsAdminUnlessGet, is_admin
from shop.api.query import accepts_query
from shop.api.responses import cached_ok, cached_read_response, ok
from shop.api.schema import envelope, error_responses
from shop.api.validation import validated_input
from shop.errors import NotFound

PRODUCT_ENVELOPE = envelope("Product", {"product": ProductOutputSerializer()})
PRODUCT_CACHED_ENVELOPE = envelope("ProductDetail", {"product": ProductOutputSerializer()}, cached=True)
PRODUCT_LIST_ENVELOPE = envelope(
    "ProductList",
    {
        "products": ProductOutputSerializer(many=True),
        "count": serializers.IntegerField(min_value=0),
        "page": serializers.IntegerField(min_value=1, required=False, help_text="Only when a query string is given."),
        "pages": serializers.IntegerField(min_value=1, required=False, help_text="Only when a query string is given."),
    },
    cached=True,
)


class ProductListCreateApi(APIView):
    def get_permissions(self):
        return [IsAdmin()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(
        operation_id="products_list",
        summary="Active products, all or filtered",
        description=(
            "Public, no login needed. Without a query string: every active product (`products:all`, no "
            "`page`/`pages`). With one: filtered, sorted and paginated (`products:filter:{digest}`); the same "
            "parameters in any order are the same query. Unknown parameters, malformed values and "
            "min_price > max_price are 400."
        ),
        responses={200: PRODUCT_LIST_ENVELOPE, **error_responses(400, 503)},
        examples=[
            ex.answer(
                "Products retrieved",
                {**ex.page("products", [ex.PRODUCT_2, ex.PRODUCT]), "fromCache": True},
                name="Filtered (?category=Bakery&ordering=price)",
            ),
        ],
    )
    @accepts_query(PRODUCT_QUERY)
    def get(self, request):
        if not request.query_params:
            return cached_read_response(request, cached.product_list_all, "Products retrieved")
        return cached_read_response(request, cached.product_list_filtered, "Products retrieved", **request.query)

    @extend_schema(
        operation_id="products_create",
        summary="Create a product (admin)",
        description="The slug is made from the name when absent; a slug in use is 400. Clears the product lists.",
        request=ProductInputSerializer,
        responses={201: PRODUCT_ENVELOPE, **error_responses(400, 401, 403, 409)},
        examples=[ex.request(ex.PRODUCT_INPUT), ex.answer("Product created", {"product": ex.PRODUCT_NEW}, status=201)],
    )
    def post(self, request):
        product = product_create(data=validated_input(ProductInputSerializer, request.data), user=request.user)
        return ok({"product": ProductOutputSerializer(product).data}, "Product created", status=201)


class ProductDetailApi(APIView):
    permission_classes = [IsAdminUnlessGet]

    @extend_schema(
        operation_id="products_retrieve",
        summary="One product",
        description=(
            "Public, no login needed; cached under `products:{id}`. Inactive products are 404 except for admins."
        ),
        responses={200: PRODUCT_CACHED_ENVELOPE, **error_responses(404)},
        examples=[ex.answer("Product retrieved", {"product": ex.PRODUCT, "fromCache": True})],
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
        description="name, category and price are required; clears this product's entries and the lists it is in.",
        request=ProductInputSerializer,
        responses={200: PRODUCT_ENVELOPE, **error_responses(400, 401, 403, 404, 409)},
        examples=[
            ex.request({**ex.PRODUCT_INPUT, "name": "Sourdough Loaf", "price": "6.75"}),
            ex.answer("Product updated", {"product": {**ex.PRODUCT, "price": "6.75"}}),
        ],
    )
    def put(self, request, product_id: int):
        return self._update(request, product_id, partial=False)

    @extend_schema(
        operation_id="products_partial_update",
        summary="Change some fields of a product (admin)",
        description="Only the fields given change, e.g. the price or the stock.",
        request=ProductInputSerializer(partial=True),
        responses={200: PRODUCT_ENVELOPE, **error_responses(400, 401, 403, 404, 409)},
        examples=[
            ex.request({"stock": 40}, "Restock"),
            ex.answer("Product updated", {"product": {**ex.PRODUCT, "stock": 40}}),
        ],
    )
    def patch(self, request, product_id: int):
        return self._update(request, product_id, partial=True)

    @extend_schema(
        operation_id="products_destroy",
        summary="Delete a product (admin)",
        description="Answers with the deleted product. Past orders keep their item's name and price.",
        responses={200: PRODUCT_ENVELOPE, **error_responses(401, 403, 404)},
        examples=[ex.answer("Product deleted", {"product": ex.PRODUCT_NEW})],
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
