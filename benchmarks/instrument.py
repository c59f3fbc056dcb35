"""The in-process half of `make bench`: what a request costs, counted exactly, in one configuration.

Runs inside a Django process configured by bench.py (DJANGO_SETTINGS_MODULE = one of
benchmarks/settings/{off,project,cachalot,cacheops}.py, DATABASE_URL = that configuration's copy
of the store, REDIS_URL = the bench's own redis-server) and writes one JSON file:

    python benchmarks/instrument.py costs  SPEC.json OUT.json   # per endpoint: SQL, round trips, service time
    python benchmarks/instrument.py mixes  SPEC.json OUT.json   # the seeded mixes, step by step
    python benchmarks/instrument.py memory SPEC.json OUT.json   # Redis memory per family (this project)
    python benchmarks/instrument.py orders SPEC.json OUT.json   # one order placement's cost, N times

How it counts:
- SQL: django.test.utils.CaptureQueriesContext around each request made with django.test.Client
  (the full middleware and DRF stack, no network). A peer's cache hit sends no SQL, so it is not counted.
- Redis round trips: every request/reply exchange with Redis goes through redis-py's
  `AbstractConnection.send_packed_command` (a command, a pipeline, an EVALSHA); this process counts
  those calls, whoever makes them (this project's layer, cachalot's django-redis, cacheops, DRF's
  throttle history).
- Service time: time.perf_counter() around the test client's call (wall clock: moves with whatever else
  the machine runs), and CPU time: this process's (time.process_time) plus its PostgreSQL backend's
  and the redis-server's (utime + stime from /proc, in clock ticks: exact over many requests, not one),
  which other load on the machine hardly moves. The relay's own process is not in it.
- Answers: each read's JSON `data`, without `fromCache` and the volatile fields (VOLATILE), hashed;
  the distinct bodies go to a gzipped side file so bench.py can show what differs from cache off.
"""

import gzip
import hashlib
import json
import os
import re
import statistics
import sys
import time
from collections import Counter

import django

django.setup()

import redis.connection  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shop import cache  # noqa: E402

CONFIG = os.environ.get("BENCH_CONFIG", "project")
# Fields that change with the clock, not with the data: when the answer was built, or when a row was
# written (orders placed in each configuration's run are written at different instants).
VOLATILE = frozenset({"fromCache", "lastUpdated", "created_at", "updated_at", "createdAt", "updatedAt"})
FLOOR = "/api/v1/bench/floor"


class RoundTrips:
    count = 0


_send_packed_command = redis.connection.AbstractConnection.send_packed_command


def _counting_send(self, command, check_health=True):
    RoundTrips.count += 1
    return _send_packed_command(self, command, check_health)


redis.connection.AbstractConnection.send_packed_command = _counting_send


class Cpu:
    """CPU seconds spent on a request: this process, its PostgreSQL backend, the redis-server."""

    tick = os.sysconf("SC_CLK_TCK")
    redis_pid: int | None = None

    @classmethod
    def _proc(cls, pid: int | None) -> float:
        if not pid:
            return 0.0
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / cls.tick

    @classmethod
    def now(cls) -> tuple[float, int | None, float, float]:
        if cls.redis_pid is None:
            cls.redis_pid = int(redis.Redis.from_url(settings.REDIS_URL).info("server")["process_id"])
        backend = connection.connection.info.backend_pid if connection.connection is not None else None
        return time.process_time(), backend, cls._proc(backend), cls._proc(cls.redis_pid)

    @staticmethod
    def parts(before, after) -> tuple[float, float, float]:
        """Seconds between two readings: app, database (if the connection stayed the same), Redis."""
        database = after[2] - before[2] if before[1] == after[1] else 0.0
        return after[0] - before[0], database, after[3] - before[3]

    @classmethod
    def spent(cls, before, after) -> float:
        return sum(cls.parts(before, after))


# --- the configuration's own cache ---------------------------------------------------------------
def clear_caches() -> None:
    """Start cold: empty whatever cache this configuration has."""
    if CONFIG == "project":
        cache.clear("all", cause="bench: start cold")
    elif CONFIG == "cachalot":
        from cachalot.api import invalidate

        invalidate()
    elif CONFIG == "cacheops":
        from cacheops import invalidate_all

        invalidate_all()


def project_family_stats() -> dict:
    if CONFIG != "project":
        return {}
    families = cache.stats()["families"]
    return {
        name: {k: f[k] for k in ("hits", "misses", "hitRate", "invalidations", "errors", "keys")}
        for name, f in families.items()
    }


# --- one request ----------------------------------------------------------------------------------
def normalized(value):
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def answer(response) -> tuple[str | None, bytes | None]:
    """The digest and canonical bytes of a JSON answer's data (None for an empty body)."""
    if not response.content:
        return None, None
    try:
        body = response.json()
    except ValueError:
        return None, None
    data = normalized(body.get("data") if isinstance(body, dict) and "data" in body else body)
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.blake2b(raw, digest_size=12).hexdigest(), raw


def call(client: Client, method: str, path: str, token: str | None = None, body=None, **headers) -> dict:
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    cpu = Cpu.now()
    RoundTrips.count = 0
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(path, **headers)
        else:
            response = client.post(path, data=json.dumps(body), content_type="application/json", **headers)
    seconds = time.perf_counter() - started
    cpu_seconds = Cpu.spent(cpu, Cpu.now())
    return {
        "status": response.status_code,
        "xcache": response.headers.get("X-Cache"),
        "sql": len(queries.captured_queries),
        "sql_text": [q["sql"] for q in queries.captured_queries],
        "redis": RoundTrips.count,
        "ms": seconds * 1000,
        "cpu_ms": cpu_seconds * 1000,
        "response": response,
    }


def login(client: Client, email: str, password: str) -> str:
    response = client.post(
        "/api/v1/auth/login", data=json.dumps({"email": email, "password": password}), content_type="application/json"
    )
    if response.status_code != 200:
        raise SystemExit(f"login as {email} failed: {response.status_code} {response.content[:200]!r}")
    return response.json()["data"]["access"]


def timed(client: Client, path: str, token: str | None, *, most: int, budget_s: float, **headers) -> tuple:
    """Up to `most` requests within about `budget_s` seconds (at least 5): the median wall-clock ms,
    the mean CPU ms (this process + its PostgreSQL backend + redis-server) per request, and that CPU
    split as {app, db, redis}."""
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    samples, deadline = [], time.perf_counter() + budget_s
    cpu = Cpu.now()
    while len(samples) < most and (len(samples) < 5 or time.perf_counter() < deadline):
        started = time.perf_counter()
        client.get(path, **headers)
        samples.append(time.perf_counter() - started)
    parts = [round(p * 1000 / len(samples), 4) for p in Cpu.parts(cpu, Cpu.now())]
    return round(statistics.median(samples) * 1000, 4), round(sum(parts), 4), dict(zip(("app", "db", "redis"), parts))


def sql_shape(sql: str) -> str:
    """A query's shape: its text up to the WHERE clause's values (enough to tell which read made it)."""
    return " ".join(sql.split())[:110]


# --- commands ---------------------------------------------------------------------------------------
def costs(spec: dict) -> dict:
    """Per endpoint: a cold request (cache just emptied), warm ones, service times; this project also a
    304 (If-None-Match) and the bytes of the answer plain and gzipped."""
    client = Client()
    admin = login(client, spec["admin_email"], spec["admin_password"])
    floor, floor_admin = (
        timed(client, FLOOR, None, most=400, budget_s=1),
        timed(client, FLOOR, admin, most=400, budget_s=1),
    )
    out = {
        "floor_ms": floor[0],
        "floor_cpu_ms": floor[1],
        "floor_cpu_parts": floor[2],
        "floor_admin_ms": floor_admin[0],
        "floor_admin_cpu_ms": floor_admin[1],
        "endpoints": {},
    }
    for ep in spec["endpoints"]:
        token = admin if ep["staff"] else None
        call(client, "GET", ep["path"], token)  # this path's imports and connections, once
        clear_caches()
        cold = call(client, "GET", ep["path"], token)
        warm = [call(client, "GET", ep["path"], token) for _ in range(5)]
        last = warm[-1]["response"]
        warm_ms, warm_cpu_ms, warm_parts = timed(client, ep["path"], token, most=300, budget_s=1)
        result = {
            "status": [cold["status"], *(w["status"] for w in warm)],
            "xcache": [cold["xcache"], *(w["xcache"] for w in warm)],
            "sql_cold": cold["sql"],
            "redis_cold": cold["redis"],
            "sql_warm": max(w["sql"] for w in warm),
            "redis_warm": max(w["redis"] for w in warm),
            "sql_warm_text": [sql_shape(s) for s in warm[-1]["sql_text"]],
            "warm_ms": warm_ms,
            "warm_cpu_ms": warm_cpu_ms,
            "warm_cpu_parts": warm_parts,
            "bytes_plain": len(last.content),
        }
        etag = last.headers.get("ETag")
        if etag:
            gz = call(client, "GET", ep["path"], token, HTTP_ACCEPT_ENCODING="gzip")
            result["bytes_gzip"] = len(gz["response"].content)
            result["gzip_encoded"] = gz["response"].headers.get("Content-Encoding") == "gzip"
            not_modified = [call(client, "GET", ep["path"], token, HTTP_IF_NONE_MATCH=etag) for _ in range(3)]
            ms_304, cpu_304, parts_304 = timed(client, ep["path"], token, most=300, budget_s=1, HTTP_IF_NONE_MATCH=etag)
            result.update(
                etag=etag,
                status_304=[n["status"] for n in not_modified],
                sql_304=max(n["sql"] for n in not_modified),
                redis_304=max(n["redis"] for n in not_modified),
                bytes_304=len(not_modified[-1]["response"].content),
                ms_304=ms_304,
                cpu_ms_304=cpu_304,
                cpu_parts_304=parts_304,
            )
        out["endpoints"][ep["name"]] = result
    return out


def mixes(spec: dict, bodies_path: str) -> dict:
    """Each mix in turn, cold, step by step. The plans are the same for every configuration, and every
    configuration starts from its own copy of the same store, so step k of one is step k of another."""
    client = Client()
    tokens = {
        "read": None,
        "dashboard": login(client, spec["admin_email"], spec["admin_password"]),
        "order": login(client, spec["customer_email"], spec["customer_password"]),
    }
    bodies: dict[str, str] = {}
    out = {}
    for name, plan in spec["mixes"].items():
        clear_caches()
        if CONFIG == "project":
            cache.reset_stats()
        steps, remaining = [], Counter()
        started = time.perf_counter()
        for step in plan:
            result = call(client, step["method"], step["path"], tokens[step["kind"]], step["body"])
            digest = None
            if step["kind"] != "order":
                digest, raw = answer(result["response"])
                if digest and digest not in bodies:
                    bodies[digest] = raw.decode()
                for sql in result["sql_text"]:
                    remaining[f"{step['kind']} {sql_shape(sql)}"] += 1
            steps.append(
                [
                    step["kind"],
                    result["status"],
                    result["sql"],
                    result["redis"],
                    round(result["ms"], 3),
                    digest,
                    result["xcache"],
                    round(result["cpu_ms"], 3),
                ]
            )
        out[name] = {
            "steps": steps,  # kind, status, SQL, Redis round trips, ms, answer digest, X-Cache, CPU ms
            "wall_s": round(time.perf_counter() - started, 2),
            "families": project_family_stats(),
            "sql_shapes": remaining.most_common(25),
        }
    with gzip.open(bodies_path, "wt") as fh:
        json.dump(bodies, fh)
    return out


def memory(spec: dict) -> dict:
    """Redis MEMORY USAGE of each family's live keys (names as the layer documents them:
    `<prefix>:{<group>}:<rest>` for API.md's `<group>:<rest>`)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    families = {}
    for name, family in cache.stats(include_keys=True)["families"].items():
        size = 0
        for entry in family.get("entries", []):
            group, _, rest = entry["key"].partition(":")
            size += client.memory_usage(f"{settings.CACHE_KEY_PREFIX}:{{{group}}}:{rest}", samples=0) or 0
        families[name] = {"keys": family["keys"], "bytes": size}
    return {"families": families, "used_memory": client.info("memory").get("used_memory")}


def _triggers_enabled(triggers: list[list[str]], enabled: bool) -> None:
    with connection.cursor() as cursor:
        for name, table in triggers:
            cursor.execute(f'ALTER TABLE "{table}" {"ENABLE" if enabled else "DISABLE"} TRIGGER {name}')


def orders(spec: dict) -> dict:
    """Order placements through the API (after a few to warm the path): per placement the SQL
    statements sent, those on tables with outbox triggers, Redis round trips and the time.

    With `toggle` (the outbox triggers, as [name, table]), blocks of `block` placements alternate
    between the triggers enabled and disabled (ALTER TABLE ... DISABLE TRIGGER), so both sides see the
    same moments of the machine's other load; the result then has one entry per side."""
    client = Client()
    customer = login(client, spec["customer_email"], spec["customer_password"])
    tracked = set(spec["tracked_tables"])
    toggle, block = spec.get("toggle") or [], spec.get("block", 10)
    sides: dict[str, list] = {"triggers": [], "no triggers": []} if toggle else {"": []}
    for i, body in enumerate(spec["orders"]):
        side = ""
        if toggle:
            side = "triggers" if (i // block) % 2 == 0 else "no triggers"
            if i % block == 0:
                _triggers_enabled(toggle, side == "triggers")
        result = call(client, "POST", "/api/v1/orders", customer, body)
        if result["status"] != 201:
            raise SystemExit(f"order placement answered {result['status']}: {result['response'].content[:300]!r}")
        if i < spec.get("warmup", 0):
            continue
        writes = [s for s in result["sql_text"] if _written_table(s) in tracked]
        sides[side].append(
            {
                "sql": result["sql"],
                "tracked_writes": len(writes),
                "redis": result["redis"],
                "ms": result["ms"],
                "cpu_ms": result["cpu_ms"],
                "shapes": [_shape(s) for s in result["sql_text"]],
            }
        )
    if toggle:
        _triggers_enabled(toggle, True)
        return {side: _summary(samples) for side, samples in sides.items()}
    return _summary(sides[""])


def _summary(samples: list[dict]) -> dict:
    ms = sorted(s["ms"] for s in samples)
    return {
        "n": len(samples),
        "sql": statistics.median(s["sql"] for s in samples),
        "tracked_writes": statistics.median(s["tracked_writes"] for s in samples),
        "redis": statistics.median(s["redis"] for s in samples),
        "p50_ms": round(statistics.median(ms), 3),
        "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "cpu_ms": round(statistics.fmean(s["cpu_ms"] for s in samples), 3),
        "shapes": samples[-1]["shapes"],
    }


def _shape(sql: str) -> str:
    """A statement without its values (literals and numbers), to compare statements across runs."""
    return re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", " ".join(sql.split()))[:100]


def _written_table(sql: str) -> str | None:
    words = sql.split()
    upper = [w.upper() for w in words[:3]]
    if upper[:2] in (["INSERT", "INTO"], ["DELETE", "FROM"]):
        return words[2].strip('"')
    if upper[:1] == ["UPDATE"]:
        return words[1].strip('"')
    return None


if __name__ == "__main__":
    command, spec_path, out_path = sys.argv[1:4]
    with open(spec_path) as fh:
        spec = json.load(fh)
    if command == "costs":
        result = costs(spec)
    elif command == "mixes":
        result = mixes(spec, out_path + ".bodies.gz")
    elif command == "memory":
        result = memory(spec)
    elif command == "orders":
        result = orders(spec)
    else:
        raise SystemExit(f"unknown command {command}")
    with open(out_path, "w") as fh:
        json.dump(result, fh, default=str)
    print(f"{command} done ({CONFIG})")
