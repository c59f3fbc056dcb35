"""The in-process half of `make bench`: counts what a request costs, not how long it takes.

Runs inside a configured Django process (DJANGO_SETTINGS_MODULE, DATABASE_URL, REDIS_URL set by
bench.py) against the same database and Redis as the gunicorn runs, and prints one JSON object.

    python benchmarks/instrument.py counts '<json spec>'   # SQL and Redis round trips per request, the mix
    python benchmarks/instrument.py memory                 # Redis memory per cache family

How it counts:
- SQL: django.test.utils.CaptureQueriesContext around each request made with django.test.Client
  (the full middleware and DRF stack, no network).
- Redis round trips: every request/reply exchange with Redis goes through redis-py's
  `AbstractConnection.send_packed_command` (a command, a pipeline, an EVALSHA of a Lua script);
  this process counts those calls. INFO commandstats would also count the commands that run
  inside the layer's Lua scripts, which are not round trips.
"""

import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from urllib.parse import urlencode

import django

django.setup()

import redis.connection  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shop import cache  # noqa: E402
from shop.cache.store import RedisCacheStore  # noqa: E402


class RoundTrips:
    count = 0


_send_packed_command = redis.connection.AbstractConnection.send_packed_command


def _counting_send(self, command, check_health=True):
    RoundTrips.count += 1
    return _send_packed_command(self, command, check_health)


redis.connection.AbstractConnection.send_packed_command = _counting_send


def disabled_store() -> RedisCacheStore:
    store = RedisCacheStore.from_settings()
    store.enabled = False  # what CACHE_ENABLED=0 gives: every read goes to the database
    return store


def call(client: Client, method: str, path: str, token: str | None = None, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    RoundTrips.count = 0
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(path, **headers)
        else:
            response = client.post(path, data=json.dumps(body), content_type="application/json", **headers)
    return {
        "status": response.status_code,
        "xcache": response.headers.get("X-Cache"),
        "sql": len(queries.captured_queries),
        "sql_text": [q["sql"][:160] for q in queries.captured_queries],
        "redis": RoundTrips.count,
    }


def login(client: Client, email: str, password: str) -> str:
    response = client.post(
        "/api/v1/auth/login", data=json.dumps({"email": email, "password": password}), content_type="application/json"
    )
    if response.status_code != 200:
        raise SystemExit(f"login as {email} failed: {response.status_code} {response.content[:200]!r}")
    return response.json()["data"]["access"]


def median_ms(client: Client, path: str, token: str | None, n: int) -> float:
    """Service time without the network: the median of n requests through the test client."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(path, **headers)
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 3)


def endpoint_costs(client: Client, endpoints: list[dict], admin_token: str) -> dict:
    results = {
        "floor": {"inproc_ms": median_ms(client, "/api/v1/bench/floor", None, 300)},
        "floor (admin token)": {"inproc_ms": median_ms(client, "/api/v1/bench/floor", admin_token, 300)},
    }
    for ep in endpoints:
        token = admin_token if ep["admin"] else None
        call(client, "GET", ep["path"], token)  # warm the process (imports, connections) on this path
        if ep.get("family"):
            cache.clear(ep["family"], cause="bench instrument")
        miss = call(client, "GET", ep["path"], token)
        hits = [call(client, "GET", ep["path"], token) for _ in range(5)]
        hit_ms = median_ms(client, ep["path"], token, 300)
        with cache.use_store(disabled_store()):
            off = [call(client, "GET", ep["path"], token) for _ in range(3)]
            off_ms = median_ms(client, ep["path"], token, 7)
        results[ep["name"]] = {
            "status": [miss["status"], *[h["status"] for h in hits], *[o["status"] for o in off]],
            "miss_xcache": miss["xcache"],
            "hit_xcache": [h["xcache"] for h in hits],
            "sql_miss": miss["sql"],
            "redis_miss": miss["redis"],
            "sql_hit": max(h["sql"] for h in hits),
            "redis_hit": max(h["redis"] for h in hits),
            "sql_hit_text": hits[-1]["sql_text"],
            "sql_off": max(o["sql"] for o in off),
            "redis_off": max(o["redis"] for o in off),
            "inproc_hit_ms": hit_ms,
            "inproc_off_ms": off_ms,
        }
    return results


def mix_plan(spec: dict, n: int = 1000, seed: int = 7) -> list[tuple]:
    """80% product and business reads (anonymous), 15% dashboard reads (staff), 5% order placements.

    Product popularity is skewed as in a real shop (Zipf-like: the k-th product is asked for about
    1/k as often as the first); order placements buy 1-3 products with enough stock, enough of
    them to pass the store's minimum order amount.
    """
    rng = random.Random(seed)
    product_ids, categories = spec["product_ids"], spec["categories"]
    popularity = [1 / (rank + 1) for rank in range(len(product_ids))]
    orderable = {int(pid): Decimal(price) for pid, price in spec["orderable"].items()}
    minimum = Decimal(spec["min_order_amount"])
    plan = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.80:
            kind = rng.random()
            if kind < 0.30:
                plan.append(("read", "GET", "/api/v1/products", None))
            elif kind < 0.50:
                category = rng.choice(categories)
                size = rng.choice([10, 20])
                query = urlencode({"category": category, "page": 1, "page_size": size})
                plan.append(("read", "GET", f"/api/v1/products?{query}", None))
            elif kind < 0.90:
                pid = rng.choices(product_ids, weights=popularity)[0]
                plan.append(("read", "GET", f"/api/v1/products/{pid}", None))
            else:
                plan.append(("read", "GET", "/api/v1/business", None))
        elif roll < 0.95:
            path = rng.choice(
                [
                    "/api/v1/dashboard/stats",
                    "/api/v1/dashboard/top-products?limit=5",
                    "/api/v1/dashboard/revenue-chart?days=7",
                    "/api/v1/dashboard/activities?limit=20",
                ]
            )
            plan.append(("dashboard", "GET", path, None))
        else:
            chosen = rng.sample(sorted(orderable), rng.choice([1, 2, 3]))
            quantities = dict.fromkeys(chosen, 1)
            while sum(orderable[pid] * q for pid, q in quantities.items()) < minimum:
                quantities[chosen[0]] += 1
            body = {
                "items": [{"product_id": pid, "quantity": q} for pid, q in quantities.items()],
                "delivery_address": "1 Benchmark Street",
                "payment_method": "cash",
                "notes": f"bench mix {i}",
            }
            plan.append(("order", "POST", "/api/v1/orders", body))
    return plan


def run_mix(client: Client, plan: list[tuple], tokens: dict) -> dict:
    sql, redis_trips, requests, statuses = Counter(), Counter(), Counter(), Counter()
    for kind, method, path, body in plan:
        token = {"read": None, "dashboard": tokens["admin"], "order": tokens["customer"]}[kind]
        result = call(client, method, path, token, body)
        sql[kind] += result["sql"]
        redis_trips[kind] += result["redis"]
        requests[kind] += 1
        statuses[f"{kind}:{result['status']}"] += 1
    total = sum(requests.values())
    return {
        "requests": dict(requests),
        "sql_by_kind": dict(sql),
        "redis_by_kind": dict(redis_trips),
        "statuses": dict(statuses),
        "sql_total": sum(sql.values()),
        "sql_per_1000": round(sum(sql.values()) * 1000 / total, 1),
        "redis_per_1000": round(sum(redis_trips.values()) * 1000 / total, 1),
    }


def counts(spec: dict) -> dict:
    client = Client()
    admin = login(client, spec["admin_email"], spec["admin_password"])
    customer = login(client, spec["customer_email"], spec["customer_password"])
    out = {"endpoints": endpoint_costs(client, spec["endpoints"], admin)}
    plan = mix_plan(spec)
    with cache.use_store(disabled_store()):
        out["mix_off"] = run_mix(client, plan, {"admin": admin, "customer": customer})
    cache.clear("all", cause="bench mix: start cold")
    out["mix_on"] = run_mix(client, plan, {"admin": admin, "customer": customer})
    return out


def memory() -> dict:
    store = cache.get_store()
    client = store.client
    families = defaultdict(dict)
    for family in cache.all_families():
        keys = store.family_keys(family)
        sizes = [client.memory_usage(store.full_key(k["key"]), samples=0) or 0 for k in keys]
        families[family.name] = {"keys": len(keys), "bytes": sum(sizes)}
    info = client.info("memory")
    return {"families": dict(families), "used_memory": info.get("used_memory")}


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "counts":
        result = counts(json.loads(sys.argv[2]))
    elif command == "memory":
        result = memory()
    else:
        raise SystemExit(f"unknown command {command}")
    print("JSON:" + json.dumps(result))
