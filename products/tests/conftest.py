from shop.testing.api import admin_api, anon_api, customer_api, no_throttle_history  # noqa: F401 - fixtures
