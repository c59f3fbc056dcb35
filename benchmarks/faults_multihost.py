#!/usr/bin/env python
"""`make faults`, second part: the store on three web hosts, under load, while Redis fails over and a
read replica lags.

Topology (all started here, all removed on exit):
- three web hosts, each a network namespace of its own with its own address on a private bridge
  (testing/netns.py; where namespaces can't be made: three processes with ports of their own),
  gunicorn in each, behind one address (a round-robin TCP balancer on 127.0.0.1);
- the cache relay on host 1;
- Redis: a primary, its replica and three sentinels (Debian's redis-server and redis-sentinel), the
  hosts configured with REDIS_SENTINELS;
- PostgreSQL: a primary and a streaming replica (two private clusters, pg_basebackup -R), the hosts
  configured with DATABASE_REPLICA_URLS.

Phases under load (readers, buyers, an admin raising a watched price, every placed order read back at
once through the balancer, i.e. usually by another host): baseline; the Redis primary SIGKILLed (the
sentinels promote the replica); after the failover; the database replica paused with
pg_wal_replay_pause(); resumed.

It reports per phase: requests, answers by status, orders acknowledged vs stored, stale reads (a
price older than an acknowledged write; an order read back 404 after its 201), how many order reads
the replica served; and the failover window: first error to first success of a client following
the sentinels (SET every 10 ms), and from the kill to the first X-Cache HIT through the hosts.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

from benchmarks.common import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CUSTOMER_EMAIL,
    CUSTOMER_PASSWORD,
    PrivatePostgres,
    cleanup,
    log,
    login,
    percentile,
    request,
    run_main,
    write_results,
)
from benchmarks.faults import DB_NAME, Load, orders_in_db, setup_store
from testing.netns import Balancer, Hosts
from testing.processes import AppProcesses
from testing.redis_topologies import RedisSentinelSet

PREFIX = "multihost"


class MultiHostLoad(Load):
    """The single-host run's load, through the balancer; each placed order is read back at once."""

    ADDRESS = "1 Host St"

    def __init__(self, port: int, tokens: dict, watched: int, orderable: list[int]):
        super().__init__({"balancer": port}, tokens, watched, orderable)
        self.writer_server = "balancer"
        self.readback = Counter()
        self.readback_failed = {}

    def place_order(self, rng: random.Random, tag: str) -> tuple[str, dict] | None:
        placed = super().place_order(rng, tag)
        if placed is None:
            return None
        phase, data = placed
        order = data["data"]["order"]["id"]
        _, status, _, _ = self.send(
            "read", "GET", f"/api/v1/orders/{order}", token=self.tokens["customer"], phase=phase
        )
        with self.lock:
            self.readback[f"{phase}:{status}"] += 1
            if status != 200:
                self.readback_failed.setdefault(phase, []).append({"order": order, "status": status})
        return placed


class FailoverProbe:
    """A client that follows the sentinels, writing every 10 ms: when did it fail, when did it succeed again?"""

    def __init__(self, topology: RedisSentinelSet):
        sentinel = Sentinel(
            [(s.host, s.port) for s in topology.sentinels],
            sentinel_kwargs={"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        )
        self.client = sentinel.master_for(
            topology.MASTER, socket_timeout=0.2, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
        )
        self.events: list[tuple[float, bool]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.client.set("multihost:probe", time.time())
                self.events.append((time.monotonic(), True))
            except (redis.exceptions.RedisError, OSError):
                self.events.append((time.monotonic(), False))
            self.stop.wait(0.01)

    def window(self, after: float) -> dict:
        first_error = next((t for t, ok in self.events if t >= after and not ok), None)
        if first_error is None:
            return {"first_error_s": None, "first_success_after_s": None, "window_s": 0.0}
        first_ok = next((t for t, ok in self.events if t > first_error and ok), None)
        return {
            "first_error_s": round(first_error - after, 3),
            "first_success_after_s": None if first_ok is None else round(first_ok - after, 3),
            "window_s": None if first_ok is None else round(first_ok - first_error, 3),
        }


def replica_order_scans(replica: PrivatePostgres) -> int:
    rows = replica.execute(
        "SELECT coalesce(idx_scan, 0) + coalesce(seq_scan, 0) FROM pg_stat_user_tables WHERE relname = 'orders_order'",
        db=DB_NAME,
    )
    return int(rows[0][0]) if rows else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--workers", type=int, default=1, help="sync workers per host")
    parser.add_argument("--calm", type=float, default=6)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--write-interval", type=float, default=0.25)
    args = parser.parse_args()
    started = time.monotonic()

    hosts = Hosts.make(3)
    cleanup.add("hosts", hosts.destroy)
    where = hosts.services_address
    log(
        f"{len(hosts.hosts)} web hosts: "
        + ("network namespaces " if hosts.namespaces else "processes on loopback (no namespaces here) ")
        + ", ".join(f"{h.name} {h.address}" for h in hosts.hosts)
    )

    sentinels = RedisSentinelSet(host=where, down_after_ms=1000).start()
    cleanup.add("redis sentinel set", sentinels.stop)
    primary, replica_port = sentinels.primary.port, sentinels.replica.port
    log(f"Redis primary {primary}, replica {replica_port}; sentinels {sentinels.sentinels_setting}")

    pg = PrivatePostgres(host=where).init()
    pg.start()
    env, found = setup_store(pg, sentinels.primary.url, args)
    replica = pg.replica()
    replica.start()
    replica.wait_replayed(pg, timeout=60)
    log(f"PostgreSQL primary {pg.port}, streaming replica {replica.port}; store seeded")

    app = AppProcesses(
        database_url=pg.url(DB_NAME),
        redis_url="redis://",
        prefix=PREFIX,
        REDIS_SENTINELS=sentinels.sentinels_setting,
        REDIS_SENTINEL_MASTER=sentinels.MASTER,
        DATABASE_REPLICA_URLS=replica.url(DB_NAME),
        SHOP_LOG_LEVEL="WARNING",
        JWT_ACCESS_MINUTES="120",
        ALLOWED_HOSTS="*",
    )
    cleanup.add("app processes", app.stop)
    webs = []
    for host in hosts.hosts:
        from testing.processes import Web

        web = Web(host.name, app.env, host=host.address, workers=args.workers, netns=host.netns)
        app.started.append(web)
        webs.append(web)
    for web in webs:
        web.wait_ready(timeout=90)
    from testing.processes import Process

    relay_args = [sys.executable, "manage.py", "cache_relay"]
    app.started.append(Process("relay", relay_args, app.env, netns=hosts.hosts[0].netns))
    balancer = Balancer([(web.host, web.port) for web in webs]).start()
    cleanup.add("balancer", balancer.stop)
    log(f"balancer on 127.0.0.1:{balancer.port}")

    tokens = {
        "admin": login(balancer.port, ADMIN_EMAIL, ADMIN_PASSWORD),
        "customer": login(balancer.port, CUSTOMER_EMAIL, CUSTOMER_PASSWORD),
    }
    load = MultiHostLoad(balancer.port, tokens, found["watched"], found["orderable"])
    probe = FailoverProbe(sentinels)
    probe.thread.start()
    deadline = time.monotonic() + 240
    threads = [
        threading.Thread(target=load.reader_and_buyer, args=(i, deadline), daemon=True) for i in range(args.threads)
    ]
    threads.append(threading.Thread(target=load.price_writer, args=(deadline, args.write_interval), daemon=True))
    for thread in threads:
        thread.start()

    timeline, scans, marks = [], {}, {}

    def phase(name: str, seconds: float, action=None) -> None:
        began = time.monotonic()
        load.phase, load.phase_started = name, began
        before = replica_order_scans(replica)
        if action:
            action()
        log(f"phase: {name} ({seconds} s)")
        time.sleep(max(0.0, seconds - (time.monotonic() - began)))
        scans[name] = replica_order_scans(replica) - before
        timeline.append({"phase": name, "seconds": round(time.monotonic() - began, 1)})

    def kill_primary():
        old = (sentinels.primary.host, sentinels.primary.port)
        marks["killed"] = time.monotonic()
        sentinels.primary.kill()

        def promoted():
            sentinels.wait_for_failover(old, timeout=30)
            marks["promoted"] = time.monotonic()

        threading.Thread(target=promoted, daemon=True).start()

    try:
        phase("baseline", args.calm)
        phase("redis primary killed (failover)", 8, kill_primary)
        phase("after the failover", args.calm)
        phase("database replica paused", 8, replica.pause_replay)
        phase("database replica resumed", args.calm, replica.resume_replay)
    finally:
        load.stop.set()
        probe.stop.set()
        for thread in threads:
            thread.join(timeout=15)

    hit = next(
        (r[1] for r in sorted(load.read_log, key=lambda r: r[1]) if r[1] > marks["killed"] and r[3] == "HIT"), None
    )
    failover = probe.window(marks["killed"]) | {
        "sentinels_promoted_s": round(marks["promoted"] - marks["killed"], 3) if "promoted" in marks else None,
        "first_cache_hit_through_the_hosts_s": None if hit is None else round(hit - marks["killed"], 3),
    }
    status, data, headers, _ = request(balancer.port, "GET", f"/api/v1/products/{found['watched']}")
    final = {
        "acked_price": str(load.acked_price),
        "final_price": data["data"]["product"]["price"] if status == 200 else f"status {status}",
        "final_x_cache": headers.get("X-Cache"),
        "balancer_refused": balancer.refused,
    }
    in_db = orders_in_db(env)
    rows = []
    for entry in timeline:
        name = entry["phase"]
        latencies = load.latencies[name]
        rows.append(
            {
                "phase": name,
                "seconds": entry["seconds"],
                "requests": sum(load.statuses[name].values()),
                "statuses": dict(sorted(load.statuses[name].items(), key=lambda kv: str(kv[0]))),
                "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
                "p99_ms": round(percentile(latencies, 99) * 1000, 1) if latencies else None,
                "orders_acked": load.orders_acked[name],
                "orders_in_db": in_db[name],
                "stale_reads": len(load.stale[name]),
                "orders_read_back_not_found": len(load.readback_failed.get(name, [])),
                "order_reads_on_the_replica": scans[name],
                "stale_examples": load.stale[name][:3] + load.readback_failed.get(name, [])[:3],
            }
        )
    setup = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "hosts": [f"{h.name} {h.address}" + (f" (netns {h.netns})" if h.netns else "") for h in hosts.hosts],
        "namespaces": hosts.namespaces,
        "workers_per_host": args.workers,
        "threads": args.threads,
    }
    text = markdown(rows, failover, final, setup)
    payload = {"setup": setup, "phases": rows, "failover": failover, "final": final}
    write_results("faults-multihost-latest", text, payload, started=started)
    log(f"done in {time.monotonic() - started:.0f} s")
    lost = any(r["orders_in_db"] < r["orders_acked"] for r in rows)
    stale = any(r["stale_reads"] or r["orders_read_back_not_found"] for r in rows)
    errors = any(str(status).startswith("5") for r in rows for status in r["statuses"])
    return 1 if lost or stale or errors else 0


def markdown(rows: list[dict], failover: dict, final: dict, setup: dict) -> str:
    kind = "network namespaces on a private bridge" if setup["namespaces"] else "processes on loopback"
    lines = [
        f"### Multi-host fault run ({setup['when']})",
        "",
        f"3 web hosts ({kind}: {', '.join(setup['hosts'])}), gunicorn {setup['workers_per_host']} sync worker(s) each, "
        f"behind one round-robin balancer; the relay on host1; Redis primary + replica + 3 sentinels; PostgreSQL "
        f"primary + streaming replica (DATABASE_REPLICA_URLS); {setup['threads']} load threads + 1 price writer; "
        "every placed order read back at once through the balancer.",
        "",
        "| phase | s | requests | answers by status | p50 ms | p99 ms | orders 201 | orders in DB | stale reads "
        "| orders read back 404 | order reads on the replica |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        statuses = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items())
        mark = "" if r["orders_acked"] == r["orders_in_db"] else " ≠"
        lines.append(
            f"| {r['phase']} | {r['seconds']} | {r['requests']} | {statuses} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['orders_acked']} | {r['orders_in_db']}{mark} | {r['stale_reads']} | "
            f"{r['orders_read_back_not_found']} | {r['order_reads_on_the_replica']} |"
        )
    acked, stored = sum(r["orders_acked"] for r in rows), sum(r["orders_in_db"] for r in rows)
    lines += [
        "",
        f"Orders acknowledged (201): {acked}; stored: {stored} ({'equal' if acked == stored else 'NOT equal'}). "
        f"Stale reads: {sum(r['stale_reads'] for r in rows)}; orders read back 404: "
        f"{sum(r['orders_read_back_not_found'] for r in rows)}.",
        f"Failover (seconds after the SIGKILL): a client following the sentinels first failed at "
        f"{failover['first_error_s']} and succeeded again at {failover['first_success_after_s']} "
        f"(window {failover['window_s']} s); the sentinels named the new primary at "
        f"{failover['sentinels_promoted_s']}; the first X-Cache HIT through the hosts came at "
        f"{failover['first_cache_hit_through_the_hosts_s']}.",
        f"After the run: last acknowledged price {final['acked_price']}, read {final['final_price']} "
        f"(X-Cache {final['final_x_cache']}).",
    ]
    for r in rows:
        for example in r["stale_examples"]:
            lines.append(f"- stale in {r['phase']}: {example}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    run_main(main)
