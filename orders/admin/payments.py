"""Payment admin: read-only rows; status changes as bulk actions through the payment service."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from orders.admin.actions import ListTotalMixin, SetStatusPermissionMixin, payment_status_action
from orders.models import Payment
from shop.admin_csv import CsvExportMixin
from shop.admin_display import local_time, money, status_badge
from shop.admin_filters import StoreDayRangeFilter


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
        payment_status_action(Payment.Status.COMPLETED, "Mark the selected payments completed"),
        payment_status_action(Payment.Status.FAILED, "Mark the selected payments failed"),
        payment_status_action(Payment.Status.REFUNDED, "Refund the selected payments"),
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
