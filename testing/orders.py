"""An order row with its lines, from the recipes (no order service: prices, stock and coupons untouched)."""

from decimal import Decimal

from model_bakery import baker


def order_with_lines(lines, **fields):
    """`lines`: (product, quantity) at the product's price, or (product, quantity, unit price). Subtotal
    and total default to the lines' sum; every other field of the order is the recipe's or `fields`'."""
    priced = [(line[0], line[1], Decimal(str(line[2])) if len(line) > 2 else line[0].price) for line in lines]
    total = sum((unit_price * quantity for _, quantity, unit_price in priced), Decimal("0"))
    fields.setdefault("subtotal", total)
    fields.setdefault("total", total)
    order = baker.make_recipe("orders.order", **fields)
    for product, quantity, unit_price in priced:
        baker.make_recipe(
            "orders.order_item",
            order=order,
            product=product,
            name=product.name,
            unit_price=unit_price,
            quantity=quantity,
            line_total=unit_price * quantity,
        )
    return order
