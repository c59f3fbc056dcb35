"""Admin for coupons, orders and payments.

Orders and payments are placed and moved along by the services (prices, stock, coupon use and the
status flow are enforced there), so their money, status and identity fields are read-only here.
An order's status changes from its own page (a button per allowed next status; cancelling asks
for confirmation first) or from the list's bulk actions; both call `order_status_set` /
`order_cancel`, which write the activity log, and the admin records each change in the order's
history. Coupon saves call the coupon services.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Sum
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from orders.models import Coupon, Order, OrderItem, Payment
from orders.rules import coupon_usable, coupon_usable_q
from orders.services import (
    ORDER_TRANSITIONS,
    coupon_create,
    coupon_delete,
    coupon_update,
    order_cancel,
    order_status_set,
    payment_set_status,
)
from products.models import Product
from shop.admin_actions import ServiceSavesMixin, apply_each
from shop.admin_csv import CsvExportMixin
from shop.admin_display import local_time, money, status_badge
from shop.admin_filters import StoreDayRangeFilter
from shop.admin_forms import ConstraintMessagesMixin
from shop.errors import ApplicationError

Status = Order.Status

# The buttons on an order's page, per target status; cancelling goes through a confirmation page.
STATUS_BUTTONS = {
    Status.PREPARING: "Start preparing",
    Status.OUT_FOR_DELIVERY: "Send out for delivery",
    Status.DELIVERED: "Mark delivered",
    Status.CANCELLED: "Cancel order…",
}


# --- filters ---------------------------------------------------------------------------------------
class OrderStatusFilter(admin.SimpleListFilter):
    """The statuses, plus the dashboard's groups: active = pending + preparing + out for delivery."""

    title = "status"
    parameter_name = "status"
    ACTIVE, NOT_CANCELLED = "active", "not_cancelled"

    def lookups(self, request, model_admin):
        return [
            (self.ACTIVE, "Active (pending, preparing, out for delivery)"),
            *Status.choices,
            (self.NOT_CANCELLED, "Not cancelled"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == self.ACTIVE:
            return queryset.filter(status__in=Order.ACTIVE_STATUSES)
        if value == self.NOT_CANCELLED:
            return queryset.exclude(status=Status.CANCELLED)
        if value in Status.values:
            return queryset.filter(status=value)
        raise IncorrectLookupParameters(f"Unknown status {value!r}")


class OrderProductFilter(admin.SimpleListFilter):
    """Orders with a line of one product (the dashboard's top-product links). Shown when in use."""

    title = "product"
    parameter_name = "product"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value or not value.isdigit():
            return []
        name = Product.objects.filter(pk=int(value)).values_list("name", flat=True).first()
        return [(value, name or f"Product #{value} (deleted)")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(f"Unknown product {value!r}")
        return queryset.filter(Exists(OrderItem.objects.filter(order=OuterRef("pk"), product_id=int(value))))


class CouponValidityFilter(admin.SimpleListFilter):
    title = "validity"
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return (("now", "Valid now"), ("expired", "Expired"), ("upcoming", "Not started yet"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "now":
            return queryset.filter(coupon_usable_q(now))
        if self.value() == "expired":
            return queryset.filter(valid_until__lte=now)
        if self.value() == "upcoming":
            return queryset.filter(valid_from__gt=now)
        return queryset


# --- status changes ---------------------------------------------------------------------------------
def _status_change(order: Order, status: str, user) -> Order:
    if status == Status.CANCELLED:
        return order_cancel(order_id=order.pk, user=user)
    return order_status_set(order_id=order.pk, status=status, user=user)


def _order_status_action(status: str, description: str):
    def action(model_admin, request, queryset):
        apply_each(
            model_admin,
            request,
            queryset,
            lambda order: _status_change(order, status, request.user),
            done=f"order(s) now {status}",
            history=lambda order: f"Status: {order.status} → {status}",
        )

    action.__name__ = f"set_status_{status.replace('-', '_')}"
    return admin.action(description=description, permissions=["set_status"])(action)


def _payment_status_action(status: str, description: str):
    def action(model_admin, request, queryset):
        apply_each(
            model_admin,
            request,
            queryset,
            lambda payment: payment_set_status(payment_id=payment.pk, status=status, user=request.user),
            done=f"payment(s) now {status}",
            history=lambda payment: f"Status: {payment.status} → {status}",
        )

    action.__name__ = f"set_payment_{status}"
    return admin.action(description=description, permissions=["set_status"])(action)


class SetStatusPermissionMixin:
    """The status actions go through the services, so they need the model's change permission."""

    def has_set_status_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")


class ListTotalMixin:
    """Shows the filtered list's row count and the sum of `total_field` above the list."""

    total_field = ""
    total_label = ""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            total = changelist.queryset.aggregate(total=Sum(self.total_field))["total"]
            response.context_data["list_total"] = {"label": self.total_label, "value": money(total)}
        return response


# --- coupons ----------------------------------------------------------------------------------------
class CouponAdminForm(ConstraintMessagesMixin, forms.ModelForm):
    max_discount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0.01, required=False, help_text="Empty means no cap."
    )
    constraint_messages = {
        "coupon_code_unique_ci": "A coupon with this code already exists (codes ignore upper and lower case).",
        "coupon_value_gt_0": "The discount must be more than 0.",
        "coupon_percent_lte_100": "A percent discount can be at most 100.",
        "coupon_min_order_gte_0": "The minimum order can't be negative.",
        "coupon_used_within_limit": "The limit can't be below the number of times the coupon was already used.",
        "coupon_window_ordered": "The coupon must end after it starts.",
        "coupon_per_customer_limit_gte_1": "A customer limit is at least 1 (leave it empty for no limit).",
    }

    class Meta:
        model = Coupon
        fields = (
            "code",
            "description",
            "is_active",
            "discount_type",
            "value",
            "max_discount",
            "min_order_amount",
            "valid_from",
            "valid_until",
            "usage_limit",
            "per_customer_limit",
        )


@admin.register(Coupon)
class CouponAdmin(ServiceSavesMixin, admin.ModelAdmin):
    form = CouponAdminForm
    list_display = ("code", "discount", "validity", "usage", "state")
    list_filter = ("is_active", CouponValidityFilter, "discount_type", ("valid_until", StoreDayRangeFilter))
    search_fields = ("code", "description")
    readonly_fields = ("used_count", "created_at", "updated_at")
    actions = ("deactivate",)
    fieldsets = (
        (None, {"fields": ("code", "description", "is_active")}),
        ("Discount", {"fields": ("discount_type", "value", "max_discount", "min_order_amount")}),
        ("Validity", {"fields": ("valid_from", "valid_until", "usage_limit", "used_count", "per_customer_limit")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="discount", ordering="value")
    def discount(self, coupon):
        if coupon.discount_type == Coupon.DiscountType.PERCENT:
            text = f"{coupon.value.normalize():f} %"
        else:
            text = f"{money(coupon.value)} off"
        if coupon.max_discount is not None:
            text += f" (max {money(coupon.max_discount)})"
        return text

    @admin.display(description="valid", ordering="valid_until")
    def validity(self, coupon):
        return f"{local_time(coupon.valid_from, '%d %b')} – {local_time(coupon.valid_until, '%d %b %Y')}"

    @admin.display(description="used")
    def usage(self, coupon):
        limit = "∞" if coupon.usage_limit is None else coupon.usage_limit
        return f"{coupon.used_count} / {limit}"

    @admin.display(description="state")
    def state(self, coupon):
        """ "Valid now" by the coupon rule itself (orders.rules); otherwise the reason it is not."""
        now = timezone.now()
        if coupon_usable(coupon, now):
            return status_badge("valid", "Valid now")
        if not coupon.is_active:
            return status_badge("inactive", "Inactive")
        if coupon.valid_until <= now:
            return status_badge("expired", "Expired")
        if coupon.valid_from > now:
            return status_badge("upcoming", "Not started")
        return status_badge("used-up", "Used up")

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            if fields:
                coupon_update(coupon=obj, user=request.user, **fields)
            return
        created = coupon_create(user=request.user, **{name: form.cleaned_data[name] for name in form.cleaned_data})
        obj.pk, obj.used_count = created.pk, created.used_count
        obj._state.adding = False

    def delete_model(self, request, obj):
        coupon_delete(coupon=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for coupon in queryset.order_by("pk"):
            coupon_delete(coupon=coupon, user=request.user)

    @admin.action(description="Deactivate selected coupons")
    def deactivate(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.filter(is_active=True),
            lambda coupon: coupon_update(coupon=coupon, user=request.user, is_active=False),
            done="coupon(s) deactivated",
            history="Deactivated",
        )


# --- orders -----------------------------------------------------------------------------------------
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
        _order_status_action(Status.PREPARING, "Start preparing the selected orders"),
        _order_status_action(Status.OUT_FOR_DELIVERY, "Send the selected orders out for delivery"),
        _order_status_action(Status.DELIVERED, "Mark the selected orders delivered"),
        _order_status_action(Status.CANCELLED, "Cancel the selected orders (gives the stock back)"),
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        extra = {"status_buttons": self.status_buttons(request, order) if order else []}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _change_status(self, request, order: Order, status: str):
        previous = order.status
        try:
            changed = _status_change(order, status, request.user)
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


# --- payments ---------------------------------------------------------------------------------------
@admin.register(Payment)
class PaymentAdmin(SetStatusPermissionMixin, ListTotalMixin, CsvExportMixin, admin.ModelAdmin):
    """Payments change through the payment service (these actions) and the provider's webhook."""

    change_list_template = "admin/backoffice/change_list.html"
    list_display = ("transaction_ref", "order_number", "customer", "amount_paid", "status_label", "completed")
    list_filter = (
        "status",
        ("completed_at", StoreDayRangeFilter),
        ("created_at", StoreDayRangeFilter),
        "method",
    )
    search_fields = ("transaction_ref", "order__number", "order__user__email")
    list_select_related = ("order", "order__user")
    raw_id_fields = ("order",)
    date_hierarchy = "created_at"
    total_field, total_label = "amount", "Total of these payments"
    actions = (
        _payment_status_action(Payment.Status.COMPLETED, "Mark the selected payments completed"),
        _payment_status_action(Payment.Status.FAILED, "Mark the selected payments failed"),
        _payment_status_action(Payment.Status.REFUNDED, "Refund the selected payments"),
    )
    csv_columns = [
        ("transaction_ref", lambda p: p.transaction_ref),
        ("order_number", lambda p: p.order.number),
        ("customer_email", lambda p: p.order.user.email),
        ("amount", lambda p: p.amount),
        ("method", lambda p: p.method),
        ("status", lambda p: p.status),
        ("created_at", lambda p: p.created_at),
        ("completed_at", lambda p: p.completed_at),
    ]

    @admin.display(description="order", ordering="order__number")
    def order_number(self, payment):
        url = reverse("admin:orders_order_change", args=[payment.order_id])
        return format_html('<a href="{}">{}</a>', url, payment.order.number)

    @admin.display(description="customer", ordering="order__user__email")
    def customer(self, payment):
        return payment.order.user.email

    @admin.display(description="amount", ordering="amount")
    def amount_paid(self, payment):
        return money(payment.amount)

    @admin.display(description="status", ordering="status")
    def status_label(self, payment):
        return status_badge(payment.status, payment.get_status_display())

    @admin.display(description="completed", ordering="completed_at")
    def completed(self, payment):
        return local_time(payment.completed_at) if payment.completed_at else "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
