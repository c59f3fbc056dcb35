"""Admin for the store's core: users (log in by email), the business row, notifications, activity log."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError

from shop.admin_actions import queryset_update_action
from shop.models import Activity, Business, Notification, User

admin.site.site_header = "Store administration"
admin.site.site_title = "Store admin"
admin.site.index_title = "Run the store"


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
    list_display = ("email", "name", "phone", "role_label", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "date_joined", "groups")
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


class BusinessAdminForm(forms.ModelForm):
    logo_url = forms.URLField(required=False, assume_scheme="https", label="Logo URL")

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
class BusinessAdmin(admin.ModelAdmin):
    """The store itself: one row, edited in place, never added twice or deleted."""

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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "order", "is_read", "delivery_status", "delivery_attempts", "created_at")
    list_filter = ("delivery_status", "is_read", "kind", "created_at")
    search_fields = ("title", "message", "user__email", "order__number")
    list_select_related = ("user", "order")
    autocomplete_fields = ("user", "order")
    date_hierarchy = "created_at"
    readonly_fields = ("delivery_attempts", "delivered_at", "delivery_error")
    actions = ("mark_read",)

    @admin.action(description="Mark selected notifications as read")
    def mark_read(self, request, queryset):
        queryset_update_action(self, request, queryset, done="notification(s) marked as read", is_read=True)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """The activity log is written by the code, read here: no adding or editing by hand."""

    list_display = ("created_at", "action", "description", "user")
    list_filter = ("action", "created_at")
    search_fields = ("description", "action", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
