"""Auth API: register, login, refresh (JWT through simplejwt), me."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from shop.api.responses import ok
from shop.api.schema import envelope, error_responses
from shop.api.throttling import ScopedSettingsRateThrottle
from shop.api.validation import validated_input
from shop.models import User
from shop.serializers import LoginInputSerializer, RefreshInputSerializer, RegisterInputSerializer, UserOutputSerializer
from shop.services import user_create

TOKENS_ENVELOPE = envelope(
    "AuthTokens",
    {"user": UserOutputSerializer(), "access": serializers.CharField(), "refresh": serializers.CharField()},
)


def _tokens_for(user) -> dict:
    refresh = RefreshToken.for_user(user)
    return {"user": UserOutputSerializer(user).data, "access": str(refresh.access_token), "refresh": str(refresh)}


class CredentialsApi(APIView):
    """Endpoints that take credentials in the body: a stale token in the header must not get in the way."""

    authentication_classes = []
    permission_classes = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class ThrottledCredentialsApi(CredentialsApi):
    """Register and login share the `auth` rate: guessing passwords or farming accounts is slowed down."""

    throttle_classes = [ScopedSettingsRateThrottle]
    throttle_scope = "auth"


class RegisterApi(ThrottledCredentialsApi):
    @extend_schema(
        operation_id="auth_register",
        summary="Create a customer account and log it in",
        request=RegisterInputSerializer,
        responses={201: TOKENS_ENVELOPE, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request):
        user = user_create(**validated_input(RegisterInputSerializer, request.data))
        return ok(_tokens_for(user), "Registered", status=201)


class LoginApi(ThrottledCredentialsApi):
    @extend_schema(
        operation_id="auth_login",
        summary="Exchange email and password for an access and a refresh token",
        request=LoginInputSerializer,
        responses={200: TOKENS_ENVELOPE, **error_responses(400, 401, 429)},
        auth=[],
    )
    def post(self, request):
        credentials = validated_input(LoginInputSerializer, request.data)
        user = authenticate(request, username=credentials["email"], password=credentials["password"])
        if user is None:
            raise AuthenticationFailed("Invalid credentials")
        return ok(_tokens_for(user), "Logged in")


class RefreshApi(CredentialsApi):
    @extend_schema(
        operation_id="auth_refresh",
        summary="A new access token for a refresh token",
        request=RefreshInputSerializer,
        responses={200: envelope("AuthRefresh", {"access": serializers.CharField()}), **error_responses(400, 401)},
        auth=[],
    )
    def post(self, request):
        validated_input(RefreshInputSerializer, request.data)
        refresh = TokenRefreshSerializer(data=request.data)
        try:
            refresh.is_valid(raise_exception=True)
        except (TokenError, User.DoesNotExist):
            raise AuthenticationFailed("Invalid or expired refresh token") from None
        return ok({"access": refresh.validated_data["access"]}, "Token refreshed")


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_me",
        summary="The logged-in user",
        responses={200: envelope("Me", {"user": UserOutputSerializer()}), **error_responses(401)},
    )
    def get(self, request):
        return ok({"user": UserOutputSerializer(request.user).data}, "User retrieved")
