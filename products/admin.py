from django.contrib import admin
from django.db import models

from products.models import Product
from shop.admin_actions import queryset_update_action

LOW_STOCK = 5


class StockLevelFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock_level"

    def lookups(self, request, model_admin):
        return (("out", "Out of stock"), ("low", f"Low (1–{LOW_STOCK})"), ("in", "In stock"))

    def queryset(self, request, queryset):
        if self.value() == "out":
            return queryset.filter(stock=0)
        if self.value() == "low":
            return queryset.filter(stock__gt=0, stock__lte=LOW_STOCK)
        if self.value() == "in":
            return queryset.filter(stock__gt=0)
        return queryset


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "price", "stock", "is_active", "updated_at")
    list_filter = ("is_active", StockLevelFilter, "category", "created_at")
    search_fields = ("name", "slug", "category")
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ("updated_at",)
    date_hierarchy = "created_at"
    ordering = ("name", "id")
    actions = ("mark_active", "mark_inactive")
    fieldsets = (
        (None, {"fields": ("name", "slug", "category", "description", "image_url")}),
        ("Selling", {"fields": ("price", "stock", "is_active")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )

    @admin.action(description="Mark selected products active")
    def mark_active(self, request, queryset):
        queryset_update_action(self, request, queryset, done="product(s) marked active", is_active=True)

    @admin.action(description="Mark selected products inactive")
    def mark_inactive(self, request, queryset):
        queryset_update_action(self, request, queryset, done="product(s) marked inactive", is_active=False)
