"""Admin for coupons, orders and payments.

Orders and payments are placed and moved along by the services (prices, stock, coupon use and the
status flow are enforced there), so their money, status and identity fields are read-only here and
the status changes are admin actions that call those services.
"""

from django.contrib import admin, messages
from django.utils import timezone

from orders.models import Coupon, Order, OrderItem, Payment
from orders.rules import coupon_usable, coupon_usable_q
from orders.services import order_status_set, payment_set_status
from shop.admin_actions import queryset_update_action
from shop.errors import ApplicationError


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


def _apply_each(model_admin, request, queryset, change, done: str) -> None:
    """Run a service per selected row; report what changed and what the service refused, and why."""
    changed, refused = 0, []
    for obj in queryset.order_by("pk"):
        try:
            change(obj)
            changed += 1
        except ApplicationError as error:
            refused.append(f"{obj}: {error.message}")
    if changed:
        model_admin.message_user(request, f"{changed} {done}.", messages.SUCCESS)
    if refused:
        model_admin.message_user(request, "Not changed: " + "; ".join(refused), messages.ERROR)


def _status_action(*, name: str, description: str, done: str, set_status):
    """An admin action calling `set_status(row, user)` for each selected row."""

    def action(model_admin, request, queryset):
        _apply_each(model_admin, request, queryset, lambda row: set_status(row, request.user), done)

    action.__name__ = name
    return admin.action(description=description, permissions=["set_status"])(action)


def _order_status_action(status: str, description: str):
    return _status_action(
        name=f"set_status_{status.replace('-', '_')}",
        description=description,
        done=f"order(s) now {status}",
        set_status=lambda order, user: order_status_set(order_id=order.pk, status=status, user=user),
    )


def _payment_status_action(status: str, description: str):
    return _status_action(
        name=f"set_payment_{status}",
        description=description,
        done=f"payment(s) now {status}",
        set_status=lambda payment, user: payment_set_status(payment_id=payment.pk, status=status, user=user),
    )


class SetStatusPermissionMixin:
    """The status actions go through the services, so they need the model's change permission."""

    def has_set_status_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "discount_type",
        "value",
        "min_order_amount",
        "max_discount",
        "valid_from",
        "valid_until",
        "usage",
        "is_active",
        "valid_now",
    )
    list_filter = ("is_active", CouponValidityFilter, "discount_type", "valid_until")
    search_fields = ("code", "description")
    readonly_fields = ("used_count", "created_at", "updated_at")
    date_hierarchy = "valid_from"
    actions = ("deactivate",)
    fieldsets = (
        (None, {"fields": ("code", "description", "is_active")}),
        ("Discount", {"fields": ("discount_type", "value", "max_discount", "min_order_amount")}),
        ("Validity", {"fields": ("valid_from", "valid_until", "usage_limit", "used_count", "per_customer_limit")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="used")
    def usage(self, coupon):
        limit = "∞" if coupon.usage_limit is None else coupon.usage_limit
        return f"{coupon.used_count} / {limit}"

    @admin.display(boolean=True, description="valid now")
    def valid_now(self, coupon):
        return coupon_usable(coupon, timezone.now())

    @admin.action(description="Deactivate selected coupons")
    def deactivate(self, request, queryset):
        queryset_update_action(self, request, queryset, done="coupon(s) deactivated", is_active=False)


class ReadOnlyTabularInline(admin.TabularInline):
    """Rows the services wrote, shown on their order: no adding, editing or deleting here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
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
class OrderAdmin(SetStatusPermissionMixin, admin.ModelAdmin):
    list_display = ("number", "user", "status", "payment_status", "payment_method", "total", "created_at")
    list_filter = ("status", "payment_status", "payment_method", "created_at")
    search_fields = ("number", "user__email", "user__name", "coupon_code", "delivery_address")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    inlines = (OrderItemInline, PaymentInline)
    actions = (
        _order_status_action(Order.Status.PREPARING, "Start preparing the selected orders"),
        _order_status_action(Order.Status.OUT_FOR_DELIVERY, "Send the selected orders out for delivery"),
        _order_status_action(Order.Status.DELIVERED, "Mark the selected orders delivered"),
        _order_status_action(Order.Status.CANCELLED, "Cancel the selected orders (gives the stock back)"),
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

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(SetStatusPermissionMixin, admin.ModelAdmin):
    """Payments change through the payment service (these actions) and the provider's webhook."""

    list_display = ("transaction_ref", "order", "customer", "amount", "method", "status", "created_at", "completed_at")
    list_filter = ("status", "method", "created_at", "completed_at")
    search_fields = ("transaction_ref", "order__number", "order__user__email")
    list_select_related = ("order", "order__user")
    raw_id_fields = ("order",)
    date_hierarchy = "created_at"
    actions = (
        _payment_status_action(Payment.Status.COMPLETED, "Mark the selected payments completed"),
        _payment_status_action(Payment.Status.FAILED, "Mark the selected payments failed"),
        _payment_status_action(Payment.Status.REFUNDED, "Refund the selected payments"),
    )

    @admin.display(description="customer", ordering="order__user__email")
    def customer(self, payment):
        return payment.order.user

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
