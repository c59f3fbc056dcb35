"""Status changes as admin bulk actions (each through the services, logged), and the list mixins."""

from django.contrib import admin
from django.db.models import Sum

from orders.models import Order
from orders.services import order_cancel, order_status_set, payment_set_status
from shop.admin_actions import apply_each
from shop.admin_display import money

Status = Order.Status


def status_change(order: Order, status: str, user) -> Order:
    if status == Status.CANCELLED:
        return order_cancel(order_id=order.pk, user=user)
    return order_status_set(order_id=order.pk, status=status, user=user)


def _status_action(status: str, description: str, *, name: str, noun: str, change):
    """A bulk action that moves each selected row to `status` through `change(row, status, user)`."""

    def action(model_admin, request, queryset):
        apply_each(
            model_admin,
            request,
            queryset,
            lambda row: change(row, status, request.user),
            done=f"{noun}(s) now {status}",
            history=lambda row: f"Status: {row.status} → {status}",
        )

    action.__name__ = name
    return admin.action(description=description, permissions=["set_status"])(action)


def order_status_action(status: str, description: str):
    name = f"set_status_{status.replace('-', '_')}"
    return _status_action(status, description, name=name, noun="order", change=status_change)


def payment_status_action(status: str, description: str):
    def change(payment, status, user):
        return payment_set_status(payment_id=payment.pk, status=status, user=user)

    return _status_action(status, description, name=f"set_payment_{status}", noun="payment", change=change)


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
