"""Coupon admin: every save and delete goes through the coupon services."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from orders.admin.filters import CouponValidityFilter
from orders.models import Coupon
from orders.rules import coupon_usable
from orders.services import coupon_create, coupon_delete, coupon_update
from shop.admin_actions import ServiceSavesMixin, apply_each
from shop.admin_display import local_time, money, status_badge
from shop.admin_filters import StoreDayRangeFilter
from shop.admin_forms import ConstraintMessagesMixin


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
