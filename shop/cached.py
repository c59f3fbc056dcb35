"""The core's cached reads."""

from django.utils import timezone

from shop import selectors
from shop.cache import cached
from shop.cache_families import BUSINESS_INFO, USER_AUTH
from shop.errors import NotFound
from shop.models import User
from shop.serializers import BusinessOutputSerializer
from shop.tokens import password_digest


@cached(BUSINESS_INFO, http=["/api/v1/business"])
def business_info() -> dict:
    """`{business}`; 404 (and nothing cached) while the store has no business row."""
    business = selectors.business_get()
    if business is None:
        raise NotFound("Business not configured")
    # On the API's clock (settings.TIME_ZONE) whichever request builds it: staff pages run on the store's
    # timezone (dashboard.middleware), and the shared entry must not depend on who asks.
    with timezone.override(timezone.get_default_timezone()):
        return {"business": BusinessOutputSerializer(business).data}


# The fields a request's user needs; never the password hash itself, only the digest tokens carry.
USER_FIELDS = [
    "id",
    "email",
    "name",
    "phone",
    "is_staff",
    "is_superuser",
    "is_active",
    "date_joined",
    "auth_revoked_at",
]


@cached(USER_AUTH, key=lambda user_id: {"id": user_id})
def user_auth(*, user_id: int) -> dict:
    """The user a token names, as authentication needs it (a hit: no SQL). NotFound when gone."""
    user = User.objects.filter(pk=user_id).values(*USER_FIELDS, "password").first()
    if user is None:
        raise NotFound("User not found")
    return {**{name: user[name] for name in USER_FIELDS}, "password_digest": password_digest(user["password"])}


def user_from_cache(user_id: int) -> User:
    """A read-only User built from `users:{id}`: enough for permissions, ownership and token checks."""
    from django.utils.dateparse import parse_datetime

    data = user_auth(user_id=user_id).data
    user = User(
        **{name: data[name] for name in USER_FIELDS if name not in ("date_joined", "auth_revoked_at")},
        date_joined=parse_datetime(data["date_joined"]),
        auth_revoked_at=parse_datetime(data["auth_revoked_at"]) if data["auth_revoked_at"] else None,
    )
    user._state.adding = False
    user.cached_password_digest = data["password_digest"]
    return user
