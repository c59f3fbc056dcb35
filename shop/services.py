"""Writes of the store's core: users, tokens, the business row, notifications."""

from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from shop import cache
from shop.activity import activity_log
from shop.errors import ApplicationError, NotAuthenticated, NotFound
from shop.models import Business, Notification, User
from shop.tokens import token_is_current


def user_create(*, email: str, password: str, name: str, phone: str = "") -> User:
    """A customer account. A concurrent registration of the same email loses with a 400."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, name=name, phone=phone)
            activity_log(action="user.registered", description=f"{user.email} registered", user=user)
    except IntegrityError:
        raise ApplicationError("Validation failed", {"email": ["A user with this email already exists."]}) from None
    return user


def token_pair_issue(*, user: User) -> dict:
    """A new refresh token (recorded as outstanding, so it can be blacklisted) and its access token."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_pair_refresh(*, refresh: str) -> dict:
    """Rotation: a refresh token buys one new pair, once. It is blacklisted in the same transaction, and of
    two concurrent refreshes with one token only the one whose blacklisting inserted the row succeeds."""
    invalid = NotAuthenticated("Invalid or expired refresh token")
    with transaction.atomic():
        try:
            token = RefreshToken(refresh)  # signature, expiry, type, and not blacklisted
        except TokenError:
            raise invalid from None
        user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
        if not token_is_current(token, user):
            raise invalid
        _, blacklisted_now = token.blacklist()
        if not blacklisted_now:
            raise invalid
        return token_pair_issue(user=user)


def token_revoke(*, user: User, refresh: str) -> None:
    """Logout: the caller's refresh token stops working. Someone else's token, or one that no longer
    works (expired, already revoked), is a 400 on the field: nothing to revoke."""
    try:
        token = RefreshToken(refresh)
    except TokenError as error:
        raise ApplicationError("Validation failed", {"refresh": [str(error)]}) from None
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise ApplicationError("Validation failed", {"refresh": ["Not a refresh token of this account."]})
    token.blacklist()


@transaction.atomic
def business_update(*, data: dict, partial: bool, user: User) -> Business:
    """PUT replaces every field (and creates the row if the store has none yet); PATCH changes the given ones."""
    business = Business.objects.select_for_update().first()
    if business is None:
        if partial:
            raise NotFound("Business not configured")
        business = Business()
    elif not partial:
        defaults = Business()
        for field in Business._meta.concrete_fields:
            if field.editable and not field.primary_key:
                setattr(business, field.attname, getattr(defaults, field.attname))
    for name, value in data.items():
        setattr(business, name, value)
    business.full_clean()
    business.save()
    activity_log(
        action="business.updated", description=f"Business settings updated ({', '.join(sorted(data))})", user=user
    )
    return business


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Another user's notification is 404: never reveal it exists."""
    updated = Notification.objects.filter(pk=notification_id, user=user).update(is_read=True)
    if not updated:
        raise NotFound("Notification not found")
    return Notification.objects.get(pk=notification_id)


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, is_read=False).update(is_read=True)


def cache_clear(*, selector: str, user: User | None, source: str) -> list[str]:
    """Empty cache families on demand (the API, the monitor page, seed_demo): a family name
    ("products:all"), a group ("products") or "all". Unknown names are NotFound. Logged as activity."""
    names, _ = cache.clear(selector, cause=f"{source} by {user.email if user else 'the system'}")
    if not names:
        raise NotFound(f"Unknown cache family: {selector}")
    activity_log(action="cache.cleared", description=f"Cache cleared ({source}): {', '.join(names)}", user=user)
    return names


@transaction.atomic
def notification_bulk_mark_read(*, notification_ids: list[int], user: User) -> int:
    """Staff marking any users' notifications read (the admin's bulk action). Returns how many changed."""
    changed = Notification.objects.filter(pk__in=notification_ids, is_read=False).update(is_read=True)
    if changed:
        activity_log(
            action="notification.bulk_read", description=f"{changed} notification(s) marked as read", user=user
        )
    return changed
