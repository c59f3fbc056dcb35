#!/usr/bin/env python
"""`make faults`: the store under a steady load while Redis and the database fail.

Everything it breaks is its own: a redis-server on a free port, and a private PostgreSQL cluster
(initdb into a temp dir, run as the postgres user, on a free port). The shared 6379/5432 services
are never touched. gunicorn serves the app on 127.0.0.1; a Python load driver (threads,
http.client) sends reads, order placements and admin price changes to it, all to loopback.

Phases, back to back, under load: baseline; Redis killed, then restarted; Redis frozen with
SIGSTOP for 10 s, then resumed; the database stopped for a few seconds, then started; each fault
followed by a recovery phase. Per phase it prints requests sent, answers by status, p50/p99
latency, orders acknowledged (201) vs orders found in the database afterwards, and stale reads.

Stale read, defined: one admin thread PATCHes the watched product's price to strictly increasing
values; `acked` is the highest price whose PATCH answered 200. Readers GET /api/v1/products/{id}
and /api/v1/products; a read is stale when the price it returns is lower than the `acked` value
noted just before the read was sent: it returned data older than a write that had committed and
been acknowledged before the read began.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CUSTOMER_EMAIL,
    CUSTOMER_PASSWORD,
    RESULTS,
    Gunicorn,
    PrivatePostgres,
    app_env,
    django_eval,
    log,
    login,
    manage,
    percentile,
    request,
    run_main,
    start_own_redis,
)

DB_NAME = "shop_faults"
PREFIX = "faults"
BASE_PRICE = Decimal("100.00")
FROZEN_QUIET = "redis frozen, 1 write, no orders"
SINGLE_WRITE_PHASES = {"redis frozen (SIGSTOP)", FROZEN_QUIET}
NO_ORDER_PHASES = {FROZEN_QUIET}


class Load:
    """The load driver's shared state: the current phase, and what every request saw."""

    def __init__(self, port: int, tokens: dict, watched: int, orderable: list[int]):
        self.port = port
        self.tokens = tokens
        self.watched = watched
        self.orderable = orderable
        self.phase = "setup"
        self.phase_started = time.monotonic()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.statuses = defaultdict(Counter)
        self.orders_acked = Counter()
        self.orders_unknown = Counter()  # no answer (timeout, connection error): outcome unknown to the client
        self.stale = defaultdict(list)
        self.reads_checked = Counter()
        self.price_seq = 0
        self.acked_price = None  # the highest price a PATCH answered 200 for
        self.writes = Counter()

    def record(self, phase: str, kind: str, status, seconds: float | None) -> None:
        with self.lock:
            self.statuses[phase][status] += 1
            if seconds is not None:
                self.latencies[phase].append(seconds)

    def send(self, kind: str, method: str, path: str, body=None, token=None, phase: str | None = None):
        phase = phase or self.phase
        try:
            status, data, headers, seconds = request(self.port, method, path, body, token=token, timeout=10)
        except OSError as error:
            self.record(phase, kind, type(error).__name__, None)
            return phase, None, None, None
        self.record(phase, kind, status, seconds)
        return phase, status, data, headers

    # --- the threads -----------------------------------------------------------------------------
    def reader_and_buyer(self, seed: int, deadline: float) -> None:
        rng = random.Random(seed)
        n = 0
        while not self.stop.is_set() and time.monotonic() < deadline:
            n += 1
            roll = rng.random()
            if roll < 0.35:
                self.read_watched(f"/api/v1/products/{self.watched}", lambda d: d["product"]["price"])
            elif roll < 0.55:
                self.read_watched("/api/v1/products", self.price_in_list)
            elif roll < 0.70:
                self.send("read", "GET", rng.choice(["/api/v1/business", "/api/v1/coupons/active"]))
            elif roll < 0.80:
                self.send("dashboard", "GET", "/api/v1/dashboard/stats", token=self.tokens["admin"])
            elif self.phase not in NO_ORDER_PHASES:
                self.place_order(rng, f"{seed}:{n}")

    def price_in_list(self, data):
        return next(p["price"] for p in data["products"] if p["id"] == self.watched)

    def read_watched(self, path: str, price_of) -> None:
        acked_before = self.acked_price
        phase, status, data, headers = self.send("read", "GET", path)
        if status != 200 or acked_before is None:
            return
        seen = Decimal(price_of(data["data"]))
        with self.lock:
            self.reads_checked[phase] += 1
            if seen < acked_before:
                self.stale[phase].append(
                    {
                        "path": path,
                        "seen": str(seen),
                        "acked_before_read": str(acked_before),
                        "x_cache": headers.get("X-Cache"),
                    }
                )

    def place_order(self, rng: random.Random, tag: str) -> None:
        phase = self.phase
        items = [{"product_id": pid, "quantity": 1} for pid in rng.sample(self.orderable, rng.choice([1, 2]))]
        body = {
            "items": items,
            "delivery_address": "1 Fault Street",
            "payment_method": "cash",
            "notes": f"faults:{phase}:{tag}",
        }
        _, status, _, _ = self.send("order", "POST", "/api/v1/orders", body, token=self.tokens["customer"], phase=phase)
        with self.lock:
            if status == 201:
                self.orders_acked[phase] += 1
            elif status is None or status >= 500:
                self.orders_unknown[phase] += 1

    def price_writer(self, deadline: float, interval: float) -> None:
        written_in = Counter()
        while not self.stop.is_set() and time.monotonic() < deadline:
            settling = time.monotonic() < self.phase_started + 1.0
            if self.phase in SINGLE_WRITE_PHASES and (written_in[self.phase] or settling):
                # One write while Redis hangs: only the worker that took it owes the invalidation,
                # the others still hold the entry from before; after the resume, do they serve it?
                self.stop.wait(0.05)
                continue
            written_in[self.phase] += 1
            self.price_seq += 1
            price = BASE_PRICE + Decimal(self.price_seq) / 100
            phase, status, _, _ = self.send(
                "write", "PATCH", f"/api/v1/products/{self.watched}", {"price": str(price)}, token=self.tokens["admin"]
            )
            with self.lock:
                self.writes[f"{phase}:{status}"] += 1
                if status == 200 and (self.acked_price is None or price > self.acked_price):
                    self.acked_price = price
            self.stop.wait(interval)


def setup_store(pg: PrivatePostgres, redis_url: str, args) -> tuple[dict, dict]:
    import psycopg

    with psycopg.connect(pg.url("postgres"), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = app_env(database_url=pg.url(DB_NAME), redis_url=redis_url, prefix=PREFIX, DATABASE_CONNECT_TIMEOUT="2")
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage(
        "seed_demo",
        "--orders",
        str(args.orders),
        "--products",
        "30",
        "--users",
        "50",
        "--no-progress",
        env=env,
        capture=True,
    )
    # Plenty of stock, so order placements are refused only by faults, never by running out.
    found = json.loads(
        django_eval(
            "import json; from products.models import Product; from shop import cache\n"
            "active = Product.objects.filter(is_active=True).order_by('id')\n"
            f"active.update(stock=1_000_000, price={BASE_PRICE})\n"
            "cache.clear('all', cause='faults setup')\n"
            "ids = list(active.values_list('id', flat=True))\n"
            "print(json.dumps({'watched': ids[0], 'orderable': ids[1:]}))",
            env=env,
        )
    )
    return env, found


def orders_in_db(env: dict) -> Counter:
    rows = json.loads(
        django_eval(
            "import json; from orders.models import Order\n"
            "notes = Order.objects.filter(notes__startswith='faults:').values_list('notes', flat=True)\n"
            "print(json.dumps(list(notes)))",
            env=env,
        )
    )
    return Counter(note.split(":")[1] for note in rows)


def run_phases(load: Load, redis_server, pg: PrivatePostgres, args) -> list[dict]:
    """The fault schedule. Each entry: name, seconds, action applied when the phase ends."""
    schedule = [
        ("baseline", args.calm, None),
        ("redis killed", 6, ("restart redis", lambda: redis_server.start())),
        ("redis restarted", args.calm, None),
        ("redis frozen (SIGSTOP)", 10, ("resume redis", redis_server.thaw)),
        ("redis resumed", args.calm, None),
        # Orders clear the product families too: with none, only the worker that took the one price write
        # owes its invalidation. Do the other workers serve their pre-freeze entry after the resume?
        (FROZEN_QUIET, 8, ("resume redis", redis_server.thaw)),
        ("redis resumed (2)", args.calm, None),
        ("database stopped", 5, ("start database", pg.start)),
        ("database restarted", args.calm, None),
    ]
    starts = {
        "redis killed": redis_server.kill,
        "redis frozen (SIGSTOP)": redis_server.freeze,
        FROZEN_QUIET: redis_server.freeze,
        "database stopped": lambda: pg.stop("fast"),
    }
    timeline = []
    for name, seconds, end_action in schedule:
        began = time.monotonic()
        load.phase, load.phase_started = name, began
        if name in starts:
            starts[name]()
        log(f"phase: {name} ({seconds} s)")
        time.sleep(max(0.0, seconds - (time.monotonic() - began)))
        if end_action:
            label, action = end_action
            t0 = time.monotonic()
            action()
            log(f"  {label}: {time.monotonic() - t0:.1f} s")
        timeline.append({"phase": name, "seconds": round(time.monotonic() - began, 1)})
    return timeline


def summarize(load: Load, timeline: list[dict], in_db: Counter) -> list[dict]:
    rows = []
    for entry in timeline:
        phase = entry["phase"]
        lat = load.latencies[phase]
        statuses = load.statuses[phase]
        rows.append(
            {
                "phase": phase,
                "seconds": entry["seconds"],
                "requests": sum(statuses.values()),
                "statuses": dict(sorted(statuses.items(), key=lambda kv: str(kv[0]))),
                "p50_ms": round(percentile(lat, 50) * 1000, 1) if lat else None,
                "p99_ms": round(percentile(lat, 99) * 1000, 1) if lat else None,
                "orders_acked": load.orders_acked[phase],
                "orders_in_db": in_db[phase],
                "orders_unanswered": load.orders_unknown[phase],
                "watched_reads_checked": load.reads_checked[phase],
                "stale_reads": len(load.stale[phase]),
                "stale_examples": load.stale[phase][:3],
            }
        )
    return rows


def markdown(rows: list[dict], final: dict, setup: dict) -> str:
    lines = [
        f"### Fault run ({setup['when']})",
        "",
        f"gunicorn {setup['workers']} sync workers on 127.0.0.1, {setup['threads']} load threads + 1 price writer; "
        f"own redis-server, private PostgreSQL cluster; cache timeouts {setup['cache_timeouts']}.",
        "",
        "| phase | s | requests | answers by status | p50 ms | p99 ms | orders 201 | orders 5xx or unanswered "
        "| orders in DB | watched reads | stale reads |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        statuses = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items())
        mark = "" if r["orders_acked"] == r["orders_in_db"] else " ≠"
        lines.append(
            f"| {r['phase']} | {r['seconds']} | {r['requests']} | {statuses} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['orders_acked']} | {r['orders_unanswered']} | {r['orders_in_db']}{mark} | "
            f"{r['watched_reads_checked']} | {r['stale_reads']} |"
        )
    acked, stored = sum(r["orders_acked"] for r in rows), sum(r["orders_in_db"] for r in rows)
    stale = sum(r["stale_reads"] for r in rows)
    lines += [
        "",
        f"Orders acknowledged (201): {acked}; orders in the database afterwards: {stored} "
        f"({'equal' if acked == stored else 'NOT equal'}"
        + (
            ""
            if acked == stored
            else f": {stored - acked} order(s) stored although the client got an error"
            if stored > acked
            else f": {acked - stored} acknowledged order(s) LOST"
        )
        + f"). Reads older than an acknowledged write: {stale}.",
        f"Price writes by phase and status: {final['writes']}.",
        f"After the run: last acknowledged price {final['acked_price']}, a fresh read of the product returns "
        f"{final['final_price']} (X-Cache {final['final_x_cache']}).",
    ]
    for r in rows:
        for example in r["stale_examples"]:
            lines.append(f"- stale in {r['phase']}: {example}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--calm", type=float, default=8, help="seconds of baseline and of each recovery phase")
    parser.add_argument("--orders", type=int, default=300, help="orders in the small seeded store")
    parser.add_argument("--write-interval", type=float, default=0.25, help="seconds between price PATCHes")
    args = parser.parse_args()
    started = time.monotonic()

    redis_server = start_own_redis()
    log(f"own redis-server on port {redis_server.port}")
    pg = PrivatePostgres().init()
    pg.start()
    log(f"private PostgreSQL on port {pg.port} ({pg.data})")
    env, found = setup_store(pg, redis_server.url, args)
    log(f"small store seeded; watched product {found['watched']}")

    server = Gunicorn(env=env, name="faults", workers=args.workers).start()
    tokens = {
        "admin": login(server.port, ADMIN_EMAIL, ADMIN_PASSWORD),
        "customer": login(server.port, CUSTOMER_EMAIL, CUSTOMER_PASSWORD),
    }
    load = Load(server.port, tokens, found["watched"], found["orderable"])
    deadline = time.monotonic() + 240  # hard bound on the load, whatever happens
    threads = [
        threading.Thread(target=load.reader_and_buyer, args=(i, deadline), daemon=True) for i in range(args.threads)
    ]
    threads.append(threading.Thread(target=load.price_writer, args=(deadline, args.write_interval), daemon=True))
    for thread in threads:
        thread.start()
    try:
        timeline = run_phases(load, redis_server, pg, args)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=15)

    status, data, headers, _ = request(server.port, "GET", f"/api/v1/products/{found['watched']}")
    final = {
        "writes": dict(load.writes),
        "acked_price": str(load.acked_price),
        "final_price": data["data"]["product"]["price"] if status == 200 else f"status {status}",
        "final_x_cache": headers.get("X-Cache"),
    }
    server.stop()
    in_db = orders_in_db(env)
    rows = summarize(load, timeline, in_db)
    setup = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "workers": args.workers,
        "threads": args.threads,
        "cache_timeouts": "socket 0.25 s, connect 0.25 s, breaker cool-down 5 s (the app's defaults)",
    }
    text = markdown(rows, final, setup)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "faults-latest.md").write_text(text)
    (RESULTS / "faults-latest.json").write_text(
        json.dumps(
            {"setup": setup, "phases": rows, "final": final, "seconds": round(time.monotonic() - started, 1)},
            indent=2,
            default=str,
        )
        + "\n"
    )
    print()
    print(text)
    log(f"done in {time.monotonic() - started:.0f} s")
    # Failure = a broken promise: an acknowledged order missing, or a read older than an acknowledged write.
    lost = any(r["orders_in_db"] < r["orders_acked"] for r in rows)
    stale = any(r["stale_reads"] for r in rows)
    return 1 if lost or stale else 0


if __name__ == "__main__":
    run_main(main)
