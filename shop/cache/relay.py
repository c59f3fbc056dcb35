"""The relay: applies whatever the outbox still holds, from any process, as soon as Redis answers.

Woken by PostgreSQL's NOTIFY (sent by the triggers when a writing transaction commits) and by a
short poll (SQLite, missed notifications, Redis coming back). Each pass also checks that Redis is
the server the cache was last trusted on (see recovery.py).
"""

import logging
import select
import threading
import time

from django.conf import settings
from django.db import connection

from .outbox_sql import NOTIFY_CHANNEL
from .recovery import catch_up
from .redis import Store, get_store

logger = logging.getLogger("shop.cache.relay")


def relay_store() -> Store:
    """The relay's own store: the app's settings, but a cool-down short enough to notice Redis's
    return within a fraction of the 1 s bound."""
    store = Store.from_settings()
    store.breaker.cooldown = min(store.breaker.cooldown, settings.CACHE_RELAY_POLL)
    return store


def _libpq_url(url: str) -> str:
    """dj-database-url's schemes (postgres://, postgresql://, pgsql://) as libpq knows them."""
    scheme, _, rest = url.partition("://")
    return f"postgresql://{rest}" if scheme in {"postgres", "pgsql", "postgresql"} else url


class Relay:
    def __init__(self, *, store: Store | None = None, poll: float | None = None):
        self.store = store or get_store()
        self.poll = poll if poll is not None else settings.CACHE_RELAY_POLL
        self.applied = 0
        self._listener = None

    # --- one pass ------------------------------------------------------------------------------
    def run_once(self) -> int:
        """Catch up: the Redis identity check, then everything pending. Returns rows applied."""
        total = catch_up(self.store, relay=True) or 0
        if total:
            logger.info("Applied %d pending invalidation(s)", total)
        self.applied += total
        return total

    # --- waiting -------------------------------------------------------------------------------
    def _listen(self):
        if connection.vendor != "postgresql":
            return None
        if self._listener is None or self._listener.closed:
            import psycopg

            if settings.CACHE_RELAY_DATABASE_URL:  # direct, not through PgBouncer (which can't keep a LISTEN)
                self._listener = psycopg.connect(
                    _libpq_url(settings.CACHE_RELAY_DATABASE_URL), autocommit=True, connect_timeout=3
                )
            else:
                params = connection.get_connection_params()
                self._listener = psycopg.connect(**params, autocommit=True)
            self._listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        return self._listener

    def wait(self, timeout: float) -> None:
        """Until a NOTIFY arrives or `timeout` passes (or the listening connection breaks)."""
        try:
            listener = self._listen()
        except Exception as error:  # noqa: BLE001 - PostgreSQL down: poll instead
            logger.warning("Relay cannot LISTEN (%s); polling", error)
            self._listener = None
            time.sleep(timeout)
            return
        if listener is None:
            time.sleep(timeout)
            return
        try:
            ready, _, _ = select.select([listener.fileno()], [], [], timeout)
            if ready:
                for _ in listener.notifies(timeout=0):
                    pass
        except Exception as error:  # noqa: BLE001
            logger.warning("Relay lost its LISTEN connection (%s); reconnecting", error)
            try:
                listener.close()
            finally:
                self._listener = None

    def run_forever(self, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        try:  # LISTEN before the first pass: a commit right after that pass wakes it, not the next poll
            self._listen()
        except Exception as error:  # noqa: BLE001 - the database is away: wait() polls and tries again
            logger.warning("Relay cannot LISTEN yet (%s)", error)
            self._listener = None
        logger.info("Cache relay started (poll %.2fs)", self.poll)
        while not stop.is_set():
            try:
                self.run_once()
            except Exception as error:  # noqa: BLE001 - the database is away: try again after the poll
                logger.warning("Relay pass failed (%s: %s); retrying", type(error).__name__, error)
                connection.close()
            self.wait(self.poll)
        if self._listener is not None:
            self._listener.close()
