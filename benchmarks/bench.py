#!/usr/bin/env python
"""`make bench`: what the cache buys, measured on a 100,000-order store.

1. Loads the store once into its own PostgreSQL database (shop_bench on 127.0.0.1:5432) with
   seed_demo, and reuses it while it holds about 100,000 orders.
2. Starts a redis-server of its own (free port), so no other Redis traffic disturbs the figures.
3. Serves the app under gunicorn on loopback twice: cache on (hits), then CACHE_ENABLED=0 (the
   database path); drives each cached read with wrk after a warm-up, median of several runs.
   The framework floor (/api/v1/bench/floor, BENCH_FLOOR=1) goes through the same middleware and
   auth and returns a constant: hit throughput is reported as a ratio of it.
4. Counts SQL queries and Redis round trips per request, and SQL per 1,000 requests of a
   realistic mix, in-process (instrument.py).
5. Writes benchmarks/results/bench-latest.{md,json} and bench-latency.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CUSTOMER_EMAIL,
    CUSTOMER_PASSWORD,
    HOST,
    PY,
    ROOT,
    Gunicorn,
    app_env,
    django_eval,
    log,
    login,
    manage,
    request,
    run_main,
    start_own_redis,
)
from benchmarks.report import load_raw, save_raw, write_reports

DB_NAME = os.environ.get("BENCH_DB_NAME") or "shop_bench"
PG_SERVER = os.environ.get("BENCH_PG_SERVER") or "postgres://postgres@127.0.0.1:5432"
STORE_SIZE = {"orders": 100_000, "products": 500, "users": 10_000}
PREFIX = "bench"
FLOOR_PATH = "/api/v1/bench/floor"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"

# name, path (formatted with discovered ids), needs the admin token, cache family
ENDPOINTS = [
    ("floor", "/api/v1/bench/floor", False, None),
    ("products list", "/api/v1/products", False, "products:all"),
    ("products filtered", "/api/v1/products?category={category}&page=1&page_size=20", False, "products:filter"),
    ("product", "/api/v1/products/{product_id}", False, "products:detail"),
    ("business", "/api/v1/business", False, "business:info"),
    ("coupons active", "/api/v1/coupons/active", False, "coupons:active"),
    ("floor (admin token)", "/api/v1/bench/floor", True, None),
    ("dashboard stats", "/api/v1/dashboard/stats", True, "dashboard:stats"),
    ("top products", "/api/v1/dashboard/top-products?limit=5", True, "dashboard:top-products"),
    ("revenue chart", "/api/v1/dashboard/revenue-chart?days=7", True, "dashboard:revenue-chart"),
    ("activities", "/api/v1/dashboard/activities?limit=20", True, "dashboard:activities"),
]


# --- the store -------------------------------------------------------------------------------------
def pg_admin(sql: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql)
        row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None


def store_counts(env: dict) -> dict:
    return json.loads(
        django_eval(
            "import json; from orders.models import Order; from products.models import Product; "
            "from shop.models import User; "
            "print(json.dumps({'orders': Order.objects.count(), 'products': Product.objects.count(), "
            "'users': User.objects.count()}))",
            env=env,
        )
    )


def ensure_store(env: dict) -> dict:
    exists = pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'")
    if not exists:
        log(f"creating database {DB_NAME}")
        pg_admin(f'CREATE DATABASE "{DB_NAME}"')
    manage("migrate", "--noinput", "-v", "0", env=env)
    counts = store_counts(env)
    if counts["orders"] >= 0.95 * STORE_SIZE["orders"]:
        log(f"reusing {DB_NAME}: {counts}")
        return counts | {"seeded_now": False, "seed_seconds": None}
    if counts["orders"] or counts["products"] or counts["users"]:
        log(f"{DB_NAME} holds a partial store {counts}: recreating it")
        pg_admin(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{DB_NAME}"')
        manage("migrate", "--noinput", "-v", "0", env=env)
    log(f"seeding {DB_NAME}: {STORE_SIZE} (one time; reused on later runs)")
    started = time.monotonic()
    manage(
        "seed_demo",
        "--orders",
        str(STORE_SIZE["orders"]),
        "--products",
        str(STORE_SIZE["products"]),
        "--users",
        str(STORE_SIZE["users"]),
        env=env,
    )
    seconds = round(time.monotonic() - started, 1)
    log(f"seeded in {seconds} s")
    manage(
        "shell",
        "-c",
        "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
        env=env,
        check=False,
    )
    counts = store_counts(env)
    return counts | {"seeded_now": True, "seed_seconds": seconds}


# --- wrk -----------------------------------------------------------------------------------------------
def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    log("installing wrk from Debian's packages")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, capture_output=True).returncode:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=True)
    return shutil.which("wrk")


def wrk(port: int, path: str, *, token: str | None, seconds: float, connections: int) -> dict:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(WRK_SCRIPT)]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    args.append(f"http://{HOST}:{port}{path}")
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("{"):
            data = json.loads(line)
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            data["errors"] = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
            return data
    raise RuntimeError(f"wrk printed no report: {result.stdout} {result.stderr}")


def redis_stats(redis_server) -> dict[str, int]:
    raw = redis_server.client().hgetall(f"{PREFIX}:_cache:stats")
    return {k.decode(): int(v) for k, v in raw.items()}


def drive(server: Gunicorn, endpoints: list[dict], token: str, args, redis_server, mode: str) -> dict:
    """wrk against every endpoint: a warm-up, then `runs` timed runs; medians."""
    results = {}
    for ep in endpoints:
        ep_token = token if ep["admin"] else None
        for _ in range(2):  # fill the entry (cache on) and check it answers
            status, _, headers, _ = request(server.port, "GET", ep["path"], token=ep_token)
        xcache = headers.get("X-Cache")
        family = ep["family"]
        before = redis_stats(redis_server)
        wrk(server.port, ep["path"], token=ep_token, seconds=args.warmup, connections=args.connections)
        runs, floor_runs = [], []
        for _ in range(args.runs):
            if mode == "hit" and family:
                # The floor, interleaved with the endpoint: each ratio compares runs seconds apart, so
                # other work on the machine drifting in or out moves both sides of it alike.
                floor_runs.append(
                    wrk(server.port, FLOOR_PATH, token=ep_token, seconds=args.duration, connections=args.connections)
                )
            runs.append(
                wrk(server.port, ep["path"], token=ep_token, seconds=args.duration, connections=args.connections)
            )
        after = redis_stats(redis_server)
        hits = after.get(f"{family}:hits", 0) - before.get(f"{family}:hits", 0) if family else None
        misses = after.get(f"{family}:misses", 0) - before.get(f"{family}:misses", 0) if family else None
        results[ep["name"]] = {
            "status": status,
            "x_cache": xcache,
            "rps": statistics.median(r["rps"] for r in runs),
            "p50_ms": statistics.median(r["p50_us"] for r in runs) / 1000,
            "p99_ms": statistics.median(r["p99_us"] for r in runs) / 1000,
            "requests": sum(r["requests"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "non_2xx": sum(r["status"] for r in runs),
            "runs": [{k: r[k] for k in ("rps", "p50_us", "p99_us", "requests", "errors")} for r in runs],
            "floor_ratio": statistics.median(r["rps"] / f["rps"] for r, f in zip(runs, floor_runs))
            if floor_runs
            else None,
            "floor_rps": statistics.median(f["rps"] for f in floor_runs) if floor_runs else None,
            "rss_kib_after": server.worker_rss_kib(),
            "layer_hits": hits,
            "layer_misses": misses,
        }
        log(
            f"  {mode:4} {ep['name']:22} {results[ep['name']]['rps']:8.0f} req/s  "
            f"p50 {results[ep['name']]['p50_ms']:8.2f} ms  p99 {results[ep['name']]['p99_ms']:8.2f} ms  "
            f"X-Cache {xcache}  errors {results[ep['name']]['errors']}"
            + (f"  ÷ floor {results[ep['name']]['floor_ratio']:.2f}" if floor_runs else "")
        )
    return results


def serve_and_drive(env: dict, mode: str, endpoints: list[dict], token: str | None, args, redis_server) -> dict:
    server = Gunicorn(
        env=env, name=f"bench-{mode}", workers=args.workers, worker_class=args.worker_class, threads=args.threads
    ).start()
    try:
        token = token or login(server.port, ADMIN_EMAIL, ADMIN_PASSWORD)
        available = []
        for ep in endpoints:
            status, _, _, _ = request(server.port, "GET", ep["path"], token=token if ep["admin"] else None)
            if status == 200:
                available.append(ep)
            else:
                log(f"  {ep['name']}: {ep['path']} answered {status}; left out")
        # Every code path under load in every worker before the first RSS reading: the start of the run
        # is the workers' steady state, so growth after it is growth, not warm-up.
        warmup_peak: dict[int, int] = {}
        for ep in available:
            wrk(
                server.port,
                ep["path"],
                token=token if ep["admin"] else None,
                seconds=args.warmup,
                connections=args.connections,
            )
            for pid, kib in server.worker_rss_kib().items():
                warmup_peak[pid] = max(warmup_peak.get(pid, 0), kib or 0)
        rss_start = server.worker_rss_kib()
        results = drive(server, available, token, args, redis_server, mode)
        rss_end = server.worker_rss_kib()
        memory = None
        if mode == "hit":
            for ep in available:  # refill what expired during the runs, then weigh each family
                request(server.port, "GET", ep["path"], token=token if ep["admin"] else None)
            memory = instrument(env, "memory")
        return {
            "endpoints": results,
            "rss_start_kib": rss_start,
            "rss_warmup_peak_kib": warmup_peak,
            "rss_end_kib": rss_end,
            "memory": memory,
            "token": token,
        }
    finally:
        server.stop()


def instrument(env: dict, *command: str) -> dict:
    result = subprocess.run(
        [PY, str(ROOT / "benchmarks" / "instrument.py"), *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode:
        raise RuntimeError(f"instrument.py {command[0]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    line = next(ln for ln in reversed(result.stdout.splitlines()) if ln.startswith("JSON:"))
    return json.loads(line[5:])


def discover(env: dict) -> dict:
    return json.loads(
        django_eval(
            "import json; from products.models import Product\n"
            "active = Product.objects.filter(is_active=True).order_by('id')\n"
            "from shop.models import Business\n"
            "ids = list(active.values_list('id', flat=True))\n"
            "cats = sorted(set(active.values_list('category', flat=True)))\n"
            "orderable = {p.id: str(p.price) for p in active.filter(stock__gte=200)[:100]}\n"
            "business = Business.objects.first()\n"
            "minimum = str(business.min_order_amount) if business else '0'\n"
            "print(json.dumps({'product_ids': ids, 'categories': cats, 'orderable': orderable, "
            "'min_order_amount': minimum}))",
            env=env,
        )
    )


def hit_saved(run: dict) -> dict:
    return {k: v for k, v in run.items() if k != "token"}  # no credentials in the results


def machine() -> dict:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = int(
        next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
    )
    pg_version = pg_admin("SHOW server_version")
    redis_version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    import django

    return {
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg_version,
        "redis": redis_version.removeprefix("v="),
        "wrk": wrk_version,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3, help="seconds per timed wrk run")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of wrk warm-up per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 3)))
    parser.add_argument("--worker-class", default=os.environ.get("BENCH_WORKER_CLASS", "sync"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-counts", action="store_true", help="leave out the in-process counts and the mix")
    parser.add_argument("--report-only", action="store_true", help="redraw the report from bench-latest.json")
    args = parser.parse_args()
    if args.report_only:
        print(write_reports(load_raw()))
        return 0
    started = time.monotonic()

    ensure_wrk()
    redis_server = start_own_redis()
    log(f"own redis-server on port {redis_server.port}")
    env = app_env(database_url=f"{PG_SERVER}/{DB_NAME}", redis_url=redis_server.url, prefix=PREFIX)
    store = ensure_store(env)
    bench_started = time.monotonic()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    found = discover(env)
    params = {"category": quote(found["categories"][0]), "product_id": found["product_ids"][0]}
    endpoints = [{"name": n, "path": p.format(**params), "admin": a, "family": f} for n, p, a, f in ENDPOINTS]

    log(
        f"cache ON: gunicorn {args.workers} × {args.worker_class}, wrk -c{args.connections}, "
        f"{args.runs} × {args.duration} s after {args.warmup} s warm-up"
    )
    hit = serve_and_drive(
        app_env(
            database_url=env["DATABASE_URL"],
            redis_url=redis_server.url,
            prefix=PREFIX,
            CACHE_ENABLED="1",
            BENCH_FLOOR="1",
        ),
        "hit",
        endpoints,
        None,
        args,
        redis_server,
    )
    log("cache OFF (CACHE_ENABLED=0): the database path")
    miss = serve_and_drive(
        app_env(
            database_url=env["DATABASE_URL"],
            redis_url=redis_server.url,
            prefix=PREFIX,
            CACHE_ENABLED="0",
            BENCH_FLOOR="1",
        ),
        "miss",
        endpoints,
        hit["token"],
        args,
        redis_server,
    )
    counts = None
    if not args.skip_counts:
        log("counting SQL queries and Redis round trips in-process; the 1,000-request mix, cache off then on")
        spec = {
            "endpoints": [ep for ep in endpoints if ep["family"]],
            "admin_email": ADMIN_EMAIL,
            "admin_password": ADMIN_PASSWORD,
            "customer_email": CUSTOMER_EMAIL,
            "customer_password": CUSTOMER_PASSWORD,
            **found,
        }
        save_raw({"partial": True, "hit": hit_saved(hit), "miss": hit_saved(miss)})
        counts = instrument(dict(env, BENCH_FLOOR="1"), "counts", json.dumps(spec))

    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": load_before,
        "store": store,
        "setup": {
            "gunicorn": f"{args.workers} × {args.worker_class} workers"
            + (f", {args.threads} threads" if args.worker_class == "gthread" else ""),
            "wrk": f"1 thread, {args.connections} connections, {args.warmup} s warm-up, "
            f"median of {args.runs} × {args.duration} s",
            "redis": "own redis-server on loopback",
            "database": f"PostgreSQL {DB_NAME} on 127.0.0.1:5432",
        },
        "endpoints": endpoints,
        "hit": hit_saved(hit),
        "miss": hit_saved(miss),
        "counts": counts,
        "bench_seconds": round(time.monotonic() - bench_started, 1),
        "total_seconds": round(time.monotonic() - started, 1),
    }
    markdown = write_reports(result)
    print()
    print(markdown)
    return 0


if __name__ == "__main__":
    run_main(main)
