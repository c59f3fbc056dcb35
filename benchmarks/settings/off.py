"""Cache off: every read from PostgreSQL (CACHE_ENABLED=0). The reference answers come from here."""

from .base import *  # noqa: F403

CACHE_ENABLED = False
