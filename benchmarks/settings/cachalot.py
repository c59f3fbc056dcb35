"""django-cachalot: caches every SQL query on the listed tables, clears a table's queries on any write to it."""

from .peers import *  # noqa: F403
from .peers import CACHES, INSTALLED_APPS, redis_db

INSTALLED_APPS = [*INSTALLED_APPS, "cachalot"]
CACHES = {
    **CACHES,
    "cachalot": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": redis_db(1),
        "KEY_PREFIX": "cachalot",
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    },
}
CACHALOT_CACHE = "cachalot"
CACHALOT_TIMEOUT = 3600
# The tables of CACHED_MODELS (peers.py), so cachalot caches the same reads and nothing else.
CACHALOT_ONLY_CACHABLE_TABLES = frozenset(
    {
        "products_product",
        "shop_business",
        "orders_coupon",
        "orders_order",
        "orders_orderitem",
        "orders_payment",
        "shop_activity",
        "shop_user",
    }
)
