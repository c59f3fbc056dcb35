#!/usr/bin/env python
"""`make bench`: what the cache buys on a 100,000-order store, next to cache off and two peers.

1. The store: `shop_bench` (127.0.0.1:5432), seeded once with seed_demo and re-created when its
   migrations are stale (benchmarks/store.py). It is only a template: every phase below runs on a
   fresh copy of it (`CREATE DATABASE ... TEMPLATE`), so every configuration starts from the same rows.
2. The endpoints come from the registry of cached reads (`shop.cache.cached_reads()`, see plan.py).
3. Served (gunicorn on loopback, `manage.py cache_relay` beside it as deployed, own redis-server):
   wrk drives each cached read with the cache on (hits, and 304s with If-None-Match), interleaved
   with the framework floor (/api/v1/bench/floor, benchmark settings only); then with the cache off.
   Bytes on the wire of a repeated poll: plain, gzip, 304.
4. In-process (instrument.py), per configuration — cache off, this project, django-cachalot,
   django-cacheops (benchmarks/settings/) — each on its own copy of the store: per endpoint SQL,
   Redis round trips and service time; then the seeded mixes (read-only, realistic, 20% orders),
   every read's answer compared with the cache-off answer at the same step.
5. One order placement's cost with the outbox triggers and without (a scratch copy, triggers dropped).
6. Writes benchmarks/results/bench-latest.{md,json} and bench-latency.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import plan
from benchmarks.common import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CUSTOMER_EMAIL,
    CUSTOMER_PASSWORD,
    HOST,
    PY,
    ROOT,
    CacheRelay,
    Gunicorn,
    app_env,
    django_eval,
    log,
    login,
    request,
    run_main,
    start_own_redis,
)
from benchmarks.report import load_raw, save_raw, write_reports
from benchmarks.store import DB_NAME, copy_store, db_url, drop_copy, ensure_store, pg_admin

PREFIX = "bench"
FLOOR_PATH = "/api/v1/bench/floor"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
CONFIGS = {
    "off": "cache off",
    "project": "this project",
    "cachalot": "django-cachalot",
    "cacheops": "django-cacheops (+ update() fix)"
    if os.environ.get("BENCH_CACHEOPS_UPDATE_FIX", "1") != "0"
    else "django-cacheops as shipped (no update() fix)",
}


def settings_env(base: dict, config: str, database_url: str, **extra) -> dict:
    return dict(
        base,
        DJANGO_SETTINGS_MODULE=f"benchmarks.settings.{config}",
        BENCH_CONFIG=config,
        DATABASE_URL=database_url,
        **extra,
    )


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


def wrk(port: int, path: str, *, token: str | None, seconds: float, connections: int, headers=()) -> dict:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(WRK_SCRIPT)]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    for header in headers:
        args += ["-H", header]
    args.append(f"http://{HOST}:{port}{path}")
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("{"):
            data = json.loads(line)
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            data["errors"] = sum(data[k] for k in ("connect", "read", "write", "timeout"))
            return data
    raise RuntimeError(f"wrk printed no report: {result.stdout} {result.stderr}")


def summary(runs: list[dict]) -> dict:
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_us"] for r in runs) / 1000,
        "p99_ms": statistics.median(r["p99_us"] for r in runs) / 1000,
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "non_2xx_3xx": sum(r["status"] for r in runs),
    }


def wire_bytes(port: int, path: str, *, token: str | None, headers: dict) -> dict:
    """One GET over a raw socket: the bytes the client receives (status line, headers, body)."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
    received = b""
    with socket.create_connection((HOST, port), timeout=10) as sock:
        sock.sendall(raw)
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    etag = next(
        (ln.split(b":", 1)[1].strip().decode() for ln in head.split(b"\r\n") if ln.lower().startswith(b"etag:")), None
    )
    return {
        "status": status,
        "bytes": len(received),
        "header_bytes": len(head) + 4,
        "body_bytes": len(body),
        "etag": etag,
    }


def poll_bytes(port: int, endpoints: list[dict], token: str) -> dict:
    """Per endpoint: a repeated poll's bytes on the wire, plain, gzip, and 304 with the ETag it was given."""
    out = {}
    for ep in endpoints:
        tok = token if ep["staff"] else None
        plain = wire_bytes(port, ep["path"], token=tok, headers={})
        gz = wire_bytes(port, ep["path"], token=tok, headers={"Accept-Encoding": "gzip"})
        nm = wire_bytes(port, ep["path"], token=tok, headers={"Accept-Encoding": "gzip", "If-None-Match": gz["etag"]})
        out[ep["name"]] = {"plain": plain, "gzip": gz, "304": nm}
    return out


def serve_hits(env: dict, endpoints: list[dict], args) -> dict:
    """Cache on, relay beside gunicorn: per endpoint a warm-up, then `runs` rounds of floor / hit / 304."""
    relay = CacheRelay(env=env, name="bench-relay").start()
    server = Gunicorn(env=env, name="bench-hit", workers=args.workers).start()
    try:
        token = login(server.port, ADMIN_EMAIL, ADMIN_PASSWORD)
        results = {}
        for ep in endpoints:  # every path under load in every worker first
            wrk(server.port, ep["path"], token=token if ep["staff"] else None, seconds=1, connections=args.connections)
        rss_start = server.worker_rss_kib()
        for ep in endpoints:
            tok = token if ep["staff"] else None
            status, _, headers, _ = request(server.port, "GET", ep["path"], token=tok)
            status, _, headers, _ = request(server.port, "GET", ep["path"], token=tok)
            etag = headers.get("ETag") if not ep["staff"] else None  # 304s under load: the public reads
            wrk(server.port, ep["path"], token=tok, seconds=args.warmup, connections=args.connections)
            floor, hit, not_modified = [], [], []
            for _ in range(args.runs):
                # Interleaved: each ratio compares runs seconds apart, so other work on the machine
                # drifting in or out moves both sides alike.
                floor.append(
                    wrk(server.port, FLOOR_PATH, token=tok, seconds=args.duration, connections=args.connections)
                )
                hit.append(wrk(server.port, ep["path"], token=tok, seconds=args.duration, connections=args.connections))
                if etag:
                    not_modified.append(
                        wrk(
                            server.port,
                            ep["path"],
                            token=tok,
                            seconds=args.duration,
                            connections=args.connections,
                            headers=[f"If-None-Match: {etag}"],
                        )
                    )
            row = {
                "status": status,
                "x_cache": headers.get("X-Cache"),
                "etag": etag,
                "hit": summary(hit),
                "floor": summary(floor),
                "hit_floor_ratio": statistics.median(h["rps"] / f["rps"] for h, f in zip(hit, floor)),
            }
            if not_modified:
                row["304"] = summary(not_modified)
                row["304_floor_ratio"] = statistics.median(n["rps"] / f["rps"] for n, f in zip(not_modified, floor))
            results[ep["name"]] = row
            log(
                f"  hit  {ep['name']:26} {row['hit']['rps']:7.0f} req/s p50 {row['hit']['p50_ms']:6.2f} ms  "
                f"÷ floor {row['hit_floor_ratio']:.2f}"
                + (f"  304 ÷ floor {row['304_floor_ratio']:.2f}" if not_modified else "")
            )
        wire = poll_bytes(server.port, endpoints, token)
        return {
            "endpoints": results,
            "wire": wire,
            "rss_start_kib": rss_start,
            "rss_end_kib": server.worker_rss_kib(),
            "token": token,
        }
    finally:
        server.stop()
        relay.stop()


def serve_misses(env: dict, endpoints: list[dict], token: str, args) -> dict:
    server = Gunicorn(env=env, name="bench-miss", workers=args.workers).start()
    try:
        results = {}
        for ep in endpoints:
            tok = token if ep["staff"] else None
            wrk(server.port, ep["path"], token=tok, seconds=args.warmup, connections=args.connections)
            runs = [
                wrk(server.port, ep["path"], token=tok, seconds=args.duration, connections=args.connections)
                for _ in range(max(1, args.runs // 2))
            ]
            results[ep["name"]] = {"miss": summary(runs)}
            log(f"  off  {ep['name']:26} {results[ep['name']]['miss']['rps']:7.0f} req/s")
        return {"endpoints": results}
    finally:
        server.stop()


# --- in-process -----------------------------------------------------------------------------------------
def instrument(env: dict, command: str, spec: dict, workdir: Path, timeout: float = 1800) -> dict:
    spec_path = workdir / f"{env['BENCH_CONFIG']}-{command}-spec.json"
    out_path = workdir / f"{env['BENCH_CONFIG']}-{command}.json"
    spec_path.write_text(json.dumps(spec))
    result = subprocess.run(
        [PY, str(ROOT / "benchmarks" / "instrument.py"), command, str(spec_path), str(out_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(
            f"instrument.py {command} ({env['BENCH_CONFIG']}) failed:\n{result.stdout[-2000:]}\n{result.stderr[-6000:]}"
        )
    return json.loads(out_path.read_text())


def flush_redis(redis_server) -> None:
    redis_server.client().flushall()


def in_process(base_env: dict, endpoints, mixes, redis_server, workdir: Path) -> dict:
    spec = {
        "endpoints": endpoints,
        "mixes": mixes,
        "admin_email": ADMIN_EMAIL,
        "admin_password": ADMIN_PASSWORD,
        "customer_email": CUSTOMER_EMAIL,
        "customer_password": CUSTOMER_PASSWORD,
    }
    results = {}
    for config, label in CONFIGS.items():
        log(f"in-process: {label}")
        name = f"{DB_NAME}_{config}"
        env = settings_env(base_env, config, copy_store(name))
        flush_redis(redis_server)
        relay = CacheRelay(env=env, name=f"relay-{config}").start() if config == "project" else None
        try:
            started = time.monotonic()
            costs = instrument(env, "costs", spec, workdir)
            mixed = instrument(env, "mixes", spec, workdir)
            memory = instrument(env, "memory", spec, workdir) if config == "project" else None
        finally:
            if relay:
                relay.stop()
            drop_copy(name)
        with gzip.open(workdir / f"{config}-mixes.json.bodies.gz", "rt") as fh:
            bodies = json.load(fh)
        results[config] = {"costs": costs, "mixes": mixed, "memory": memory, "bodies": bodies}
        log(f"  {label}: {time.monotonic() - started:.0f} s")
    return results


# --- one order placement's cost: outbox triggers or not --------------------------------------------------
def order_bodies(found: dict, n: int) -> list[dict]:
    from decimal import Decimal

    orderable = sorted(found["orderable"].items(), key=lambda kv: int(kv[0]))
    minimum = Decimal(found["min_order_amount"])
    bodies = []
    for i in range(n):
        a, b = orderable[i % len(orderable)], orderable[(i * 7 + 3) % len(orderable)]
        quantity = 1
        while Decimal(a[1]) * quantity + Decimal(b[1]) < minimum:
            quantity += 1
        bodies.append(
            {
                "items": [{"product_id": int(a[0]), "quantity": quantity}, {"product_id": int(b[0]), "quantity": 1}],
                "delivery_address": "1 Benchmark Street",
                "payment_method": "cash",
                "notes": f"bench order cost {i}",
            }
        )
    return bodies


def scratch_sql(url: str, sql: str, params=None):
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


class WaitSampler:
    """What the database's active sessions on one database are doing, sampled every 10 ms (wait event
    or CPU, and the statement), while a variant runs: where a placement's time goes besides CPU."""

    def __init__(self, url: str, name: str):
        self.url, self.name = url, name
        self.counts: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU'), left(query, 48) "
                    "FROM pg_stat_activity WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()",
                    [self.name],
                ).fetchall()
                for event, query in rows:
                    key = f"{event} in `{' '.join(query.split())}…`"
                    self.counts[key] = self.counts.get(key, 0) + 1
                time.sleep(0.01)

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def top(self, n: int = 4) -> list[tuple[str, int]]:
        return sorted(self.counts.items(), key=lambda kv: -kv[1])[:n]


def order_cost(base_env: dict, found: dict, redis_server, workdir: Path, n: int) -> dict:
    """Order placements on a scratch copy:
    - cache off, blocks of 10 alternating with the outbox triggers enabled and disabled (the triggers'
      own cost, both sides at the same moments of the machine's other load);
    - cache on with the triggers, as deployed: the writer applies its rows after commit, the relay
      runs beside it; then the same without the relay."""
    name = f"{DB_NAME}_cost"
    url = copy_store(name)
    warmup = 10
    triggers = scratch_sql(
        url,
        "SELECT tgname, relname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
        "WHERE NOT tgisinternal AND tgname LIKE 'shop\\_cache\\_%%' ORDER BY relname, tgname",
    )
    tracked = sorted({table for _, table in triggers})
    sequence = scratch_sql(url, "SELECT pg_get_serial_sequence('shop_cache_outbox', 'id')")[0][0]

    def outbox_ids() -> int:
        return scratch_sql(url, f"SELECT last_value FROM {sequence}")[0][0]

    out = {"tracked_tables": tracked, "triggers": len(triggers), "variants": {}}
    runs = [
        ("off", 2 * n, [list(t) for t in triggers], False),
        ("project", n, [], True),
        ("project", n, [], False),
    ]
    bodies = iter(order_bodies(found, sum(count + warmup for _, count, _, _ in runs)))
    try:
        for i, (config, count, toggle, with_relay) in enumerate(runs):
            env = settings_env(base_env, config, url)
            flush_redis(redis_server)
            relay = CacheRelay(env=env, name="relay-cost").start() if with_relay else None
            before = outbox_ids()
            try:
                spec = {
                    "orders": [next(bodies) for _ in range(count + warmup)],
                    "warmup": warmup,
                    "toggle": toggle,
                    "tracked_tables": tracked,
                    "customer_email": CUSTOMER_EMAIL,
                    "customer_password": CUSTOMER_PASSWORD,
                }
                with WaitSampler(url, name) as waits:
                    result = instrument(dict(env, BENCH_CONFIG=f"{config}-cost{i}"), "orders", spec, workdir)
            finally:
                if relay:
                    relay.stop()
            rows = outbox_ids() - before
            if toggle:
                result["triggers"]["outbox_rows_per_order"] = round(rows / (result["triggers"]["n"] + warmup), 2)
                result["no triggers"]["outbox_rows_per_order"] = 0
                labelled = {"triggers, cache off": result["triggers"], "no triggers, cache off": result["no triggers"]}
            else:
                result["outbox_rows_per_order"] = round(rows / (count + warmup), 2)
                result["database_samples"] = waits.top()
                label = (
                    "triggers, cache on, relay beside (as deployed)" if with_relay else "triggers, cache on, no relay"
                )
                labelled = {label: result}
            for label, r in labelled.items():
                out["variants"][label] = r
                log(
                    f"  {label:48} {r['sql']:.0f} SQL, {r['redis']:.0f} Redis round trips, "
                    f"p50 {r['p50_ms']:.2f} ms, CPU {r['cpu_ms']:.2f} ms, "
                    f"outbox rows/order {r['outbox_rows_per_order']}"
                )
    finally:
        drop_copy(name)
    return out


# --- comparing answers with cache off ----------------------------------------------------------------------
def first_difference(a, b, path="data") -> str:
    if type(a) is not type(b):
        return f"{path}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"
    if isinstance(a, dict):
        for key in sorted(a.keys() | b.keys()):
            if key not in a or key not in b:
                return f"{path}.{key}: {'missing' if key not in b else 'extra'}"
            if a[key] != b[key]:
                return first_difference(a[key], b[key], f"{path}.{key}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {json.dumps(a)[:80]} (cache off) vs {json.dumps(b)[:80]}"


def compare(reference: dict, other: dict, mixes: dict) -> dict:
    """Per mix: reads whose answer (status, data without volatile fields) differs from cache off's at the same step."""
    out = {}
    for name, plan_steps in mixes.items():
        ref_steps, steps = reference["mixes"][name]["steps"], other["mixes"][name]["steps"]
        stale, examples, diverged_orders = 0, [], 0
        for i, (step, ref, got) in enumerate(zip(plan_steps, ref_steps, steps)):
            if step["kind"] == "order":
                diverged_orders += ref[1] != got[1]
                continue
            if ref[1] != got[1] or ref[5] != got[5]:
                stale += 1
                if len(examples) < 5:
                    what = f"status {ref[1]} vs {got[1]}"
                    if ref[5] and got[5] and ref[1] == got[1]:
                        what = first_difference(
                            json.loads(reference["bodies"][ref[5]]), json.loads(other["bodies"][got[5]])
                        )
                    examples.append({"step": i, "path": step["path"], "x_cache": got[6], "difference": what})
        out[name] = {"stale": stale, "examples": examples, "orders_answered_differently": diverged_orders}
    return out


def aggregate(config_result: dict, reference: dict | None, mixes: dict) -> dict:
    """Per mix: requests, SQL and Redis round trips per 1,000 requests (and by kind), service time."""
    out = {}
    for name, data in config_result["mixes"].items():
        steps = data["steps"]
        by_kind: dict[str, dict] = {}
        seen, first_sql = set(), 0
        for (kind, status, sql, trips, ms, _, _, cpu), step in zip(steps, mixes[name]):
            if kind != "order" and step["path"] not in seen:
                seen.add(step["path"])
                first_sql += sql
            k = by_kind.setdefault(kind, {"requests": 0, "sql": 0, "redis": 0, "ms": 0.0, "cpu_ms": 0.0, "non_2xx": 0})
            k["requests"] += 1
            k["sql"] += sql
            k["redis"] += trips
            k["ms"] += ms
            k["cpu_ms"] += cpu
            k["non_2xx"] += not 200 <= status < 300
        total = len(steps)
        row = {
            "requests": total,
            "by_kind": by_kind,
            "sql_per_1000": round(sum(k["sql"] for k in by_kind.values()) * 1000 / total, 1),
            "redis_per_1000": round(sum(k["redis"] for k in by_kind.values()) * 1000 / total, 1),
            # SQL of the first read of each URL in the mix (every mix starts with every cache empty), and
            # the rate without them: what a cache that had seen each URL once would send.
            "first_reads": len(seen),
            "first_read_sql": first_sql,
            "sql_per_1000_after_first": round((sum(k["sql"] for k in by_kind.values()) - first_sql) * 1000 / total, 1),
            "service_ms": round(sum(k["ms"] for k in by_kind.values()), 1),
            "cpu_ms": round(sum(k["cpu_ms"] for k in by_kind.values()), 1),
            "non_2xx": sum(k["non_2xx"] for k in by_kind.values()),
            "families": data["families"],
            "sql_shapes": data["sql_shapes"],
            "wall_s": data["wall_s"],
        }
        if reference is not None:
            ref = reference["mixes"][name]["steps"]
            row["service_ratio"] = round(row["service_ms"] / sum(s[4] for s in ref), 3)
            row["read_service_ratio"] = round(
                sum(s[4] for s in steps if s[0] != "order") / sum(s[4] for s in ref if s[0] != "order"), 3
            )
            row["cpu_ratio"] = round(row["cpu_ms"] / sum(s[7] for s in ref), 3)
            row["read_cpu_ratio"] = round(
                sum(s[7] for s in steps if s[0] != "order") / sum(s[7] for s in ref if s[0] != "order"), 3
            )
        out[name] = row
    return out


# --- the run ------------------------------------------------------------------------------------------------
def discover(env: dict) -> dict:
    return json.loads(django_eval(plan.DISCOVER, env=env).splitlines()[-1])


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
    redis_version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    versions = subprocess.run(
        [
            PY,
            "-c",
            "from importlib.metadata import version\n"
            "print(*(version(p) for p in ('Django', 'django-cachalot', 'django-cacheops')))",
        ],
        capture_output=True,
        text=True,
    ).stdout.split()
    return {
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": versions[0] if versions else None,
        "cachalot": versions[1] if len(versions) > 1 else None,
        "cacheops": versions[2] if len(versions) > 2 else None,
        "postgresql": pg_admin("SHOW server_version"),
        "redis": redis_version.removeprefix("v="),
        "wrk": wrk_version,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="rounds of (floor, hit, 304) per endpoint")
    parser.add_argument("--duration", type=int, default=1, help="seconds per timed wrk run (wrk takes whole seconds)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of wrk warm-up per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 3)))
    parser.add_argument("--orders", type=int, default=80, help="order placements per variant of the cost phase")
    parser.add_argument("--skip-served", action="store_true", help="leave out gunicorn + wrk")
    parser.add_argument("--skip-cost", action="store_true", help="leave out the order-placement cost phase")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="in-process configurations (off is always run)")
    parser.add_argument("--report-only", action="store_true", help="redraw the report from bench-latest.json")
    args = parser.parse_args()
    if args.report_only:
        print(write_reports(load_raw()))
        return 0
    started = time.monotonic()
    wanted = ["off", *(c for c in args.configs.split(",") if c in CONFIGS and c != "off")]
    for config in list(CONFIGS):
        if config not in wanted:
            CONFIGS.pop(config)

    ensure_wrk()
    redis_server = start_own_redis()
    log(f"own redis-server on port {redis_server.port}")
    base_env = app_env(database_url="", redis_url=redis_server.url, prefix=PREFIX)
    store = ensure_store(settings_env(base_env, "project", ""))
    bench_started = time.monotonic()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    found = discover(settings_env(base_env, "project", db_url(DB_NAME)))
    endpoints = plan.endpoints(found)
    mixes = plan.all_mixes(found)
    log(f"{len(endpoints)} cached endpoints from the registry: {', '.join(e['path'] for e in endpoints)}")
    workdir = Path(tempfile.mkdtemp(prefix="shop-bench-"))

    served = None
    if not args.skip_served:
        url = copy_store(f"{DB_NAME}_serve")
        log(
            f"served: gunicorn {args.workers} sync workers + cache_relay, wrk -c{args.connections}, "
            f"{args.runs} × {args.duration} s after {args.warmup} s warm-up"
        )
        hit = serve_hits(settings_env(base_env, "project", url), endpoints, args)
        log("served, cache off (CACHE_ENABLED=0)")
        miss = serve_misses(settings_env(base_env, "off", url), endpoints, hit.pop("token"), args)
        drop_copy(f"{DB_NAME}_serve")
        served = {"hit": hit, "miss": miss}
        save_raw({"partial": True, "served": served})

    results = in_process(base_env, endpoints, mixes, redis_server, workdir)
    reference = results["off"]
    configs = {}
    for config, data in results.items():
        configs[config] = {
            "label": CONFIGS[config],
            "costs": data["costs"],
            "mixes": aggregate(data, None if config == "off" else reference, mixes),
            "stale": compare(reference, data, mixes) if config != "off" else None,
            "memory": data["memory"],
        }
    cost = None if args.skip_cost else order_cost(base_env, found, redis_server, workdir, args.orders)
    shutil.rmtree(workdir, ignore_errors=True)

    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": load_before,
        "store": store,
        "setup": {
            "gunicorn": f"{args.workers} × sync workers, manage.py cache_relay beside them",
            "wrk": f"1 thread, {args.connections} connections, {args.warmup} s warm-up, "
            f"median of {args.runs} × {args.duration} s",
            "redis": "own redis-server on loopback",
            "database": f"PostgreSQL, a fresh copy of {DB_NAME} per phase and configuration",
            "mix_requests": plan.REQUESTS_PER_MIX,
            "mixes": plan.MIXES,
        },
        "endpoints": endpoints,
        "served": served,
        "configs": configs,
        "order_cost": cost,
        "bench_seconds": round(time.monotonic() - bench_started, 1),
        "total_seconds": round(time.monotonic() - started, 1),
    }
    markdown = write_reports(result)
    print()
    print(markdown)
    return 0


if __name__ == "__main__":
    run_main(main)
