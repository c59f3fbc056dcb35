"""Account enumeration (issue 13, item 14): the password-reset pages are gone (no mail is configured),
and register tells whether an address has an account only to a request that would otherwise create
one, at a limited rate per client address."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from shop.models import User
from testing.api import bearer_client

pytestmark = pytest.mark.django_db

STRONG = "correct-horse-battery-9"


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
    ],
)
def test_password_reset_pages_cannot_be_used_to_probe_accounts(customer, path):
    client = Client()
    assert client.get(path).status_code == 404
    assert client.post(path, {"email": customer.email}).status_code == 404


def test_the_login_pages_stay(customer):
    assert Client().get("/accounts/login/").status_code == 200
    assert Client().get("/admin/login/").status_code == 200
    assert b"password_reset" not in Client().get("/admin/login/").content


@pytest.mark.parametrize(
    "body",
    [
        {"password": "x"},  # a throwaway password
        {"password": STRONG, "name": ""},
        {"password": STRONG, "role": "admin"},
        {"password": STRONG, "email": "CUSTOMER@example.test", "name": ""},
    ],
)
def test_a_register_probe_with_an_invalid_body_says_the_same_for_taken_and_free_emails(customer, body):
    def probe(email):
        payload = {"email": email, "name": "Probe", **body}
        if "email" in body:
            payload["email"] = body["email"] if email == customer.email else "free@example.test"
        return bearer_client().post("/api/v1/auth/register", payload, format="json")

    taken, free = probe(customer.email), probe("free@example.test")

    assert taken.status_code == free.status_code == 400
    assert taken.json() == free.json()
    assert "email" not in taken.json()["errors"]
    assert User.objects.count() == 1


def test_register_is_throttled_per_client_address(customer):
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}}
    rates["DEFAULT_THROTTLE_RATES"]["register"] = "3/hour"
    client = bearer_client()

    def register(email, **extra):
        return client.post(
            "/api/v1/auth/register", {"email": email, "password": STRONG, "name": "N"}, format="json", **extra
        )

    with override_settings(REST_FRAMEWORK=rates):
        statuses = [register(f"probe{n}@example.test").status_code for n in range(2)]
        statuses.append(register(customer.email).status_code)
        throttled = register("probe9@example.test")
        other_address = register("probe10@example.test", REMOTE_ADDR="198.51.100.7")

    assert statuses == [201, 201, 400]
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 3600
    assert other_address.status_code == 201
    assert not User.objects.filter(email="probe9@example.test").exists()
