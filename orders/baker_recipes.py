"""model-bakery recipes for coupons, orders, their lines and payments.

An order made by a recipe is a row, not a placement: totals are what the test passes (placing an order
goes through `orders.services`)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from model_bakery.recipe import Recipe, foreign_key, seq

from orders.models import Coupon, Order, OrderItem, Payment
from products.baker_recipes import product
from shop.baker_recipes import customer

coupon = Recipe(
    Coupon,
    code=seq("SAVE"),
    description="",
    discount_type=Coupon.DiscountType.PERCENT,
    value=Decimal("10.00"),
    min_order_amount=Decimal("0"),
    max_discount=None,
    valid_from=lambda: timezone.now() - timedelta(days=1),
    valid_until=lambda: timezone.now() + timedelta(days=30),
    usage_limit=None,
    per_customer_limit=None,
    is_active=True,
)

order = Recipe(
    Order,
    number=seq("T-", start=100000),
    user=foreign_key(customer),
    coupon=None,
    coupon_code="",
    subtotal=Decimal("10.00"),
    discount=Decimal("0"),
    delivery_fee=Decimal("0"),
    tax=Decimal("0"),
    total=Decimal("10.00"),
    payment_method=Order.PaymentMethod.CARD,
    delivery_address="1 Main Street",
    notes="",
)

order_item = Recipe(
    OrderItem,
    order=foreign_key(order),
    product=foreign_key(product),
    name=seq("Item "),
    unit_price=Decimal("10.00"),
    quantity=1,
    line_total=Decimal("10.00"),
)

payment = Recipe(
    Payment,
    order=foreign_key(order),
    amount=Decimal("10.00"),
    method=Order.PaymentMethod.CARD,
    transaction_ref=seq("tx-"),
    completed_at=None,
)
