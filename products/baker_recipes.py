"""model-bakery recipes for products: `baker.make_recipe("products.product", price=Decimal("2.50"))`."""

from decimal import Decimal

from model_bakery.recipe import Recipe, seq

from products.models import Product

product = Recipe(
    Product,
    name=seq("Item "),
    slug=seq("item-"),
    category="food",
    price=Decimal("10.00"),
    stock=10,
    is_active=True,
    description="",
    image_url="",
)
