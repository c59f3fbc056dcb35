"""Redis status, memory and every cache family with its keys, TTLs left and counters.

python manage.py cache_monitor             # once
python manage.py cache_monitor --watch 2   # refresh every 2 seconds (Ctrl-C to stop)
"""

import time

from django.core.management.base import BaseCommand

from shop import cache


def _ttl(seconds) -> str:
    if seconds is None:
        return "-"
    return "no expiry" if seconds == -1 else f"{seconds}s"


def _rate(rate) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def monitor_report(*, max_keys: int = 20) -> str:
    store = cache.get_store()
    stats = cache.stats(include_keys=True)
    status = stats["redis"]
    outbox = cache.pending()
    oldest = "-" if outbox["oldestAgeSeconds"] is None else f"{outbox['oldestAgeSeconds']:.1f}s"
    lines = [
        f"Redis {store.url.split('@')[-1]}  prefix {store.prefix!r}",
        f"  status {status['status']}"
        + (f" ({status['reason']})" if status["reason"] else "")
        + f"  version {status['version'] or '-'}  memory {status['usedMemoryHuman'] or '-'}"
        + f"  uptime {status['uptimeSeconds'] if status['uptimeSeconds'] is not None else '-'}s",
        f"  breaker {'open' if status['breakerOpen'] else 'closed'}"
        + f"  outbox: {outbox['count']} invalidation(s) pending, oldest {oldest}",
        "",
        f"{'family':<24} {'ttl':>9} {'keys':>5} {'hits':>7} {'misses':>7} "
        f"{'hit rate':>8} {'invalid.':>8} {'errors':>6}",
    ]
    for name, family in stats["families"].items():
        lines.append(
            f"{name:<24} {_ttl(family['ttl'] if family['ttl'] is not None else -1):>9} {family['keys']:>5}"
            f" {family['hits']:>7} {family['misses']:>7} {_rate(family['hitRate']):>8}"
            f" {family['invalidations']:>8} {family['errors']:>6}"
        )
        keys = family["entries"]
        for entry in keys[:max_keys]:
            lines.append(f"    {entry['key']:<52} TTL left {_ttl(entry['ttl'])}")
        if len(keys) > max_keys:
            lines.append(f"    ... and {len(keys) - max_keys} more")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Show Redis status and memory, and each cache family's keys, TTLs left, hit rate and counters."

    def add_arguments(self, parser):
        parser.add_argument("--watch", type=float, metavar="N", help="refresh every N seconds")
        parser.add_argument("--iterations", type=int, default=0, help="with --watch: stop after this many (0: never)")
        parser.add_argument("--max-keys", type=int, default=20, help="keys listed per family")

    def handle(self, *args, watch=None, iterations=0, max_keys=20, **options):
        if not watch:
            self.stdout.write(monitor_report(max_keys=max_keys))
            return
        clear_screen = self.stdout.isatty()
        shown = 0
        try:
            while not iterations or shown < iterations:
                if clear_screen:
                    self.stdout.write("\033[2J\033[H", ending="")
                self.stdout.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')}  (every {watch:g}s, Ctrl-C to stop)")
                self.stdout.write(monitor_report(max_keys=max_keys))
                self.stdout.write("")
                shown += 1
                if not iterations or shown < iterations:
                    time.sleep(watch)
        except KeyboardInterrupt:
            pass
