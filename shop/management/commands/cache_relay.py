"""`python manage.py cache_relay`: apply the invalidation outbox to Redis, from any process, as soon as
Redis answers (see shop/cache/relay.py). Run one beside the web processes; two or more do no harm."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand

from shop.cache.relay import Relay, relay_store


class Command(BaseCommand):
    help = "Apply pending cache invalidations (the outbox) to Redis; woken by NOTIFY, with a short poll."

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=None, help="seconds between polls (CACHE_RELAY_POLL)")
        parser.add_argument("--once", action="store_true", help="apply what is pending now, then exit")

    def handle(self, *args, poll=None, once=False, **options):
        if options["verbosity"] > 0:
            logging.getLogger("shop.cache").setLevel(logging.INFO)
        relay = Relay(store=relay_store(), poll=poll)
        if once:
            applied = relay.run_once()
            self.stdout.write(f"Applied {applied} pending invalidation(s).")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        relay.run_forever(stop)
        self.stdout.write(f"Cache relay stopped; applied {relay.applied} invalidation(s).")
