"""Settings for the test suite: PostgreSQL and Redis on this machine, a key prefix of the run's own."""

import os
import uuid

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
os.environ.setdefault("SHOP_ALLOW_DEV_SECRET", "1")
os.environ.setdefault("PAYMENT_WEBHOOK_SECRET", "test-webhook-secret")

from .settings import *  # noqa: E402,F401,F403
from .settings import CACHES  # noqa: E402

CACHE_KEY_PREFIX = f"test-{uuid.uuid4().hex[:10]}"
CACHES["default"]["KEY_PREFIX"] = f"{CACHE_KEY_PREFIX}:django"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
