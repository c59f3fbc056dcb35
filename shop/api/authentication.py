"""Bearer-token authentication: simplejwt's, plus the revocation check of shop.tokens."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from shop.tokens import token_is_current


class JWTAuthentication(authentication.JWTAuthentication):
    """A valid signature is not enough: the token must still speak for its user (token_is_current).

    `get_user` only finds the user; override it to serve users from elsewhere (a cache keyed by
    user id, say). The revocation check runs in `authenticate`, on whatever `get_user` returned.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if not token_is_current(token, user):
            raise AuthenticationFailed("Token revoked: log in again", code="token_revoked")
        return user, token

    def get_user(self, validated_token):
        """The token's user, by id; 401 when there is none."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken("Token contained no recognizable user identification") from None
        try:
            return self.user_model.objects.get(**{api_settings.USER_ID_FIELD: user_id})
        except self.user_model.DoesNotExist:
            raise AuthenticationFailed("User not found", code="user_not_found") from None


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of simplejwt's class (`jwtAuth`, Bearer JWT), for this subclass too."""

    target_class = "shop.api.authentication.JWTAuthentication"
