"""What both peers (django-cachalot, django-cacheops) share: this project's cache off, their ORM
cache on for the tables this project's cached reads and JWT authentication read.

The peers cannot serve our endpoints from stored bytes: the same API views run with the project's
cache disabled (CACHE_ENABLED=0, so every cached read runs its loader) and the peer caches the
loader's ORM queries. Each peer gets a Redis database of its own on the bench's redis-server
(their "clear everything" is FLUSHDB).
"""

from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import REDIS_URL

CACHE_ENABLED = False

# The models behind the cached reads (products:*, business:info, coupons:active, dashboard:*) and
# the user row every JWT request loads.
CACHED_MODELS = [
    "products.Product",
    "shop.Business",
    "orders.Coupon",
    "orders.Order",
    "orders.OrderItem",
    "orders.Payment",
    "shop.Activity",
    "shop.User",
]


def redis_db(number: int) -> str:
    """REDIS_URL with another database number."""
    parts = urlsplit(REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, parts.fragment))
