"""Settings for the store. Everything environment-specific comes from environment variables."""

import json
import os
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name, default):
    value = os.environ.get(name)
    try:
        return float(value) if value not in (None, "") else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

_INSECURE_DEV_KEY = "django-insecure-dev-key-only-for-local-debugging"
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = _INSECURE_DEV_KEY
    else:
        raise ImproperlyConfigured("SECRET_KEY is not set. Set SECRET_KEY (or DEBUG=1 for local development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DJANGO_APPS = [
    # Django's admin with the back office's site (the dashboard as its home): dashboard/sites.py.
    "dashboard.sites.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "drf_spectacular",
    "rest_framework_simplejwt.token_blacklist",
    "axes",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
]
LOCAL_APPS = [
    "shop.apps.ShopConfig",
    "products.apps.ProductsConfig",
    "orders.apps.OrdersConfig",
    "dashboard.apps.DashboardConfig",
    "demo.apps.DemoConfig",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# CORS first (its headers go on every answer, early refusals included); the API edge next, before
# anything reads a body (size, media type, JSON depth, the query string; the envelope for every error
# under /api/); security headers and the CSP on whatever comes back.
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "shop.api.middleware.ApiEdgeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff pages (admin and dashboard) run on the store's clock, Business.timezone.
    "dashboard.middleware.StoreTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a login refused for too many failures into the lockout answer.
    "axes.middleware.AxesMiddleware",
]
if env_list("DATABASE_REPLICA_URLS", []):
    # Marks each request, so its uncached reads may go to a caught-up replica (shop/db_routing.py).
    MIDDLEWARE.insert(0, "shop.db_routing.replica_reads")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.backoffice",
            ],
        },
    },
]

# Database: a SQLite file by default, PostgreSQL (or anything dj-database-url reads) via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env_float("DATABASE_CONN_MAX_AGE", 60)),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", int(env_float("DATABASE_CONNECT_TIMEOUT", 3)))
    # The test settings give each run a database of its own (TEST_DB_NAME).
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DB_NAME") or "test_shop"}
    # One name per process, which the outbox triggers record as the writer (hashed): the writing process
    # finds its own rows by it, also behind PgBouncer, where backend pids are not the server's.
    DATABASES["default"]["OPTIONS"].setdefault("application_name", f"shop {socket.gethostname()} {os.getpid()}"[:63])

# PgBouncer in transaction mode in front of PostgreSQL (DATABASE_URL points at it): no server-side cursors (a
# cursor would outlive the transaction that PgBouncer lends a server connection for). Django binds parameters
# client-side and keeps no other session state; the relay LISTENs through CACHE_RELAY_DATABASE_URL.
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)
if DATABASE_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A direct connection (not through PgBouncer) for the relay's LISTEN; default: DATABASE_URL.
CACHE_RELAY_DATABASE_URL = os.environ.get("CACHE_RELAY_DATABASE_URL") or ""

# Read replicas (PostgreSQL streaming replicas of the primary, comma-separated URLs). A request's uncached
# reads go to a replica that has replayed everything the primary had written when the request's first read
# came, else to the primary; writes, transactions, the outbox and cache loaders always use the primary
# (shop/db_routing.py). Tests never create them (they mirror the primary).
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    DATABASES[f"replica{_number}"] = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    _options = DATABASES[f"replica{_number}"].setdefault("OPTIONS", {})  # keeps what the URL says (sslmode=...)
    _options.setdefault("connect_timeout", int(env_float("DATABASE_CONNECT_TIMEOUT", 3)))
    DATABASES[f"replica{_number}"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["shop.db_routing.ReplicaRouter"] if DATABASE_REPLICA_URLS else []

AUTH_USER_MODEL = "shop.User"
# django-axes first: it refuses a locked-out login before any password is checked (see "Password guessing").
AUTHENTICATION_BACKENDS = [
    "shop.doors.LoginLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Hashed, compressed names from collectstatic's manifest; before collectstatic has run (or for a file
# it did not collect) the plain name, which whitenoise serves from the apps' own static folders
# (WHITENOISE_USE_FINDERS). So every page works whatever DEBUG is, collected or not.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "shop.staticfiles.ManifestStaticFilesWithFallback"
        if env_bool("SHOP_MANIFEST_STATIC", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis cache -------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
# Past one Redis (README, "Past one machine"): a Sentinel-managed primary (host:port list of the sentinels and
# the name they know the primary by) or a Redis Cluster (host:port list of some of its nodes). With Sentinel,
# REDIS_URL's host is not used; its database number and password are. The cache layer, the throttle cache and a
# Redis broker of Celery's follow a failover by themselves.
REDIS_SENTINELS = env_list("REDIS_SENTINELS", [])
REDIS_SENTINEL_MASTER = os.environ.get("REDIS_SENTINEL_MASTER") or "shopcache"
REDIS_CLUSTER_NODES = env_list("REDIS_CLUSTER_NODES", [])
if REDIS_SENTINELS and REDIS_CLUSTER_NODES:
    raise ImproperlyConfigured("Set REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both.")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX") or "shop"
# Short timeouts: a hung Redis must cost a request this much at most, and only until the breaker opens.
CACHE_SOCKET_TIMEOUT = env_float("CACHE_SOCKET_TIMEOUT", 0.25)
CACHE_CONNECT_TIMEOUT = env_float("CACHE_CONNECT_TIMEOUT", 0.25)
CACHE_BREAKER_COOLDOWN = env_float("CACHE_BREAKER_COOLDOWN", 5.0)
CACHE_STAMPEDE_WAIT = env_float("CACHE_STAMPEDE_WAIT", 2.0)
CACHE_LOCK_TTL = env_float("CACHE_LOCK_TTL", 10.0)
CACHE_ENABLED = env_bool("CACHE_ENABLED", True)
# At most this many keys per family: past it, new keys of that family are served uncached until old ones expire.
CACHE_MAX_KEYS = int(env_float("CACHE_MAX_KEYS", 10_000))
# The relay's poll (seconds): how soon it notices Redis back, and its fallback when NOTIFY is missed.
CACHE_RELAY_POLL = env_float("CACHE_RELAY_POLL", 0.2)
# Per-family TTL overrides in seconds as JSON, e.g. CACHE_TTLS='{"products:all": 60}'.
try:
    CACHE_TTLS = json.loads(os.environ.get("CACHE_TTLS") or "{}")
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured(f"CACHE_TTLS must be a JSON object of family name to seconds: {exc}") from exc

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:django",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": CACHE_CONNECT_TIMEOUT,
            "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            "IGNORE_EXCEPTIONS": True,
            "CONNECTION_POOL_KWARGS": {"retry_on_timeout": False, "health_check_interval": 0},
        },
    }
}
# Rate-limit history (DRF throttles). Same Redis, but errors are raised, not swallowed, so that
# shop.api.throttling can notice an outage and count in this process's memory instead: a throttle
# must not switch itself off while Redis is unreachable.
CACHES["throttle"] = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:throttle",
    "OPTIONS": {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "SOCKET_CONNECT_TIMEOUT": CACHE_CONNECT_TIMEOUT,
        "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
        "IGNORE_EXCEPTIONS": False,
        "CONNECTION_POOL_KWARGS": {"retry_on_timeout": False, "health_check_interval": 0},
    },
}
if REDIS_SENTINELS:
    # Both Django caches (the default one and the throttle history) on the Sentinel-managed primary; reads
    # too (throttle history must not lag behind on a replica).
    _redis = urlsplit(REDIS_URL)
    for _cache in ("default", "throttle"):
        CACHES[_cache]["LOCATION"] = f"redis://{quote(REDIS_SENTINEL_MASTER)}{_redis.path or '/0'}?is_master=1"
        CACHES[_cache]["OPTIONS"].update(
            CONNECTION_FACTORY="django_redis.pool.SentinelConnectionFactory",
            CONNECTION_POOL_CLASS="redis.sentinel.SentinelConnectionPool",
            SENTINELS=[(host, int(port)) for host, _, port in (node.rpartition(":") for node in REDIS_SENTINELS)],
            SENTINEL_KWARGS={"socket_timeout": CACHE_SOCKET_TIMEOUT, "socket_connect_timeout": CACHE_CONNECT_TIMEOUT},
            PASSWORD=_redis.password,
        )
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery ------------------------------------------------------------------------------------
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
# Eager tasks never reach a broker; the in-memory transport keeps kombu from looking for one.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None


def sentinel_url(url: str | None) -> str | None:
    """A redis:// URL of Celery's turned into kombu's Sentinel form (`sentinel://h:p/db;sentinel://...`)
    when REDIS_SENTINELS is set; other URLs (amqp://, memory://) as they are."""
    if not url or not REDIS_SENTINELS or not url.startswith(("redis://", "rediss://")):
        return url
    parts = urlsplit(url)
    auth = f":{parts.password}@" if parts.password else ""
    return ";".join(f"sentinel://{auth}{node}{parts.path or '/0'}" for node in REDIS_SENTINELS)


_BROKER_VIA_SENTINEL = sentinel_url(CELERY_BROKER_URL) != CELERY_BROKER_URL
CELERY_BROKER_URL = sentinel_url(CELERY_BROKER_URL)
if CELERY_RESULT_BACKEND and sentinel_url(CELERY_RESULT_BACKEND) != CELERY_RESULT_BACKEND:
    CELERY_RESULT_BACKEND = sentinel_url(CELERY_RESULT_BACKEND)
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"master_name": REDIS_SENTINEL_MASTER}
if REDIS_SENTINELS:  # Celery reads these variables before its settings: hand it the Sentinel form
    for _name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        if os.environ.get(_name):
            os.environ[_name] = globals()[_name]
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 2.0)
# Publishing fails fast when the broker is down (shop.queueing.enqueue logs it once and moves on);
# the worker itself keeps reconnecting at start-up and after losing the broker.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
        "socket_timeout": env_float("CELERY_BROKER_SOCKET_TIMEOUT", 3.0),  # above kombu's 1 s BRPOP
        "max_retries": 0,
    }
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else {}
)
if _BROKER_VIA_SENTINEL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "master_name": REDIS_SENTINEL_MASTER,
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
        "socket_timeout": env_float("CELERY_BROKER_SOCKET_TIMEOUT", 3.0),
        "max_retries": 0,
        "sentinel_kwargs": {"socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT},
    }
# After a failed publish, skip the broker this long before trying again (one timeout per outage, not per request).
CELERY_PUBLISH_COOLDOWN = env_float("CELERY_PUBLISH_COOLDOWN", 5.0)
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Notification delivery: the channel class (dotted path), retries with exponential backoff (seconds),
# and beat's re-queue of deliveries still pending after a while (never queued, or lost).
NOTIFICATION_CHANNEL = os.environ.get("NOTIFICATION_CHANNEL") or "shop.channels.LogChannel"
NOTIFICATION_DELIVERY_MAX_RETRIES = int(env_float("NOTIFICATION_DELIVERY_MAX_RETRIES", 5))
NOTIFICATION_DELIVERY_BACKOFF = env_float("NOTIFICATION_DELIVERY_BACKOFF", 2.0)
NOTIFICATION_DELIVERY_BACKOFF_MAX = env_float("NOTIFICATION_DELIVERY_BACKOFF_MAX", 300.0)
NOTIFICATION_RETRY_PENDING_AFTER_MINUTES = env_float("NOTIFICATION_RETRY_PENDING_AFTER_MINUTES", 10)
NOTIFICATION_RETRY_PENDING_BATCH = int(env_float("NOTIFICATION_RETRY_PENDING_BATCH", 500))

# Dashboard warm-up: a burst of writes rebuilds each dashboard family once per this many seconds.
DASHBOARD_WARMUP_DEBOUNCE = env_float("DASHBOARD_WARMUP_DEBOUNCE", 2.0)
# Rebuild dashboard:stats:today this often; keep it below that family's TTL (120 s) so it never expires.
DASHBOARD_STATS_REFRESH_SECONDS = env_float("DASHBOARD_STATS_REFRESH_SECONDS", 100.0)

# Orders: an unpaid pending order (a hold on stock) is cancelled by beat after ORDER_HOLD_MINUTES;
# a customer holds at most MAX_OPEN_ORDERS of them at once.
ORDER_HOLD_MINUTES = int(env_float("ORDER_HOLD_MINUTES", 30))
MAX_OPEN_ORDERS = int(env_float("MAX_OPEN_ORDERS", 5))

# Beat. Crontab times are in CELERY_TIMEZONE = TIME_ZONE. The midnight rollover ticks every quarter
# hour and acts only in the first quarter hour of the day in the business's own timezone (Business.timezone,
# else TIME_ZONE), so it follows that row. `expires` drops runs that a stopped worker missed.
CELERY_BEAT_SCHEDULE = {
    "dashboard-stats-refresh": {
        "task": "dashboard.tasks.dashboard_stats_refresh",
        "schedule": DASHBOARD_STATS_REFRESH_SECONDS,
        "options": {"expires": DASHBOARD_STATS_REFRESH_SECONDS},
    },
    "dashboard-stats-midnight-rollover": {
        "task": "dashboard.tasks.dashboard_stats_rollover",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
    "coupons-deactivate-expired": {
        "task": "orders.tasks.coupons_deactivate_expired",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "orders-expire-unpaid-holds": {
        "task": "orders.tasks.order_holds_expire",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "notifications-retry-pending": {
        "task": "shop.tasks.notifications_retry_pending",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
}

# --- API ---------------------------------------------------------------------------------------
# How many reverse proxies in front of the app add X-Forwarded-For / X-Forwarded-Proto. 0: none, so
# those headers come from the client and are never trusted (client address = REMOTE_ADDR, no HTTPS claim).
NUM_PROXIES = int(env_float("NUM_PROXIES", 0))
if NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES must be 0 or more, got {NUM_PROXIES}")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shop.api.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["shop.api.body.EdgeJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "shop.api.body.JSONOnlyNegotiation",
    # No OPTIONS metadata: OPTIONS is 405 like any method a route does not have (CORS preflights are
    # answered by django-cors-headers before any view).
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_SCHEMA_CLASS": "shop.api.schema.ShopAutoSchema",
    "EXCEPTION_HANDLER": "shop.api.exceptions.envelope_exception_handler",
    # Per client address (per user once logged in). Redis holds the history; while it is unreachable
    # each process counts in its own memory (shop.api.throttling), so the limits still hold.
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("AUTH_THROTTLE_RATE") or "20/min",  # POST /auth/login
        "register": os.environ.get("REGISTER_THROTTLE_RATE") or "20/hour",  # POST /auth/register
        "refresh": os.environ.get("REFRESH_THROTTLE_RATE") or "60/min",  # POST /auth/refresh
        # Per user: POST /orders, and POST /coupons/validate (a guessing oracle for codes otherwise).
        "order_place": os.environ.get("ORDER_PLACE_THROTTLE_RATE") or "10/min",
        "coupon_validate": os.environ.get("COUPON_VALIDATE_THROTTLE_RATE") or "30/min",
    },
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles identify clients by REMOTE_ADDR unless NUM_PROXIES says how many proxies add X-Forwarded-For
    # (DRF's default, None, would trust a client-supplied X-Forwarded-For and let it dodge the login throttle).
    "NUM_PROXIES": NUM_PROXIES,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_float("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_float("JWT_REFRESH_DAYS", 7)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": True,
    # Revocable tokens: a refresh token is single-use (each refresh returns a new one and blacklists the old),
    # POST /auth/logout blacklists one, and every token carries a digest of its user's password hash, so a
    # password change ends them all; deactivation ends them through User.auth_revoked_at
    # (shop.tokens.token_is_current, checked by shop.api.authentication.JWTAuthentication and on refresh).
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "CHECK_REVOKE_TOKEN": True,
    "REVOKE_TOKEN_CLAIM": "pwd",
}

# --- Password guessing (django-axes) -------------------------------------------------------------
# Every door that checks a password (POST /api/v1/auth/login, /accounts/login/, /admin/login/) goes
# through django.contrib.auth.authenticate(), so they share these limits: after LOGIN_FAILURE_LIMIT
# failures from one client address, or against one account (from any address), within
# LOGIN_COOLOFF_MINUTES, further attempts from that address / on that account are refused (429) until
# LOGIN_COOLOFF_MINUTES have passed since the last counted failure, even with the right password.
# Failures are recorded in PostgreSQL (axes' database handler), so the limits hold while Redis is down.
AXES_FAILURE_LIMIT = int(env_float("LOGIN_FAILURE_LIMIT", 10))
AXES_COOLOFF_TIME = timedelta(minutes=env_float("LOGIN_COOLOFF_MINUTES", 15))
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME.total_seconds() <= 0:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT must be 1 or more and LOGIN_COOLOFF_MINUTES above 0")
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # each on its own: per address OR per account
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "shop.doors.login_username"  # case-folded email: one account, one counter
AXES_CLIENT_IP_CALLABLE = "shop.doors.client_ip"  # the address DRF's throttles use (NUM_PROXIES)
AXES_LOCKOUT_CALLABLE = "shop.doors.lockout_response"  # 429 page; the API answers with its envelope
# Attempts refused during a lockout are not recorded: the lockout ends LOGIN_COOLOFF_MINUTES after the
# last counted failure, and a flood of refused attempts does not grow the attempts table.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False  # a login to one's own account must not reset the counter of an address
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not logged forever; failures are, until they expire

# Request limits at the edge (shop.api.middleware): a body over MAX_REQUEST_BODY_BYTES is 413 before
# anything reads it; JSON nested deeper than MAX_JSON_DEPTH is 400. Django's own form-body cap follows.
MAX_REQUEST_BODY_BYTES = int(env_float("MAX_REQUEST_BODY_BYTES", 1024 * 1024))
MAX_JSON_DEPTH = int(env_float("MAX_JSON_DEPTH", 32))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

SPECTACULAR_SETTINGS = {
    "TITLE": "Store API",
    "DESCRIPTION": (BASE_DIR / "shop" / "api" / "description.md").read_text(),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "OrderPaymentStatusEnum": "orders.models.Order.PaymentStatus",
        "PaymentStatusEnum": "orders.models.Payment.Status",
        "PaymentMethodEnum": "orders.models.Order.PaymentMethod",
        "DiscountTypeEnum": "orders.models.Coupon.DiscountType",
        "HealthStatusEnum": ["ok", "degraded", "down"],
        "ComponentStatusEnum": ["ok", "down"],
        # One `code` per error status (shop.api.responses.ERROR_OF_STATUS).
        **{
            f"{''.join(part.title() for part in code.split('_'))}CodeEnum": [code]
            for code in (
                "validation_error",
                "not_authenticated",
                "permission_denied",
                "not_found",
                "method_not_allowed",
                "conflict",
                "payload_too_large",
                "unsupported_media_type",
                "throttled",
                "server_error",
                "unavailable",
            )
        },
    },
    "TAGS": [
        {"name": "auth", "description": "Accounts and JWT tokens."},
        {"name": "business", "description": "The store itself: name, hours, fees, tax."},
        {"name": "products", "description": "The catalogue. Reads are public and cached."},
        {"name": "coupons", "description": "Discount codes: the active list (public), checks, admin CRUD."},
        {"name": "orders", "description": "Placing, reading, cancelling orders; the status flow (admin)."},
        {"name": "payments", "description": "Payments of orders and the payment provider's webhook."},
        {"name": "notifications", "description": "The logged-in user's notifications."},
        {"name": "dashboard", "description": "Cached figures for staff (admin)."},
        {"name": "operations", "description": "Health, cache statistics and clearing (admin)."},
    ],
    # Swagger UI and ReDoc from the project's own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True, "displayOperationId": True},
    "REDOC_UI_SETTINGS": {"hideDownloadButton": False, "expandResponses": "200,201"},
    # Ids in paths are positive integers of at most 18 digits (`<id:...>`, shop.api.converters).
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "shop.api.schema.postprocess"],
}

# Browser apps on other origins (django-cors-headers): none unless listed. Only the API answers them.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_EXPOSE_HEADERS = ["ETag", "X-Cache", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 600

# Content-Security-Policy on every page (django-csp): scripts, styles, fonts and connections from the
# site itself only, never inline. Images may also be data: URIs (Swagger UI's icons); ReDoc runs its
# search in a blob: worker. /api/redoc/ adds a nonce and a hash for the styles ReDoc's own bundle
# creates (shop/api/docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

PAYMENT_WEBHOOK_SECRET = os.environ.get("PAYMENT_WEBHOOK_SECRET") or ("dev-webhook-secret" if DEBUG else "")

# --- Security (production defaults; DEBUG relaxes nothing but what runserver needs) --------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = int(env_float("SECURE_HSTS_SECONDS", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# X-Forwarded-Proto says "this came in over HTTPS" only when a proxy of ours sets it; with NUM_PROXIES=0
# it would be the client's own claim.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NUM_PROXIES > 0 else None
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "shop": {"level": os.environ.get("SHOP_LOG_LEVEL") or "INFO"},
        "django.request": {"level": "ERROR"},
    },
}
