"""Call each cached endpoint twice over HTTP and check the second answer came from the cache.

    python manage.py cache_check --base-url http://127.0.0.1:8000 \
        --email admin@example.com --password demo-admin-pass

The endpoints are those of the declared cached reads (shop.cache.cached_reads), with the first
product of the server's own list filled in. With an admin token (--token, or --email/--password to
log in) it first clears every family (DELETE /api/v1/cache/all) so that each first call must be a
MISS; without one it only reports, and the admin-only dashboard endpoints are skipped. Exits
non-zero when a check fails.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from shop.cache import cached_reads

API = "/api/v1"


@dataclass(frozen=True)
class Reply:
    status: int
    seconds: float
    x_cache: str | None
    body: dict | None

    @property
    def from_cache(self):
        data = (self.body or {}).get("data")
        return data.get("fromCache") if isinstance(data, dict) else None

    @property
    def summary(self) -> str:
        x_cache = self.x_cache or "-"
        return f"{self.seconds * 1000:7.1f} ms  {self.status}  X-Cache {x_cache:<4}  fromCache {self.from_cache}"


@dataclass(frozen=True)
class Verdict:
    outcome: str  # "ok", "fail" or "skip"
    reason: str


def http(method: str, url: str, *, token: str | None = None, payload: dict | None = None, timeout: float = 30) -> Reply:
    headers = {"Accept": "application/json"}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if payload is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, x_cache = response.status, response.read(), response.headers.get("X-Cache")
    except urllib.error.HTTPError as error:
        status, raw, x_cache = error.code, error.read(), error.headers.get("X-Cache")
    elapsed = time.perf_counter() - started
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    return Reply(status=status, seconds=elapsed, x_cache=x_cache, body=body)


def judge(first: Reply, second: Reply, *, cold: bool, admin: bool) -> Verdict:
    """Did this endpoint go MISS → HIT (fromCache false → true)?"""
    for reply in (first, second):
        if reply.status in (401, 403) and not admin:
            return Verdict("skip", f"needs an admin token ({reply.status})")
        if not 200 <= reply.status < 300:
            return Verdict("fail", f"HTTP {reply.status}")
        if reply.from_cache is None or reply.x_cache not in ("HIT", "MISS"):
            return Verdict("fail", "no data.fromCache or X-Cache header")
        if reply.from_cache != (reply.x_cache == "HIT"):
            return Verdict("fail", f"fromCache {reply.from_cache} disagrees with X-Cache {reply.x_cache}")
    if not second.from_cache:
        return Verdict("fail", "second call was not served from the cache")
    if not first.from_cache:
        return Verdict("ok", "MISS → HIT")
    if cold:
        return Verdict("fail", "first call was a HIT although the cache had just been cleared")
    return Verdict("ok", "HIT → HIT (cache was warm; not cleared without an admin token)")


def endpoint_paths(products_reply: Reply) -> tuple[list[str], list[str]]:
    """The cached endpoints to check (public ones first), with the first product's id and category
    filled in; and the URL templates left out for want of a product. Paths are relative to /api/v1."""
    products = ((products_reply.body or {}).get("data") or {}).get("products") or []
    sample = (
        {"category": urllib.parse.quote(str(products[0]["category"])), "product_id": products[0]["id"]}
        if products
        else {}
    )
    paths, left_out = [], []
    for read in sorted(cached_reads(), key=lambda r: r.staff):
        filled = read.urls(**sample)
        paths += [url.removeprefix(API) for url in filled]
        left_out += [t.removeprefix(API) for t in read.http if len(filled) < len(read.http) and "{" in t]
    return paths, left_out


class Command(BaseCommand):
    help = "Call each cached endpoint twice and check that data.fromCache and X-Cache go MISS → HIT."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--token", help="an access JWT (an admin's, to clear the cache first)")
        parser.add_argument("--email", help="log in with POST /api/v1/auth/login instead of --token")
        parser.add_argument("--password")
        parser.add_argument("--timeout", type=float, default=30)

    def handle(self, *args, base_url, **options):
        try:
            self.check_endpoints(base_url.rstrip("/") + API, **options)
        except urllib.error.URLError as error:
            raise CommandError(f"Cannot reach {base_url}: {error.reason}") from None

    def check_endpoints(self, base, *, token=None, email=None, password=None, timeout=30, **options):
        if email and not token:
            login = http("POST", f"{base}/auth/login", payload={"email": email, "password": password}, timeout=timeout)
            if login.status != 200:
                raise CommandError(f"Login as {email} failed: HTTP {login.status}")
            token = login.body["data"]["access"]

        listing = http("GET", f"{base}/products", token=token, timeout=timeout)
        paths, left_out = endpoint_paths(listing)
        for template in left_out:
            self.stdout.write(f"skip  {template}: no product to fill it in")

        cold = False
        if token:
            cleared = http("DELETE", f"{base}/cache/all", token=token, timeout=timeout)
            cold = 200 <= cleared.status < 300
            self.stdout.write(
                "Cache cleared before each endpoint: every first call must be a MISS."
                if cold
                else f"Could not clear the cache (HTTP {cleared.status}): reporting only."
            )
        else:
            self.stdout.write("No token: the cache is not cleared first; admin-only endpoints are skipped.")
        admin = cold

        failures = 0
        for path in paths:
            if cold:  # product lists fill the products' own entries: each endpoint starts cold
                http("DELETE", f"{base}/cache/all", token=token, timeout=timeout)
            first = http("GET", base + path, token=token, timeout=timeout)
            second = http("GET", base + path, token=token, timeout=timeout)
            verdict = judge(first, second, cold=cold, admin=admin)
            failures += verdict.outcome == "fail"
            self.stdout.write(f"{verdict.outcome.upper():<4}  GET {API}{path}  {verdict.reason}")
            self.stdout.write(f"        1st {first.summary}")
            self.stdout.write(f"        2nd {second.summary}")
        if failures:
            raise CommandError(f"{failures} of {len(paths)} cache checks failed")
        self.stdout.write(self.style.SUCCESS(f"All {len(paths)} checked endpoints went to the cache."))
