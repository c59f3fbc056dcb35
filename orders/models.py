"""Coupons, orders with their items, and payments."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

MONEY = {"max_digits": 12, "decimal_places": 2}


class Coupon(models.Model):
    class DiscountType(models.TextChoices):
        PERCENT = "percent", "Percent"
        FIXED = "fixed", "Fixed amount"

    code = models.CharField(max_length=40)
    description = models.CharField(max_length=300, blank=True, default="")
    discount_type = models.CharField(max_length=10, choices=DiscountType.choices)
    value = models.DecimalField(**MONEY)
    min_order_amount = models.DecimalField(**MONEY, default=0)
    max_discount = models.DecimalField(**MONEY, null=True, blank=True)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty means unlimited.")
    used_count = models.PositiveIntegerField(default=0)
    per_customer_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How many of one customer's orders (not cancelled) may use it. Empty means no limit.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["is_active", "valid_from", "valid_until"], name="coupon_active_window")]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="coupon_code_unique_ci"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="coupon_value_gt_0"),
            models.CheckConstraint(
                condition=~models.Q(discount_type="percent") | models.Q(value__lte=100),
                name="coupon_percent_lte_100",
            ),
            models.CheckConstraint(condition=models.Q(min_order_amount__gte=0), name="coupon_min_order_gte_0"),
            models.CheckConstraint(
                condition=models.Q(usage_limit__isnull=True) | models.Q(used_count__lte=models.F("usage_limit")),
                name="coupon_used_within_limit",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")), name="coupon_window_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(per_customer_limit__isnull=True) | models.Q(per_customer_limit__gte=1),
                name="coupon_per_customer_limit_gte_1",
            ),
        ]

    def __str__(self):
        return self.code


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PREPARING = "preparing", "Preparing"
        OUT_FOR_DELIVERY = "out-for-delivery", "Out for delivery"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", "Unpaid"
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"
        # A payment completed after the order was cancelled: the store owes the customer a refund.
        REFUND_DUE = "refund_due", "Refund due"

    class PaymentMethod(models.TextChoices):
        CASH = "cash", "Cash"
        CARD = "card", "Card"

    ACTIVE_STATUSES = (Status.PENDING, Status.PREPARING, Status.OUT_FOR_DELIVERY)

    number = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    coupon = models.ForeignKey(Coupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    coupon_code = models.CharField(max_length=40, blank=True, default="")
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY, default=0)
    delivery_fee = models.DecimalField(**MONEY, default=0)
    tax = models.DecimalField(**MONEY, default=0)
    total = models.DecimalField(**MONEY)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    payment_status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID)
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    delivery_address = models.CharField(max_length=500)
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="order_created_at"),
            models.Index(fields=["status", "created_at"], name="order_status_created"),
            models.Index(fields=["user", "-created_at"], name="order_user_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(subtotal__gte=0), name="order_subtotal_gte_0"),
            models.CheckConstraint(condition=models.Q(discount__gte=0), name="order_discount_gte_0"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_gte_0"),
        ]

    def __str__(self):
        return self.number


class OrderNumberSequence(models.Model):
    """The last order number given out on one local day (the business's timezone).

    Orders are numbered `ORD-YYYYMMDD-NNNNN` by bumping this row in the placing transaction
    (`orders.services.order_numbers`), so two placements never get the same number.
    """

    day = models.DateField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day:%Y-%m-%d}: {self.last_value}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "products.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="order_items"
    )
    name = models.CharField(max_length=200)
    unit_price = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="orderitem_quantity_gt_0"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="orderitem_unit_price_gte_0"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.name}"


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=10, choices=Order.PaymentMethod.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    transaction_ref = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "completed_at"], name="payment_status_completed"),
            models.Index(fields=["created_at"], name="payment_created_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="payment_amount_gte_0"),
        ]

    def __str__(self):
        return self.transaction_ref
