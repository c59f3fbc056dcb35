"""API test clients: Bearer-token clients per user, no throttle history carried between tests, and a
live server for HTTP clients.

Registered for the whole suite by the root conftest (pytest_plugins).
"""

import socket

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import caches
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
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


# The one set of clients. API clients carry a Bearer token, as a mobile app does; `staff_client` is a
# browser session for the dashboard. pytest-django's `client` (anonymous) and `admin_client` (a
# superuser's session, for the Django admin) complete it.


@pytest.fixture
def anon_api():
    return bearer_client()


@pytest.fixture
def customer_api(customer):
    return bearer_client(customer)


@pytest.fixture
def other_api(other_customer):
    return bearer_client(other_customer)


@pytest.fixture
def staff_api(staff_user):
    return bearer_client(staff_user)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


class _NoDelayWSGIServer(ThreadedWSGIServer):
    """Django's threaded test server with Nagle off on each connection. An HTTP client that keeps its
    connection alive (schemathesis, Playwright) otherwise waits ~40 ms per response for a delayed ACK."""

    def get_request(self):
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class _NoDelayLiveServerThread(LiveServerThread):
    server_class = _NoDelayWSGIServer


@pytest.fixture
def api_live_server(transactional_db):
    """A live server on the test database for HTTP clients that keep connections alive (about 10 ms a
    request instead of 50 with pytest-django's `live_server`). Has `.url`."""
    thread = _NoDelayLiveServerThread("localhost", StaticFilesHandler, connections_override={}, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    thread.url = f"http://localhost:{thread.port}"
    yield thread
    thread.terminate()
