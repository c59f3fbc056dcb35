"""Orders over HTTP: place, list, read, cancel, and the admins' status changes.

Each view parses, calls one service or selector, and renders."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from orders import selectors, services
from orders.models import Order
from orders.serializers import OrderOutput, OrderPlaceInput, OrderStatusInput
from shop.api import examples as ex
from shop.api.inputs import whole_patch
from shop.api.pagination import paginate
from shop.api.permissions import IsAdmin
from shop.api.query import PAGE_QUERY, Choice, accepts_query
from shop.api.responses import ok
from shop.api.schema import envelope, error_responses
from shop.api.throttling import ScopedSettingsRateThrottle
from shop.api.validation import validated_input


def order_data(order) -> dict:
    return {"order": OrderOutput(order).data}


ORDER_LIST_QUERY = PAGE_QUERY.extend(
    status=Choice(Order.Status.values, description="Only orders in this status (admins; customers see their own).")
)

ORDER = envelope("Order", {"order": OrderOutput()})


class OrderListApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedSettingsRateThrottle]
    throttle_scope = "order_place"

    def get_throttles(self):
        # Placing orders is rate limited per user; reading one's orders is not.
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        operation_id="orders_list",
        summary="Your orders (admins: everyone's), newest first",
        description="Paginated, never cached; `status` filters.",
        examples=[ex.answer("Orders retrieved", ex.page("orders", [ex.ORDER]))],
        responses={
            200: envelope("OrderList", {"orders": OrderOutput(many=True)}, paginated=True),
            **error_responses(400, 401),
        },
    )
    @accepts_query(ORDER_LIST_QUERY)
    def get(self, request):
        orders = selectors.order_list(user=request.user, status=request.query.get("status"))
        page = paginate(orders, request.query, lambda rows: OrderOutput(rows, many=True).data, "orders")
        return ok(page, "Orders retrieved")

    @extend_schema(
        operation_id="orders_create",
        summary="Place an order",
        description=(
            "Priced on the server from the database (client prices are ignored); all or nothing. An unknown or "
            "inactive product, short stock, a used-up coupon, more than MAX_OPEN_ORDERS unpaid orders or a closed "
            "store is 409 with nothing written; a coupon that is not valid now, a subtotal under the store's minimum "
            "or a total beyond what an order can hold is 400. Stock is held for ORDER_HOLD_MINUTES until paid. "
            "The same product on two lines counts as one line. Rate limited per customer (429)."
        ),
        request=OrderPlaceInput,
        responses={201: ORDER, **error_responses(400, 401, 409, 429)},
        examples=[
            ex.request(ex.ORDER_PLACE, "Demo store order"),
            ex.answer("Order placed", {"order": ex.ORDER}, status=201),
        ],
    )
    def post(self, request):
        order = services.order_place(user=request.user, **validated_input(OrderPlaceInput, request.data))
        return ok(order_data(order), "Order placed", status=201)


class OrderDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_retrieve",
        summary="One order",
        description="Your own (admins: any). Another customer's order is 404, as if it did not exist.",
        responses={200: ORDER, **error_responses(401, 404)},
        examples=[ex.answer("Order retrieved", {"order": ex.ORDER})],
    )
    def get(self, request, order_id: int):
        return ok(order_data(selectors.order_get(user=request.user, order_id=order_id)), "Order retrieved")


class OrderCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_cancel",
        summary="Cancel an order",
        description=(
            "Its customer while it is pending and unpaid (a paid order is 409: the store cancels and refunds it); "
            "an admin while pending or preparing, which marks a completed payment refunded. Anything else is 409. "
            "The stock and the coupon use go back."
        ),
        request=None,
        responses={200: ORDER, **error_responses(401, 404, 409)},
        examples=[ex.answer("Order cancelled", {"order": {**ex.ORDER, "status": "cancelled"}})],
    )
    def post(self, request, order_id: int):
        order = services.order_cancel(order_id=order_id, user=request.user)
        return ok(order_data(order), "Order cancelled")


class OrderStatusApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="orders_status_update",
        summary="Move an order along its status flow (admin)",
        description=(
            "pending → preparing → out-for-delivery → delivered; pending or preparing → cancelled. Any other "
            "move is 409. The customer gets a notification."
        ),
        request=whole_patch(OrderStatusInput),
        responses={200: ORDER, **error_responses(400, 401, 403, 404, 409)},
        examples=[
            ex.request({"status": "preparing"}),
            ex.answer("Order status updated", {"order": {**ex.ORDER, "status": "preparing"}}),
        ],
    )
    def patch(self, request, order_id: int):
        status = validated_input(OrderStatusInput, request.data)["status"]
        order = services.order_status_set(order_id=order_id, status=status, user=request.user)
        return ok(order_data(order), "Order status updated")
