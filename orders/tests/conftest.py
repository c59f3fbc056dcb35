"""Fixtures of the orders tests that are scenarios of their own: the customer's order of two pizzas (by card)
and its pending payment, a cash order of four. Users and API clients come from the suite's shared set
(testing/), rows from the model-bakery recipes."""

from decimal import Decimal

import pytest
from model_bakery import baker

from orders.models import Payment
from orders.services import order_place


@pytest.fixture
def pizza(db):
    """Pizza at 12.50, 10 in stock."""
    return baker.make_recipe("products.product", name="Pizza", price=Decimal("12.50"), stock=10)


@pytest.fixture
def order(customer, pizza):
    """The customer's pending, unpaid order of 2 pizzas (25.00), by card, placed through the service."""
    return order_place(
        user=customer, items=[{"product_id": pizza.pk, "quantity": 2}], delivery_address="x", payment_method="card"
    )


@pytest.fixture
def payment(customer_api, order):
    """The pending payment the customer started for `order` over the API."""
    response = customer_api.post("/api/v1/payments", {"order_id": order.pk, "method": "card"}, format="json")
    assert response.status_code == 201, response.json()
    return Payment.objects.get(pk=response.json()["data"]["payment"]["id"])


@pytest.fixture
def placed(customer):
    """(order, pizza): the customer's pending cash order of 4 of a pizza at 10.00 that had 10 in stock."""
    pizza = baker.make_recipe("products.product", name="Pizza", price=Decimal("10.00"), stock=10)
    order = order_place(
        user=customer, items=[{"product_id": pizza.pk, "quantity": 4}], delivery_address="x", payment_method="cash"
    )
    return order, pizza
