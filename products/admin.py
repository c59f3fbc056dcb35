"""Admin for products. Every save (the form, the list's price/stock cells, the bulk actions,
deletes) goes through `products.services`, so staff changes are validated once, clear the
cache and appear in the activity log with their old and new values."""

from django import forms
from django.contrib import admin

from products.models import Product
from products.selectors import LOW_STOCK_LEVEL
from products.services import product_bulk_set_active, product_create, product_delete, product_update
from shop.admin_actions import ServiceSavesMixin
from shop.admin_forms import ConstraintMessagesMixin

EDITABLE_FIELDS = [f.name for f in Product._meta.concrete_fields if f.editable and not f.primary_key]


class StockLevelFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock_level"
    RESTOCK = "restock"

    def lookups(self, request, model_admin):
        return (
            (self.RESTOCK, f"Needs restocking (0–{LOW_STOCK_LEVEL})"),
            ("out", "Out of stock"),
            ("low", f"Low (1–{LOW_STOCK_LEVEL})"),
            ("in", "In stock"),
        )

    def queryset(self, request, queryset):
        if self.value() == self.RESTOCK:
            return queryset.filter(stock__lte=LOW_STOCK_LEVEL)
        if self.value() == "out":
            return queryset.filter(stock=0)
        if self.value() == "low":
            return queryset.filter(stock__gt=0, stock__lte=LOW_STOCK_LEVEL)
        if self.value() == "in":
            return queryset.filter(stock__gt=0)
        return queryset


class ProductAdminForm(ConstraintMessagesMixin, forms.ModelForm):
    image_url = forms.URLField(max_length=500, required=False, assume_scheme="https", label="Image URL")
    constraint_messages = {
        "product_price_gte_0": "The price can't be negative.",
        "product_stock_gte_0": "Stock can't be negative.",
    }

    class Meta:
        model = Product
        fields = ("name", "slug", "category", "description", "image_url", "price", "stock", "is_active")


class ProductListForm(ConstraintMessagesMixin, forms.ModelForm):
    """The price and stock cells of the product list."""

    constraint_messages = ProductAdminForm.constraint_messages

    class Meta:
        model = Product
        fields = ("price", "stock")


@admin.register(Product)
class ProductAdmin(ServiceSavesMixin, admin.ModelAdmin):
    form = ProductAdminForm
    list_display = ("name", "category", "price", "stock", "is_active")
    list_editable = ("price", "stock")
    list_filter = ("is_active", StockLevelFilter, "category", "created_at")
    search_fields = ("name", "slug", "category")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    ordering = ("name", "id")
    actions = ("mark_active", "mark_inactive")
    fieldsets = (
        (None, {"fields": ("name", "slug", "category", "description", "image_url")}),
        ("Selling", {"fields": ("price", "stock", "is_active")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ProductListForm, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("price", "stock") and field is not None:
            field.widget.attrs.setdefault("class", "vNumberField")  # narrow enough for a list cell
        return field

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
            if data:
                product_update(product_id=obj.pk, data=data, user=request.user)
            return
        data = {name: form.cleaned_data[name] for name in form.cleaned_data if name in EDITABLE_FIELDS}
        created = product_create(data=data, user=request.user)
        for model_field in Product._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(created, model_field.attname))
        obj._state.adding = False

    def delete_model(self, request, obj):
        product_delete(product_id=obj.pk, user=request.user)

    def delete_queryset(self, request, queryset):
        for product_id in queryset.order_by("pk").values_list("pk", flat=True):
            product_delete(product_id=product_id, user=request.user)

    def _set_active(self, request, queryset, is_active: bool) -> None:
        to_change = list(queryset.exclude(is_active=is_active).order_by("pk"))
        changed = product_bulk_set_active(product_ids=[p.pk for p in to_change], is_active=is_active, user=request.user)
        state = "on sale" if is_active else "hidden from the shop"
        for product in to_change:
            self.log_change(request, product, f"Now {state}")
        self.message_user(request, f"{changed} product(s) now {state}.")

    @admin.action(description="Put the selected products on sale")
    def mark_active(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="Hide the selected products from the shop")
    def mark_inactive(self, request, queryset):
        self._set_active(request, queryset, False)
