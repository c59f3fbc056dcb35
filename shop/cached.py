"""The core's cached reads."""

from shop import selectors
from shop.cache import cached
from shop.cache_families import BUSINESS_INFO
from shop.errors import NotFound
from shop.serializers import BusinessOutputSerializer


@cached(BUSINESS_INFO, http=["/api/v1/business"])
def business_info() -> dict:
    """`{business}`; 404 (and nothing cached) while the store has no business row."""
    business = selectors.business_get()
    if business is None:
        raise NotFound("Business not configured")
    return {"business": BusinessOutputSerializer(business).data}
