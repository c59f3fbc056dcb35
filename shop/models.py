"""The store's core data: users, the business row, notifications and the activity log."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from shop.cache.models import OutboxRow  # noqa: F401 - the cache layer's outbox table belongs to this app


def validate_timezone_name(name: str) -> None:
    """An IANA time zone name that this machine's zoneinfo knows (e.g. Europe/Berlin)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"Unknown time zone {name!r}; use an IANA name such as Europe/Berlin.") from exc


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True)
    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=32, blank=True, default="")
    is_staff = models.BooleanField("staff (admin)", default=False)
    is_active = models.BooleanField(default=True, db_index=True)
    date_joined = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when the account is deactivated: every token and session issued before it stays refused, also
    # after a later reactivation (shop.tokens.token_is_current, _get_session_auth_hash below). A password
    # change needs no such mark: tokens and sessions carry a digest of the password hash.
    auth_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["-date_joined"]
        constraints = [
            models.UniqueConstraint(models.functions.Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.email

    @property
    def role(self):
        return "admin" if self.is_staff else "customer"

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email

    def save(self, *args, **kwargs):
        """Deactivating an account (is_active True → False through save(): admin, shell, services) revokes
        its tokens and sessions. A bare QuerySet.update(is_active=False) skips this mark, but its tokens
        and sessions are refused all the same while the account stays inactive. A user built from the
        cache (shop.cached.user_from_cache) carries no password hash and cannot be saved."""
        if hasattr(self, "cached_password_digest"):
            raise TypeError("This user was built from the cache and is read-only; load it from the database")
        if not self.is_active and self.pk is not None:
            was_active = type(self)._default_manager.filter(pk=self.pk, is_active=True).exists()
            if was_active:
                self.auth_revoked_at = timezone.now()
                update_fields = kwargs.get("update_fields")
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "auth_revoked_at"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        """Django's session hash (an HMAC of the password hash, stored at login, compared on every request),
        with the revocation mark mixed in once there is one, so that deactivation ends sessions too.

        Both get_session_auth_hash() and get_session_auth_fallback_hash() (SECRET_KEY_FALLBACKS) call this.
        """
        if self.auth_revoked_at is None:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            f"{self.password}:revoked:{self.auth_revoked_at.isoformat()}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Business(models.Model):
    """The store itself: exactly one row, enforced by the database."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    address = models.CharField(max_length=300, blank=True, default="")
    currency = models.CharField(max_length=3, default="USD")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone_name])
    opening_hours = models.JSONField(default=dict, blank=True)
    is_open = models.BooleanField(default=True)
    delivery_fee = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    min_order_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0, help_text="Percent, e.g. 8.50 for 8.5%.")
    logo_url = models.URLField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "business"
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="business_single_row"),
            models.CheckConstraint(condition=models.Q(delivery_fee__gte=0), name="business_delivery_fee_gte_0"),
            models.CheckConstraint(condition=models.Q(min_order_amount__gte=0), name="business_min_order_gte_0"),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0, tax_rate__lte=100), name="business_tax_rate_0_100"
            ),
        ]

    def __str__(self):
        return self.name


class Notification(models.Model):
    class Delivery(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40, default="order_status")
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True, default="")
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    delivery_status = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.PENDING)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_created"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivery_status="pending"),
                name="notification_pending",
            ),
        ]

    def __str__(self):
        return f"{self.title} → {self.user}"


class Activity(models.Model):
    action = models.CharField(max_length=60, db_index=True)
    description = models.CharField(max_length=500)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # What the entry is about (a product, a coupon...), when the writer names it, as in admin's LogEntry:
    # the back office links the entry to that row.
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"

    def __str__(self):
        return f"{self.action}: {self.description}"
