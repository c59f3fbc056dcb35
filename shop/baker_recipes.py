"""model-bakery recipes for the core models: the one way tests build them (`baker.make_recipe("shop.customer")`).

Every user a recipe makes logs in with `PASSWORD`."""

from django.contrib.auth.hashers import make_password
from model_bakery.recipe import Recipe, foreign_key, seq

from shop.models import Activity, Business, Notification, User

PASSWORD = "pass-1234-word"

customer = Recipe(
    User,
    email=seq("customer", suffix="@example.test"),
    name="Customer",
    password=lambda: make_password(PASSWORD),
    is_active=True,
    is_staff=False,
    is_superuser=False,
)
staff = customer.extend(email=seq("staff", suffix="@example.test"), name="Staff", is_staff=True)
superuser = staff.extend(email=seq("root", suffix="@example.test"), name="Root", is_superuser=True)

business = Recipe(Business, name="Test Store", currency="USD", timezone="UTC", opening_hours=dict)

notification = Recipe(Notification, user=foreign_key(customer), order=None, title=seq("Notice "))

activity = Recipe(Activity, action="order_placed", description=seq("Something happened "), user=None)
