"""API test clients: Bearer-token clients per user, and no throttle history carried between tests.

Registered for the whole suite by the root conftest (pytest_plugins).
"""

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from shop.api.throttling import throttle_history


def bearer_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def _forget_throttle_history():
    throttle_history.reset()
    try:
        caches["throttle"].delete_pattern("throttle_*")
    except Exception:  # noqa: BLE001 - a test may have pointed the throttle cache at a dead Redis
        pass


@pytest.fixture(autouse=True)
def no_throttle_history():
    """Throttle history lives in the shared Redis (and, during an outage, in memory); no test inherits or leaves any."""
    _forget_throttle_history()
    yield
    _forget_throttle_history()


@pytest.fixture
def anon_api():
    return bearer_client()


@pytest.fixture
def admin_api(admin_user):
    return bearer_client(admin_user)


@pytest.fixture
def customer_api(customer):
    return bearer_client(customer)
