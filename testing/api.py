"""API test clients: Bearer-token clients per user, and no throttle history carried between tests.

Registered for the whole suite by the root conftest (pytest_plugins).
"""

import pytest
from django.core.cache import cache as django_cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken


def bearer_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture(autouse=True)
def no_throttle_history():
    """Login/register throttle history lives in the shared cache; no test inherits or leaves any."""
    django_cache.delete_pattern("throttle_*")
    yield
    django_cache.delete_pattern("throttle_*")


@pytest.fixture
def anon_api():
    return bearer_client()


@pytest.fixture
def admin_api(admin_user):
    return bearer_client(admin_user)


@pytest.fixture
def customer_api(customer):
    return bearer_client(customer)
