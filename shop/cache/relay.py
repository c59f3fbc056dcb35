"""The relay: applies whatever the outbox still holds, from any process, as soon as Redis answers.

Woken by PostgreSQL's NOTIFY (sent by the triggers when a writing transaction commits) and by a
short poll (SQLite, missed notifications, Redis coming back). It also watches Redis itself: when
Redis restarted (from its dump or empty) or a replica was promoted, entries may have come back that
invalidations already cleared, so every family is cleared once (`_cache:run_id` remembers which
server the cache was last trusted on).
"""

import logging
import select
import threading
import time

from django.conf import settings
from django.db import connection

from .families import all_families
from .invalidation import clear_families
from .outbox import apply_pending
from .outbox_sql import NOTIFY_CHANNEL
from .redis import CacheUnavailable, Store, get_store

logger = logging.getLogger("shop.cache.relay")


def relay_store() -> Store:
    """The relay's own store: the app's settings, but a cool-down short enough to notice Redis's
    return within a fraction of the 1 s bound."""
    store = Store.from_settings()
    store.breaker.cooldown = min(store.breaker.cooldown, settings.CACHE_RELAY_POLL)
    return store


class Relay:
    def __init__(self, *, store: Store | None = None, poll: float | None = None):
        self.store = store or get_store()
        self.poll = poll if poll is not None else settings.CACHE_RELAY_POLL
        self.applied = 0
        self._listener = None

    # --- Redis restarts ------------------------------------------------------------------------
    def check_redis_identity(self) -> bool | None:
        """Clear every family when Redis is not the server the cache was last trusted on.
        Returns None when Redis can't be reached, else whether it cleared."""
        marker = self.store.meta("run_id")

        def read(r):
            pipe = r.pipeline(transaction=False)
            pipe.info("server")
            pipe.get(marker)
            return pipe.execute()

        try:
            server, seen = self.store.run(read)
        except CacheUnavailable:
            return None
        run_id = server.get("run_id", "")
        if seen is not None and seen.decode() == run_id:
            return False
        if seen is not None:
            logger.warning("Redis restarted or failed over (run_id %s → %s): clearing every family", seen, run_id)
        if not clear_families(all_families(), cause="Redis restarted"):
            return None
        try:
            self.store.run(lambda r: r.set(marker, run_id))
        except CacheUnavailable:
            return None
        return seen is not None

    # --- one pass ------------------------------------------------------------------------------
    def run_once(self) -> int:
        """Apply everything pending (in batches). Returns rows applied in this pass."""
        if self.check_redis_identity() is None:
            return 0
        total = 0
        while True:
            applied = apply_pending()
            total += applied
            if applied == 0:
                break
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
