"""The core's cache families: the business row, and the users that requests authenticate as."""

from shop.cache import Rows, declare

USER_AUTH = declare(
    "users:auth",
    pattern="users:{id}",
    ttl=600,
    depends_on=[Rows("shop.User", keys=lambda change: [{"id": change.pk}])],
)
BUSINESS_INFO = declare(
    "business:info",
    pattern="business:info",
    ttl=None,
    depends_on=[Rows("shop.Business")],
)
