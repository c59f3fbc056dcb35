"""Throttles. Rates are read from settings at request time, so an overridden setting takes effect.

DRF's `SimpleRateThrottle.THROTTLE_RATES` is bound once, at import; reading it per request keeps
`override_settings(REST_FRAMEWORK=...)` (and a changed AUTH_THROTTLE_RATE) honest.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class ScopedSettingsRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle (per user, or per client IP when anonymous) keyed by the view's `throttle_scope`."""

    @property
    def THROTTLE_RATES(self):
        return api_settings.DEFAULT_THROTTLE_RATES
