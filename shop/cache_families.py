"""The core's cache families: the business row, and the users that requests authenticate as."""

from shop.cache import Rows, declare

BUSINESS_INFO = declare(
    "business:info",
    pattern="business:info",
    ttl=None,
    depends_on=[Rows("shop.Business")],
)
