"""Admin for the store's core: users (log in by email), the business row, notifications, activity log."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from shop.admin_actions import ServiceSavesMixin
from shop.admin_display import local_time
from shop.admin_filters import StoreDayRangeFilter
from shop.admin_forms import ConstraintMessagesMixin, OpeningHoursField
from shop.models import Activity, Business, Notification, User
from shop.services import business_update, notification_bulk_mark_read


def _unique_email(email: str, *, user_id: int | None) -> str:
    """Emails are unique case-insensitively (user_email_unique_ci) and stored in lower case."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exclude(pk=user_id).exists():
        raise ValidationError("A user with this email address already exists.", code="unique")
    return email


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "phone")

    def clean_email(self):
        return _unique_email(self.cleaned_data["email"], user_id=None)


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return _unique_email(self.cleaned_data["email"], user_id=self.instance.pk)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "name", "role_label", "is_active", "joined")
    list_filter = ("is_active", "is_staff", "is_superuser", ("date_joined", StoreDayRangeFilter), "groups")
    search_fields = ("email", "name", "phone")
    ordering = ("-date_joined",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "phone")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "phone", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description="role", ordering="is_staff")
    def role_label(self, user):
        return user.role

    @admin.display(description="joined", ordering="date_joined")
    def joined(self, user):
        return local_time(user.date_joined, "%d %b %Y")


class BusinessAdminForm(ConstraintMessagesMixin, forms.ModelForm):
    logo_url = forms.URLField(required=False, assume_scheme="https", label="Logo URL")
    opening_hours = OpeningHoursField()
    constraint_messages = {
        "business_delivery_fee_gte_0": "The delivery fee can't be negative.",
        "business_min_order_gte_0": "The minimum order can't be negative.",
        "business_tax_rate_0_100": "The tax rate is a percentage from 0 to 100.",
    }

    class Meta:
        model = Business
        fields = [
            "name",
            "description",
            "email",
            "phone",
            "address",
            "currency",
            "timezone",
            "opening_hours",
            "is_open",
            "delivery_fee",
            "min_order_amount",
            "tax_rate",
            "logo_url",
        ]

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


@admin.register(Business)
class BusinessAdmin(ServiceSavesMixin, admin.ModelAdmin):
    """The store itself: one row, edited in place (through `business_update`), never added twice or deleted."""

    form = BusinessAdminForm
    list_display = (
        "name",
        "email",
        "phone",
        "currency",
        "timezone",
        "is_open",
        "delivery_fee",
        "tax_rate",
        "updated_at",
    )
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("name", "description", "logo_url", "is_open")}),
        ("Contact", {"fields": ("email", "phone", "address")}),
        ("Money and time", {"fields": ("currency", "timezone", "delivery_fee", "min_order_amount", "tax_rate")}),
        ("Opening hours", {"fields": ("opening_hours",)}),
        (None, {"fields": ("updated_at",)}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Business.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = form.changed_data if change else list(form.cleaned_data)
        data = {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}
        if change and not data:
            return
        saved = business_update(data=data, partial=change, user=request.user)
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "order", "is_read", "delivery_status", "delivery_attempts", "created_at")
    list_filter = ("delivery_status", "is_read", "kind", ("created_at", StoreDayRangeFilter))
    search_fields = ("title", "message", "user__email", "order__number")
    list_select_related = ("user", "order")
    autocomplete_fields = ("user", "order")
    date_hierarchy = "created_at"
    readonly_fields = ("delivery_attempts", "delivered_at", "delivery_error")
    actions = ("mark_read",)

    @admin.action(description="Mark selected notifications as read")
    def mark_read(self, request, queryset):
        changed = notification_bulk_mark_read(
            notification_ids=list(queryset.values_list("pk", flat=True)), user=request.user
        )
        self.message_user(request, f"{changed} notification(s) marked as read.")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """The activity log is written by the code, read here: no adding or editing by hand."""

    list_display = ("when", "action", "description", "about", "user")
    list_filter = ("action", ("created_at", StoreDayRangeFilter))
    search_fields = ("description", "action", "user__email")
    list_select_related = ("user", "target_type")
    date_hierarchy = "created_at"

    @admin.display(description="when", ordering="created_at")
    def when(self, entry):
        return local_time(entry.created_at)

    @admin.display(description="about")
    def about(self, entry):
        """A link to the row the entry is about, when its writer named one."""
        if entry.target_type is None or entry.target_id is None:
            return "–"
        app_label, model = entry.target_type.app_label, entry.target_type.model
        try:
            url = reverse(f"admin:{app_label}_{model}_change", args=[entry.target_id])
        except NoReverseMatch:
            return "–"
        return format_html('<a href="{}">{} #{}</a>', url, entry.target_type.name, entry.target_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
