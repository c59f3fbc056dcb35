"""The doors that check a password (POST /api/v1/auth/login, /accounts/login/, /admin/login/) and their
shared limits, kept by django-axes (settings: "Password guessing").

All three call django.contrib.auth.authenticate(), where axes' backend refuses a locked-out client or
account before any password is checked and its signal handler counts each failure in PostgreSQL. These
are the callables its settings name: how a client and an account are identified, and what a lockout
looks like on the HTML doors (the API renders its own envelope, see shop.api.auth.LoginApi).
"""

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from shop.views import is_api_path


class LoginLimitBackend(AxesStandaloneBackend):
    """axes' backend (first in AUTHENTICATION_BACKENDS): refuses a locked-out login at every door.

    authenticate() without a request (the shell, a script, a test) is no door and has no client to
    count; axes would raise ValueError there, this lets ModelBackend answer as usual.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The client's address exactly as DRF's throttles see it: REMOTE_ADDR, or with NUM_PROXIES > 0
    the address that many proxies back in X-Forwarded-For. Never a client-supplied header otherwise."""
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


def login_username(request, credentials) -> str | None:
    """The account a login attempt is for: the email, case-folded, as the login itself matches it."""
    value = (credentials or {}).get("username")
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get("username")
    value = str(value or "").strip().lower()
    return value[:255] or None


def lockout_seconds_left(request, credentials) -> int:
    """Seconds until the lockout that refused this attempt ends (for Retry-After)."""
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    limit = get_failure_limit(request, credentials)
    cool_off = get_cool_off(request)
    ends = None
    for attempts in handler.get_user_attempts(request, credentials):
        counted = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        if (counted["failures"] or 0) >= limit:
            candidate = counted["last"] + cool_off
            ends = candidate if ends is None else max(ends, candidate)
    if ends is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((ends - timezone.now()).total_seconds()))


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE: what a refused login answers. Under /api/ the view has already answered
    with the envelope's 429 `throttled`; the HTML doors get a page saying so, with 429 and Retry-After."""
    if is_api_path(request.path):
        return original_response
    seconds = lockout_seconds_left(request, credentials)
    response = render(request, "registration/locked_out.html", {"minutes": max(1, math.ceil(seconds / 60))}, status=429)
    response["Retry-After"] = str(seconds)
    return response
