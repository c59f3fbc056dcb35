"""Auth API: register, login, refresh (rotating), logout (JWT through simplejwt), me."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from shop.api import examples as ex
from shop.api.responses import ok
from shop.api.schema import envelope, error_responses
from shop.api.throttling import ScopedSettingsRateThrottle
from shop.api.validation import validated_input
from shop.doors import lockout_seconds_left
from shop.serializers import (
    LoginInputSerializer,
    LogoutInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    UserOutputSerializer,
)
from shop.services import token_pair_issue, token_pair_refresh, token_revoke, user_create

TOKENS_ENVELOPE = envelope(
    "AuthTokens",
    {"user": UserOutputSerializer(), "access": serializers.CharField(), "refresh": serializers.CharField()},
)


def _tokens_for(user) -> dict:
    return {"user": UserOutputSerializer(user).data, **token_pair_issue(user=user)}


class CredentialsApi(APIView):
    """Endpoints that take credentials in the body: a stale token in the header must not get in the way."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [ScopedSettingsRateThrottle]

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class RegisterApi(CredentialsApi):
    throttle_scope = "register"

    @extend_schema(
        operation_id="auth_register",
        summary="Create a customer account and log it in",
        description=(
            "Creates a customer (never an admin) and answers with the user and a fresh token pair. The "
            "password must pass the password rules (length, not common, not all digits, not like the email "
            "or name). Throttled per client address."
        ),
        request=RegisterInputSerializer,
        responses={201: TOKENS_ENVELOPE, **error_responses(400, 429)},
        examples=[
            ex.request({"email": "new.customer@example.com", "password": "plum-kettle-rain-42", "name": "Robin Rye"}),
            ex.answer(
                "Registered", {"user": {**ex.USER, "email": "new.customer@example.com"}, **ex.TOKENS}, status=201
            ),
        ],
        auth=[],
    )
    def post(self, request):
        user = user_create(**validated_input(RegisterInputSerializer, request.data))
        return ok(_tokens_for(user), "Registered", status=201)


class LoginApi(CredentialsApi):
    """The API's password door. Besides its rate (`auth`), it shares the lockout of the other doors
    (shop.doors): a locked-out address or account gets 429 even with the right password."""

    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_login",
        summary="Exchange email and password for an access and a refresh token",
        description=(
            "Wrong credentials are 401. Throttled per client address. Send the access token as "
            "`Authorization: Bearer <access>`; renew it with /auth/refresh."
        ),
        request=LoginInputSerializer,
        responses={200: TOKENS_ENVELOPE, **error_responses(400, 401, 429)},
        examples=[
            ex.request({"email": "customer@example.com", "password": "demo-customer-pass"}, "Demo customer"),
            ex.answer("Logged in", {"user": ex.USER, **ex.TOKENS}),
        ],
        auth=[],
    )
    def post(self, request):
        credentials = validated_input(LoginInputSerializer, request.data)
        # The HttpRequest, not DRF's wrapper: axes marks it (axes_locked_out) and its middleware reads that mark.
        http_request = request._request
        user = authenticate(http_request, username=credentials["email"], password=credentials["password"])
        if getattr(http_request, "axes_locked_out", False):
            raise Throttled(wait=lockout_seconds_left(http_request, {"username": credentials["email"]}))
        if user is None:
            raise AuthenticationFailed("Invalid credentials")
        return ok(_tokens_for(user), "Logged in")


class RefreshApi(CredentialsApi):
    throttle_scope = "refresh"

    @extend_schema(
        operation_id="auth_refresh",
        summary="A new access and refresh token for a refresh token, which stops working",
        description=(
            "The refresh token rotates: the one sent stops working and the answer carries its successor. An "
            "invalid, expired, used or revoked refresh token is 401. Throttled per client address."
        ),
        request=RefreshInputSerializer,
        responses={
            200: envelope("AuthRefresh", {"access": serializers.CharField(), "refresh": serializers.CharField()}),
            **error_responses(400, 401, 429),
        },
        examples=[ex.request({"refresh": ex.TOKENS["refresh"]}), ex.answer("Token refreshed", ex.TOKENS)],
        auth=[],
    )
    def post(self, request):
        refresh = validated_input(RefreshInputSerializer, request.data)["refresh"]
        return ok(token_pair_refresh(refresh=refresh), "Token refreshed")


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        summary="Revoke a refresh token of the logged-in user",
        description=(
            "That refresh token stops working (access tokens expire on their own within minutes). A token that "
            "is not this account's, or no longer works, is 400."
        ),
        request=LogoutInputSerializer,
        responses={200: envelope("AuthLogout"), **error_responses(400, 401)},
        examples=[ex.request({"refresh": ex.TOKENS["refresh"]}), ex.answer("Logged out", None)],
    )
    def post(self, request):
        refresh = validated_input(LogoutInputSerializer, request.data)["refresh"]
        token_revoke(user=request.user, refresh=refresh)
        return ok(None, "Logged out")


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_me",
        summary="The logged-in user",
        description='The account behind the token or session; `role` is "admin" for staff, else "customer".',
        responses={200: envelope("Me", {"user": UserOutputSerializer()}), **error_responses(401)},
        examples=[ex.answer("User retrieved", {"user": ex.USER})],
    )
    def get(self, request):
        return ok({"user": UserOutputSerializer(request.user).data}, "User retrieved")
