"""List filters for orders and coupons: the statuses with the dashboard's groups, a product, validity."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Exists, OuterRef
from django.utils import timezone

from orders.models import Order, OrderItem
from orders.rules import coupon_usable_q
from products.models import Product

Status = Order.Status


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
