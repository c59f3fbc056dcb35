import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework_simplejwt.tokens import RefreshToken

from shop.baker_recipes import PASSWORD
from shop.models import User
from testing.api import bearer_client

pytestmark = pytest.mark.django_db

USER_FIELDS = {"id", "email", "name", "phone", "role", "is_active", "date_joined"}
STRONG = "correct-horse-battery-9"


def register(client, **body):
    return client.post(
        "/api/v1/auth/register", {"email": "new@example.test", "password": STRONG, "name": "New", **body}, format="json"
    )


def test_register_returns_201_with_user_and_working_tokens(anon_api):
    response = register(anon_api, email="New@Example.TEST", phone="+100")

    assert response.status_code == 201
    data = response.json()["data"]
    assert set(data["user"]) == USER_FIELDS
    assert data["user"]["email"] == "new@example.test" and data["user"]["role"] == "customer"
    me = bearer_client()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {data['access']}")
    assert me.get("/api/v1/auth/me").json()["data"]["user"]["id"] == data["user"]["id"]
    refreshed = anon_api.post("/api/v1/auth/refresh", {"refresh": data["refresh"]}, format="json")
    assert refreshed.status_code == 200 and set(refreshed.json()["data"]) == {"access", "refresh"}


def test_register_refuses_an_email_taken_in_another_case(anon_api, customer):
    response = register(anon_api, email=customer.email.upper())
    assert response.status_code == 400 and "email" in response.json()["errors"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": "short"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"password": "new@example.test"}, "password"),
        ({"name": ""}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"role": "admin"}, "role"),
        ({"is_staff": True}, "is_staff"),
    ],
)
def test_register_bad_input_is_400_and_creates_nobody(anon_api, body, field):
    response = register(anon_api, **body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not User.objects.exists()


def test_register_without_name_is_400(anon_api):
    response = anon_api.post("/api/v1/auth/register", {"email": "a@b.test", "password": STRONG}, format="json")
    assert response.status_code == 400 and "name" in response.json()["errors"]


def test_login_returns_user_and_tokens(anon_api, customer):
    response = anon_api.post(
        "/api/v1/auth/login", {"email": "CUSTOMER@example.test", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"user", "access", "refresh"} and data["user"]["id"] == customer.id


@pytest.mark.parametrize(
    "email, password",
    [("customer@example.test", "wrong-password"), ("nobody@example.test", PASSWORD)],
)
def test_login_with_wrong_credentials_is_401(anon_api, customer, email, password):
    response = anon_api.post("/api/v1/auth/login", {"email": email, "password": password}, format="json")
    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "code": "not_authenticated",
        "message": "Invalid credentials",
        "errors": None,
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_login_of_an_inactive_user_is_401(anon_api, customer):
    customer.is_active = False
    customer.save()
    response = anon_api.post("/api/v1/auth/login", {"email": customer.email, "password": PASSWORD}, format="json")
    assert response.status_code == 401


def test_a_stale_token_in_the_header_does_not_block_login(anon_api, customer):
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    response = anon_api.post("/api/v1/auth/login", {"email": customer.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("token", ["garbage", "access"])
def test_refresh_with_a_bad_token_is_401(anon_api, customer, token):
    if token == "access":
        token = str(RefreshToken.for_user(customer).access_token)
    response = anon_api.post("/api/v1/auth/refresh", {"refresh": token}, format="json")
    assert response.status_code == 401 and response.json()["success"] is False


def test_refresh_for_a_deleted_user_is_401(anon_api, customer):
    refresh = str(RefreshToken.for_user(customer))
    customer.delete()
    assert anon_api.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json").status_code == 401


def test_me_needs_a_valid_token(anon_api, customer_api, customer):
    assert anon_api.get("/api/v1/auth/me").status_code == 401
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    response = anon_api.get("/api/v1/auth/me")
    assert response.status_code == 401 and response.json()["success"] is False
    body = customer_api.get("/api/v1/auth/me").json()
    assert body["data"]["user"]["email"] == customer.email and set(body["data"]["user"]) == USER_FIELDS


def test_login_is_throttled_per_client_address(anon_api, customer):
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "3/min"}}
    client = anon_api
    body = {"email": customer.email, "password": "wrong-password"}
    with override_settings(REST_FRAMEWORK=rates):
        statuses = [client.post("/api/v1/auth/login", body, format="json").status_code for _ in range(3)]
        throttled = client.post("/api/v1/auth/login", body, format="json")
        spoofed = client.post("/api/v1/auth/login", body, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
        other_address = client.post("/api/v1/auth/login", body, format="json", REMOTE_ADDR="198.51.100.7")

    assert statuses == [401, 401, 401]
    assert throttled.status_code == 429
    assert throttled.json() == {"success": False, "code": "throttled", "message": "Too many requests", "errors": None}
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert spoofed.status_code == 429, "X-Forwarded-For from the client must not reset the throttle"
    assert other_address.status_code == 401


# --- account enumeration (issue 13, item 14) ------------------------------------------------------
# Register tells whether an address has an account only to a request that would otherwise create one,
# at a limited rate per client address.
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


def test_register_is_throttled_per_client_address(anon_api, customer):
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}}
    rates["DEFAULT_THROTTLE_RATES"]["register"] = "3/hour"
    client = anon_api

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
