"""Bearer-token authentication: simplejwt's, plus the revocation check of shop.tokens."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from shop.cached import user_from_cache
from shop.errors import NotFound
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
        """The token's user, by id, read through `users:{id}` (no SQL on a hit); 401 when there is none."""
        try:
            user_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError):
            raise InvalidToken("Token contained no recognizable user identification") from None
        try:
            return user_from_cache(user_id)
        except NotFound:
            raise AuthenticationFailed("User not found", code="user_not_found") from None


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of simplejwt's class (`jwtAuth`, Bearer JWT), for this subclass too."""

    target_class = "shop.api.authentication.JWTAuthentication"
