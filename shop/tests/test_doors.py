"""Password guessing is limited on every door that checks a password (issue 13, items 1 and 8).

POST /api/v1/auth/login, /accounts/login/ and /admin/login/ share django-axes' limits: per client
address and per account (settings LOGIN_FAILURE_LIMIT / LOGIN_COOLOFF_MINUTES), counted in
PostgreSQL, so they hold while Redis is unreachable. Those three are the only doors: the password-reset
pages, which would tell who has an account, are gone (issue 13, item 14).
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from shop.baker_recipes import PASSWORD
from testing.api import bearer_client

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
COOLOFF_SECONDS = int(settings.AXES_COOLOFF_TIME.total_seconds())
LOCKED = {"success": False, "code": "throttled", "message": "Too many requests", "errors": None}


def api_login(email, password, **extra):
    return bearer_client().post("/api/v1/auth/login", {"email": email, "password": password}, format="json", **extra)


def form_login(door, email, password, client=None, **extra):
    """A browser at the HTML door `door` ("/accounts/login/" or "/admin/login/")."""
    client = client or Client()
    response = client.post(door, {"username": email, "password": password, "next": "/dashboard/"}, **extra)
    return client, response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_locked_page(response):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= COOLOFF_SECONDS
    assert b"Too many failed login attempts" in response.content


def test_forty_wrong_admin_passwords_then_the_right_one_does_not_log_in_at_the_admin(staff_user):
    """The attack as reported: 40 wrong passwords at /admin/login/, then the right one got a session."""
    statuses = [form_login("/admin/login/", staff_user.email, f"guess-{n}")[1].status_code for n in range(40)]
    client, response = form_login("/admin/login/", staff_user.email, PASSWORD)

    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)  # the form again, with "please enter a correct email"
    assert set(statuses[LIMIT - 1 :]) == {429}
    assert_locked_page(response)
    assert not logged_in(client)
    assert client.get("/admin/records/").status_code == 302  # still sent to the login page


def test_guessing_at_the_staff_login_form_is_locked_out_with_a_429_page(staff_user):
    for n in range(LIMIT):
        form_login("/accounts/login/", staff_user.email, f"guess-{n}")
    client, response = form_login("/accounts/login/", staff_user.email, PASSWORD)

    assert_locked_page(response)
    assert b"Try again in 15 minutes" in response.content
    assert not logged_in(client)
    assert client.get("/api/v1/auth/me").status_code == 401, "no session that would work on the API either"


def test_guessing_on_the_forms_locks_the_api_door_too(customer):
    """The three doors share one count: failures at the HTML doors lock the API's login."""
    for n in range(LIMIT):
        door = "/accounts/login/" if n % 2 else "/admin/login/"
        form_login(door, customer.email, f"guess-{n}", REMOTE_ADDR=f"198.51.100.{n + 1}")

    response = api_login(customer.email, PASSWORD, REMOTE_ADDR="203.0.113.50")

    assert response.status_code == 429
    assert response.json() == LOCKED
    assert 0 < int(response["Retry-After"]) <= COOLOFF_SECONDS


def test_guessing_on_the_api_locks_the_forms_too(customer):
    for n in range(LIMIT):
        assert api_login(customer.email, f"guess-{n}", REMOTE_ADDR=f"198.51.100.{n + 1}").status_code in (401, 429)

    client, response = form_login("/accounts/login/", customer.email, PASSWORD, REMOTE_ADDR="203.0.113.50")
    assert_locked_page(response)
    assert not logged_in(client)


def test_guessing_one_account_from_many_addresses_locks_that_account(customer, staff_user):
    """Per account: spreading the guesses over addresses does not help."""
    for n in range(LIMIT - 1):
        assert api_login(customer.email.upper(), f"guess-{n}", REMOTE_ADDR=f"198.51.100.{n + 1}").status_code == 401
    last = api_login(customer.email, "guess-last", REMOTE_ADDR="198.51.100.200")
    right = api_login(customer.email, PASSWORD, REMOTE_ADDR="203.0.113.50")
    other_account = api_login(staff_user.email, PASSWORD, REMOTE_ADDR="203.0.113.50")

    assert last.status_code == 429, "the failure that reaches the limit already answers 429"
    assert right.status_code == 429 and right.json() == LOCKED
    assert other_account.status_code == 200, "only that account is locked, not the address"


def test_password_spraying_from_one_address_locks_that_address(customer):
    """Per address: one wrong guess for each of many accounts."""
    for n in range(LIMIT):
        api_login(f"user{n}@example.test", "Winter2024!", REMOTE_ADDR="198.51.100.9")

    same_address = api_login(customer.email, PASSWORD, REMOTE_ADDR="198.51.100.9")
    other_address = api_login(customer.email, PASSWORD, REMOTE_ADDR="198.51.100.10")

    assert same_address.status_code == 429 and same_address.json() == LOCKED
    assert other_address.status_code == 200


def test_a_spoofed_x_forwarded_for_does_not_dodge_the_address_limit(customer):
    """With NUM_PROXIES=0 the client's own X-Forwarded-For is not its address."""
    for n in range(LIMIT):
        form_login("/accounts/login/", f"user{n}@example.test", "guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}")

    client, response = form_login("/accounts/login/", customer.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.250")
    assert_locked_page(response)
    assert AccessAttempt.objects.filter(ip_address="127.0.0.1").count() == LIMIT


def test_the_lockout_ends_after_the_cool_off(customer):
    for n in range(LIMIT):
        api_login(customer.email, f"guess-{n}")
    assert api_login(customer.email, PASSWORD).status_code == 429

    past = AccessAttempt.objects.get().attempt_time - timedelta(seconds=COOLOFF_SECONDS + 1)
    AccessAttempt.objects.update(attempt_time=past)

    assert api_login(customer.email, PASSWORD).status_code == 200


def test_refused_attempts_during_a_lockout_do_not_extend_it_or_grow_the_table(customer):
    for n in range(LIMIT):
        form_login("/accounts/login/", customer.email, f"guess-{n}")
    before = AccessAttempt.objects.get()

    for n in range(20):
        assert form_login("/accounts/login/", customer.email, f"more-{n}")[1].status_code == 429

    after = AccessAttempt.objects.get()
    assert (after.failures_since_start, after.attempt_time) == (before.failures_since_start, before.attempt_time)
    assert len(after.post_data) == len(before.post_data)


def test_password_guessing_stays_limited_while_redis_is_down(redis_server, own_redis_store, customer, staff_user):
    """Item 8: every cache (Django's and the layer's) on a redis-server that is then killed. 40 wrong
    passwords over the three doors, then the right one at each door: none logs in."""
    caches = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": redis_server.url},
        "throttle": {**settings.CACHES["throttle"], "LOCATION": redis_server.url},
    }
    with override_settings(CACHES=caches):
        redis_server.kill()
        for n in range(40):
            if n % 3 == 0:
                api_login(staff_user.email, f"guess-{n}")
            else:
                form_login("/accounts/login/" if n % 3 == 1 else "/admin/login/", staff_user.email, f"guess-{n}")

        api = api_login(staff_user.email, PASSWORD, REMOTE_ADDR="203.0.113.7")
        staff_client, staff_page = form_login("/accounts/login/", staff_user.email, PASSWORD)
        admin_client, admin_page = form_login("/admin/login/", staff_user.email, PASSWORD)

    assert api.status_code == 429 and api.json() == LOCKED
    assert_locked_page(staff_page)
    assert_locked_page(admin_page)
    assert not logged_in(staff_client) and not logged_in(admin_client)


def test_the_login_throttle_still_counts_while_redis_is_down(redis_server, anon_api, customer):
    """Item 8, the rate limit itself: with Redis unreachable DRF's throttle counts in the process's memory."""
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "3/min"}}
    caches = {**settings.CACHES, "throttle": {**settings.CACHES["throttle"], "LOCATION": redis_server.url}}
    body = {"email": customer.email, "password": "wrong-password"}
    with override_settings(REST_FRAMEWORK=rates, CACHES=caches, AXES_FAILURE_LIMIT=1000):
        redis_server.kill()
        client = anon_api
        statuses = [client.post("/api/v1/auth/login", body, format="json").status_code for _ in range(3)]
        throttled = client.post("/api/v1/auth/login", body, format="json")
        other_address = client.post("/api/v1/auth/login", body, format="json", REMOTE_ADDR="198.51.100.7")

    assert statuses == [401, 401, 401]
    assert throttled.status_code == 429 and throttled.json() == LOCKED
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert other_address.status_code == 401


def test_authenticate_without_a_request_is_no_door(customer):
    """The shell or a script (no client, nothing to count) still authenticates; the doors stay locked."""
    from django.contrib.auth import authenticate

    for n in range(LIMIT):
        form_login("/accounts/login/", customer.email, f"guess-{n}")

    assert authenticate(username=customer.email, password=PASSWORD) == customer
    assert authenticate(username=customer.email, password="wrong") is None
    assert api_login(customer.email, PASSWORD).status_code == 429


# --- account enumeration (issue 13, item 14) ------------------------------------------------------
# The password-reset pages are gone (no mail is configured): only the doors that check a password stay.
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
def test_password_reset_pages_cannot_be_used_to_probe_accounts(client, customer, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"email": customer.email}).status_code == 404


def test_the_login_pages_stay(client, customer):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 200
    assert b"password_reset" not in client.get("/admin/login/").content
