"""Settings for the test suite: PostgreSQL and Redis on this machine; a database and a key prefix of the run's own.

The run's names go into the environment, so the servers and workers that tests start as
subprocesses use the same database and prefix.
"""

import os
import uuid

from django.core.exceptions import ImproperlyConfigured

_RUN = uuid.uuid4().hex[:10]
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
os.environ.setdefault("SECRET_KEY", f"test-suite-only-secret-key-of-run-{_RUN}")
os.environ.setdefault("PAYMENT_WEBHOOK_SECRET", "test-webhook-secret")
os.environ.setdefault("TEST_DB_NAME", f"test_shop_{_RUN}")
os.environ.setdefault("CACHE_KEY_PREFIX", f"test-{_RUN}")
# Many tests place a burst of orders as one customer; the tests of the hold limit set their own.
os.environ.setdefault("MAX_OPEN_ORDERS", "1000")

from .base import *
from .base import DATABASES

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        f"The test suite runs on PostgreSQL (its triggers, row locks and concurrency tests need it), but "
        f"DATABASE_URL={os.environ['DATABASE_URL']!r} selects {DATABASES['default']['ENGINE']}. "
        "Unset DATABASE_URL to use postgres://postgres@127.0.0.1:5432/postgres, or point it at a PostgreSQL server."
    )

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
