"""Order admin: money, status and identity read-only; a button per allowed next status."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from orders.admin.actions import ListTotalMixin, SetStatusPermissionMixin, order_status_action, status_change
from orders.admin.filters import OrderProductFilter, OrderStatusFilter
from orders.models import Order, OrderItem, Payment
from orders.services import ORDER_TRANSITIONS
from shop.admin_csv import CsvExportMixin
from shop.admin_display import local_time, money, status_badge
from shop.admin_filters import StoreDayRangeFilter
from shop.errors import ApplicationError

Status = Order.Status

# The buttons on an order's page, per target status; cancelling goes through a confirmation page.
STATUS_BUTTONS = {
    Status.PREPARING: "Start preparing",
    Status.OUT_FOR_DELIVERY: "Send out for delivery",
    Status.DELIVERED: "Mark delivered",
    Status.CANCELLED: "Cancel order…",
}


class ReadOnlyTabularInline(admin.TabularInline):
    """Rows the services wrote, shown on their order: no adding, editing or deleting here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderItemInline(ReadOnlyTabularInline):
    model = OrderItem
    fields = ("product", "name", "unit_price", "quantity", "line_total")
    readonly_fields = fields


class PaymentInline(ReadOnlyTabularInline):
    model = Payment
    fields = ("transaction_ref", "amount", "method", "status", "created_at", "completed_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(Order)
class OrderAdmin(SetStatusPermissionMixin, ListTotalMixin, CsvExportMixin, admin.ModelAdmin):
    change_list_template = "admin/backoffice/change_list.html"
    list_display = ("number", "customer", "status_label", "total_amount", "created")
    list_filter = (
        OrderStatusFilter,
        ("created_at", StoreDayRangeFilter),
        "payment_status",
        "payment_method",
        OrderProductFilter,
    )
    search_fields = ("number", "user__email", "user__name", "coupon_code", "delivery_address")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    inlines = (OrderItemInline, PaymentInline)
    total_field, total_label = "total", "Total of these orders"
    actions = (
        order_status_action(Status.PREPARING, "Start preparing the selected orders"),
        order_status_action(Status.OUT_FOR_DELIVERY, "Send the selected orders out for delivery"),
        order_status_action(Status.DELIVERED, "Mark the selected orders delivered"),
        order_status_action(Status.CANCELLED, "Cancel the selected orders (gives the stock back)"),
    )
    raw_id_fields = ("user", "coupon")
    readonly_fields = (
        "number",
        "user",
        "status",
        "payment_status",
        "payment_method",
        "coupon",
        "coupon_code",
        "subtotal",
        "discount",
        "delivery_fee",
        "tax",
        "total",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("number", "user", "status", "payment_status", "payment_method")}),
        ("Delivery", {"fields": ("delivery_address", "notes")}),
        ("Money", {"fields": ("subtotal", "coupon", "coupon_code", "discount", "delivery_fee", "tax", "total")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
    csv_columns = [
        ("number", lambda o: o.number),
        ("created_at", lambda o: o.created_at),
        ("customer_email", lambda o: o.user.email),
        ("customer_name", lambda o: o.user.name),
        ("status", lambda o: o.status),
        ("payment_status", lambda o: o.payment_status),
        ("payment_method", lambda o: o.payment_method),
        ("subtotal", lambda o: o.subtotal),
        ("discount", lambda o: o.discount),
        ("delivery_fee", lambda o: o.delivery_fee),
        ("tax", lambda o: o.tax),
        ("total", lambda o: o.total),
        ("coupon_code", lambda o: o.coupon_code),
        ("delivery_address", lambda o: o.delivery_address),
    ]

    @admin.display(description="customer", ordering="user__email")
    def customer(self, order):
        return order.user.email

    @admin.display(description="status", ordering="status")
    def status_label(self, order):
        return status_badge(order.status, order.get_status_display())

    @admin.display(description="total", ordering="total")
    def total_amount(self, order):
        return money(order.total)

    @admin.display(description="created", ordering="created_at")
    def created(self, order):
        return local_time(order.created_at)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- status from the order's own page ---------------------------------------------------------
    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path("<int:object_id>/status/", self.admin_site.admin_view(self.status_view), name=f"{name}_status"),
            path("<int:object_id>/cancel/", self.admin_site.admin_view(self.cancel_view), name=f"{name}_cancel"),
            *super().get_urls(),
        ]

    def status_buttons(self, request, order: Order) -> list[dict]:
        if not self.has_set_status_permission(request):
            return []
        buttons = []
        for status in sorted(ORDER_TRANSITIONS.get(order.status, ()), key=list(STATUS_BUTTONS).index):
            if status == Status.CANCELLED:
                url = reverse("admin:orders_order_cancel", args=[order.pk])
            else:
                url = reverse("admin:orders_order_status", args=[order.pk])
            buttons.append({"status": status, "label": STATUS_BUTTONS[status], "url": url})
        return buttons

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["status_buttons"] = self.status_buttons(request, obj) if obj is not None else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _change_status(self, request, order: Order, status: str):
        previous = order.status
        try:
            changed = status_change(order, status, request.user)
        except ApplicationError as error:
            self.message_user(request, f"Order {order.number} not changed: {error.message}", messages.ERROR)
        else:
            self.log_change(request, changed, f"Status: {previous} → {changed.status}")
            self.message_user(request, f"Order {order.number} is now {changed.get_status_display().lower()}.")
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def _order_for_status(self, request, object_id) -> Order:
        if not self.has_set_status_permission(request):
            raise PermissionDenied
        return get_object_or_404(Order.objects.select_related("user"), pk=object_id)

    def status_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self._order_for_status(request, object_id)
        status = request.POST.get("status", "")
        if status == Status.CANCELLED or status not in Status.values:
            # Cancelling needs its confirmation page; anything else is not a status.
            self.message_user(request, f"“{status}” is not a status this button can set.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))
        return self._change_status(request, order, status)

    def cancel_view(self, request, object_id):
        order = self._order_for_status(request, object_id)
        if request.method == "POST":
            return self._change_status(request, order, Status.CANCELLED)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Cancel order {order.number}?",
            "opts": self.model._meta,
            "order": order,
            "items": order.items.all(),
            "paid": order.payment_status == Order.PaymentStatus.PAID,
            "allowed": Status.CANCELLED in ORDER_TRANSITIONS.get(order.status, ()),
        }
        return TemplateResponse(request, "admin/orders/order/cancel_confirmation.html", context)
