"""Tokens are revocable (issue 13, item 2): refresh rotation, logout, and a password change or a
deactivation ending every access token, refresh token and session of the user at once."""

import math
import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory

from shop.api.authentication import JWTAuthentication
from shop.baker_recipes import PASSWORD
from shop.errors import NotAuthenticated
from shop.models import User
from shop.services import token_pair_refresh
from testing.api import bearer_client

pytestmark = pytest.mark.django_db


def login(email=None, password=PASSWORD):
    response = bearer_client().post(
        "/api/v1/auth/login", {"email": email or "customer@example.test", "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["data"]


def me(access):
    client = bearer_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/v1/auth/me")


def refresh(token, **extra):
    return bearer_client().post("/api/v1/auth/refresh", {"refresh": token}, format="json", **extra)


def logout(access, body):
    client = bearer_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.post("/api/v1/auth/logout", body, format="json")


def browser_session(user):
    """A logged-in browser, as after /accounts/login/."""
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/auth/me").status_code == 200
    return client


# --- rotation ------------------------------------------------------------------------------------
def test_a_refresh_token_cannot_be_replayed_after_rotation(customer):
    tokens = login()
    first = refresh(tokens["refresh"])
    replay = refresh(tokens["refresh"])

    assert first.status_code == 200
    data = first.json()["data"]
    assert set(data) == {"access", "refresh"} and data["refresh"] != tokens["refresh"]
    assert me(data["access"]).status_code == 200
    assert refresh(data["refresh"]).status_code == 200, "the rotated token works, once"
    assert replay.status_code == 401
    assert replay.json() == {
        "success": False,
        "code": "not_authenticated",
        "message": "Invalid or expired refresh token",
        "errors": None,
    }


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_one_refresh_token_get_one_new_pair(customer):
    """Two (here eight) clients racing with one refresh token: exactly one gets a new pair."""
    token = login()["refresh"]
    barrier = threading.Barrier(8)
    outcomes = []

    def race():
        try:
            barrier.wait()
            token_pair_refresh(refresh=token)
            outcomes.append("pair")
        except NotAuthenticated:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["pair"] + ["refused"] * 7


def test_refresh_is_throttled_per_client_address(customer):
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}}
    rates["DEFAULT_THROTTLE_RATES"]["refresh"] = "2/min"
    with override_settings(REST_FRAMEWORK=rates):
        statuses = [refresh("not-a-token").status_code for _ in range(2)]
        throttled = refresh("not-a-token")
        other_address = refresh("not-a-token", REMOTE_ADDR="198.51.100.7")

    assert statuses == [401, 401]
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled" and throttled["Retry-After"]
    assert other_address.status_code == 401


# --- logout --------------------------------------------------------------------------------------
def test_a_logged_out_refresh_token_cannot_be_used(customer):
    tokens = login()
    other_device = login()

    response = logout(tokens["access"], {"refresh": tokens["refresh"]})

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Logged out", "data": None}
    assert refresh(tokens["refresh"]).status_code == 401
    assert refresh(other_device["refresh"]).status_code == 200, "only that token is revoked"


def test_logout_needs_a_login(customer):
    tokens = login()
    response = bearer_client().post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert refresh(tokens["refresh"]).status_code == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "refresh"),
        ({"refresh": ""}, "refresh"),
        ({"refresh": "not-a-token"}, "refresh"),
        ({"refresh": "x" * 2001}, "refresh"),
        ("access", "refresh"),
        ("other", "refresh"),
        ("unknown", "token"),
    ],
)
def test_logout_refuses_a_bad_body_and_revokes_nothing(customer, other_customer, body, field):
    tokens = login()
    others_refresh = None
    if body == "access":
        body = {"refresh": tokens["access"]}
    elif body == "other":
        others_refresh = login(other_customer.email)["refresh"]
        body = {"refresh": others_refresh}
    elif body == "unknown":
        body = {"refresh": tokens["refresh"], "token": "x"}

    response = logout(tokens["access"], body)

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error" and field in response.json()["errors"]
    assert refresh(tokens["refresh"]).status_code == 200
    if others_refresh:
        assert refresh(others_refresh).status_code == 200, "another user's token is not revoked"


def test_logout_twice_is_400_the_second_time(customer):
    tokens = login()
    assert logout(tokens["access"], {"refresh": tokens["refresh"]}).status_code == 200
    again = logout(tokens["access"], {"refresh": tokens["refresh"]})
    assert again.status_code == 400 and again.json()["errors"] == {"refresh": ["Token is blacklisted"]}


# --- password change and deactivation ------------------------------------------------------------
def test_a_password_change_ends_every_token_and_session_of_the_user(customer, staff_user):
    tokens, other_device = login(), login()
    session = browser_session(customer)
    bystander = login(staff_user.email)

    customer.set_password("a-brand-new-pass-42")
    customer.save()

    assert me(tokens["access"]).status_code == 401
    assert me(other_device["access"]).status_code == 401
    assert refresh(tokens["refresh"]).status_code == 401
    assert refresh(other_device["refresh"]).status_code == 401
    assert session.get("/api/v1/auth/me").status_code == 401
    assert me(bystander["access"]).status_code == 200, "other users keep theirs"
    fresh = login(password="a-brand-new-pass-42")
    assert me(fresh["access"]).status_code == 200 and refresh(fresh["refresh"]).status_code == 200


def test_a_password_change_in_the_admin_ends_the_users_tokens(customer, admin_client):
    tokens = login()
    response = admin_client.post(
        f"/admin/shop/user/{customer.pk}/password/",
        {"password1": "changed-by-staff-77", "password2": "changed-by-staff-77", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]

    assert me(tokens["access"]).status_code == 401
    assert refresh(tokens["refresh"]).status_code == 401


def test_deactivation_ends_every_token_and_session_even_after_reactivation(
    customer, django_capture_on_commit_callbacks
):
    tokens = login()
    session = browser_session(customer)

    with django_capture_on_commit_callbacks(execute=True):  # as after a commit: the cached user is cleared
        customer.is_active = False
        customer.save(update_fields=["is_active"])

    assert me(tokens["access"]).status_code == 401
    assert refresh(tokens["refresh"]).status_code == 401
    assert session.get("/api/v1/auth/me").status_code == 401

    customer.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        customer.is_active = True
        customer.save()

    assert me(tokens["access"]).status_code == 401, "a reactivated account does not revive old tokens"
    assert refresh(tokens["refresh"]).status_code == 401
    assert session.get("/api/v1/auth/me").status_code == 401
    # `iat` has whole seconds: a token issued in the second of the deactivation is refused too.
    time.sleep(max(0.0, math.floor(customer.auth_revoked_at.timestamp()) + 1.01 - time.time()))
    fresh = login()
    assert me(fresh["access"]).status_code == 200 and refresh(fresh["refresh"]).status_code == 200


def test_deactivation_in_the_admin_ends_the_staff_session(staff_user, admin_client):
    session = browser_session(staff_user)
    assert session.get("/admin/records/").status_code == 200
    tokens = login(staff_user.email)

    boss = admin_client
    form = boss.get(f"/admin/shop/user/{staff_user.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(is_active="", groups=[], user_permissions=[], is_staff="on")
    response = boss.post(f"/admin/shop/user/{staff_user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response

    staff_user.refresh_from_db()
    assert staff_user.is_active is False and staff_user.auth_revoked_at is not None
    assert session.get("/admin/records/").status_code == 302
    assert me(tokens["access"]).status_code == 401


def test_inactive_users_tokens_are_refused_even_without_the_revocation_mark(customer):
    """QuerySet.update() skips User.save(): no auth_revoked_at, but inactive is refused all the same."""
    tokens = login()
    User.objects.filter(pk=customer.pk).update(is_active=False)
    assert me(tokens["access"]).status_code == 401
    assert refresh(tokens["refresh"]).status_code == 401


def test_the_revocation_check_applies_to_whatever_get_user_returns(customer):
    """The lead will serve get_user from a cache: the check must use that object, not a fresh DB row."""
    tokens = login()
    request = APIRequestFactory().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    stale = User.objects.get(pk=customer.pk)
    stale.set_password("changed-elsewhere-9")  # what a cache would hold after the change

    class CachedUserAuthentication(JWTAuthentication):
        def get_user(self, validated_token):
            return stale

    with pytest.raises(AuthenticationFailed):
        CachedUserAuthentication().authenticate(request)
    fresh = User.objects.get(pk=customer.pk)
    assert JWTAuthentication().authenticate(request)[0] == fresh, "the database row still accepts it"


def test_tokens_without_the_password_claim_are_refused(customer):
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken()
    token["user_id"] = str(customer.pk)
    assert me(str(token)).status_code == 401
