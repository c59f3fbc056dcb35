"""Turns bench.py's measurements into the table, the targets verdict, JSON and one PNG chart."""

from __future__ import annotations

import json

from benchmarks.common import RESULTS

PUBLIC = ["products list", "products filtered", "product", "business", "coupons active"]
FLOOR, ADMIN_FLOOR = "floor", "floor (admin token)"
RSS_TOLERANCE_KIB = 2048  # a worker may move this much (allocator noise) and still count as "no growth"


def _ms(value) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _num(value, digits=0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def evaluate(result: dict) -> list[dict]:
    """The issue's targets, each with what was measured and whether it was met."""
    hit, miss = result["hit"]["endpoints"], result["miss"]["endpoints"]
    counts = (result.get("counts") or {}).get("endpoints", {})
    targets = []
    for name in PUBLIC:
        if name not in hit:
            targets.append(
                {
                    "target": f"{name}: hit ≥ 0.8× floor req/s, 0 SQL, 1 Redis round trip",
                    "measured": "endpoint not available",
                    "met": False,
                }
            )
            continue
        ratio = hit[name].get("floor_ratio")
        cost = counts.get(name, {})
        sql, trips = cost.get("sql_hit"), cost.get("redis_hit")
        met = ratio is not None and ratio >= 0.8 and sql == 0 and trips == 1
        targets.append(
            {
                "target": f"{name}: hit ≥ 0.8× floor req/s, 0 SQL, 1 Redis round trip",
                "measured": f"{ratio:.2f}× floor, {sql} SQL, {trips} round trip(s)" if ratio else "no floor",
                "met": met,
            }
        )
    if "dashboard stats" in hit and "dashboard stats" in miss:
        speedup = miss["dashboard stats"]["p50_ms"] / hit["dashboard stats"]["p50_ms"]
        targets.append(
            {
                "target": "dashboard stats: hit p50 ≥ 100× faster than miss",
                "measured": f"{speedup:.0f}× ({_ms(hit['dashboard stats']['p50_ms'])} ms vs "
                f"{_ms(miss['dashboard stats']['p50_ms'])} ms)"
                + (
                    "; in-process service time "
                    f"{counts['dashboard stats']['inproc_off_ms'] / counts['dashboard stats']['inproc_hit_ms']:.0f}×"
                    if "dashboard stats" in counts
                    else ""
                ),
                "met": speedup >= 100,
            }
        )
    if result.get("counts"):
        off, on = result["counts"]["mix_off"]["sql_per_1000"], result["counts"]["mix_on"]["sql_per_1000"]
        saved = 1 - on / off if off else 0
        targets.append(
            {
                "target": "realistic mix: ≥ 90% fewer SQL queries per 1,000 requests with the cache on",
                "measured": f"{saved:.0%} fewer ({_num(off)} → {_num(on)})",
                "met": saved >= 0.9,
            }
        )
    for mode in ("hit", "miss"):
        # A worker's RSS rises to the high-water mark of the biggest request it has served and falls
        # back part-way (the cache-off products list builds ~15 MiB of objects). The warm-up pass sends
        # every request type first; growth is the end of the run above that pass's peak.
        start = {int(pid): kib for pid, kib in result[mode]["rss_start_kib"].items()}
        peak = {int(pid): kib for pid, kib in result[mode].get("rss_warmup_peak_kib", {}).items()} or start
        end = {int(pid): kib for pid, kib in result[mode]["rss_end_kib"].items()}
        growth = {pid: (end.get(pid) or 0) - (peak.get(pid) or 0) for pid in peak}
        worst = max(growth.values()) if growth else None
        allowed = {pid: max(RSS_TOLERANCE_KIB, 0.05 * (peak[pid] or 0)) for pid in peak}
        targets.append(
            {
                "target": f"gunicorn worker RSS does not grow (cache {'on' if mode == 'hit' else 'off'} run): "
                "end ≤ warm-up peak",
                "measured": "after warm-up → end: "
                + ", ".join(f"{(start.get(p) or 0) / 1024:.1f}→{(end.get(p) or 0) / 1024:.1f} MiB" for p in peak)
                + (
                    f"; warm-up peaks {', '.join(f'{(peak[p] or 0) / 1024:.1f}' for p in peak)} MiB; "
                    f"end vs peak {worst / 1024:+.1f} MiB at most"
                    if worst is not None
                    else ""
                ),
                "met": bool(growth) and all(growth[p] <= allowed[p] for p in growth),
            }
        )
    return targets


def markdown(result: dict, targets: list[dict]) -> str:
    m, store, setup = result["machine"], result["store"], result["setup"]
    hit, miss = result["hit"]["endpoints"], result["miss"]["endpoints"]
    counts = (result.get("counts") or {}).get("endpoints", {})
    lines = [
        f"### Benchmark ({result['when']})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}; Python {m['python']}, "
        f"Django {m['django']}, PostgreSQL {m['postgresql']}, Redis {m['redis']}, {m['wrk']}. "
        f"Load average before the run {' '.join(result['load_before'])}, after {' '.join(m['load_average'])} "
        "(the machine runs other work too).",
        f"Store: {store['orders']:,} orders, {store['products']:,} products, {store['users']:,} users. "
        f"Server: gunicorn {setup['gunicorn']} on 127.0.0.1; load: wrk {setup['wrk']}. "
        "Hit = cache on, entry present; miss = `CACHE_ENABLED=0` (every request from PostgreSQL). "
        "Latencies in ms. Floor = a DRF view returning a constant through the same middleware and auth; "
        "hit ÷ floor is the median of req/s ratios of floor and endpoint runs interleaved (dashboard reads: "
        "the floor with the same admin token).",
        "",
        "| endpoint | hit p50 | hit p99 | hit req/s | miss p50 | miss p99 | miss req/s | p50 speed-up "
        "| hit ÷ floor | SQL/req hit · miss | Redis round trips/req hit · miss |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for ep in result["endpoints"]:
        name = ep["name"]
        h, s = hit.get(name), miss.get(name)
        if not h:
            lines.append(f"| {name} | not available | | | | | | | | | |")
            continue
        ratio = f"{h['floor_ratio']:.2f}×" if h.get("floor_ratio") else "–"
        speedup = f"{s['p50_ms'] / h['p50_ms']:.1f}×" if s and ep["family"] else "–"
        c = counts.get(name, {}) if ep["family"] else {}
        sql = f"{c['sql_hit']} · {c['sql_off']}" if c else "–"
        trips = f"{c['redis_hit']} · {c['redis_miss']}" if c else "–"
        lines.append(
            f"| {name} | {_ms(h['p50_ms'])} | {_ms(h['p99_ms'])} | {_num(h['rps'])} | "
            f"{_ms(s['p50_ms']) if s else '–'} | {_ms(s['p99_ms']) if s else '–'} | "
            f"{_num(s['rps']) if s else '–'} | {speedup} | {ratio} | {sql} | {trips} |"
        )
    if counts and "floor" in counts:
        floor_ms, admin_floor_ms = counts["floor"]["inproc_ms"], counts["floor (admin token)"]["inproc_ms"]
        lines += [
            "",
            f"Service time in-process (Django test client, no network or gunicorn; median of 300 hits, 7 misses): "
            f"floor {floor_ms:.3f} ms, floor with admin token {admin_floor_ms:.3f} ms.",
            "",
            "| endpoint | hit ms | cache off ms | speed-up | hit − floor ms |",
            "|---|---:|---:|---:|---:|",
        ]
        for ep in result["endpoints"]:
            c = counts.get(ep["name"])
            if not c or not ep["family"]:
                continue
            floor = admin_floor_ms if ep["admin"] else floor_ms
            lines.append(
                f"| {ep['name']} | {c['inproc_hit_ms']:.3f} | {_ms(c['inproc_off_ms'])} | "
                f"{c['inproc_off_ms'] / c['inproc_hit_ms']:.0f}× | {c['inproc_hit_ms'] - floor:.3f} |"
            )
    errors = {n: v["errors"] for mode in (hit, miss) for n, v in mode.items() if v["errors"]}
    if errors:
        lines += ["", f"wrk reported errors (non-2xx, timeouts, socket errors): {errors}"]
    lines += [
        "",
        "SQL and Redis round trips are counted in-process (Django test client with CaptureQueriesContext; "
        'redis-py requests sent) against the same database and Redis. "miss" round trips are those of a '
        "cache-on miss (read, lock + generation, store); with the cache off a request makes none. Dashboard "
        "reads carry an admin Bearer token, so their floor is the floor with that token and their hit includes "
        "the JWT user lookup.",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    lines += [f"| {t['target']} | {t['measured']} | {'met' if t['met'] else '**missed**'} |" for t in targets]
    if result.get("counts"):
        off, on = result["counts"]["mix_off"], result["counts"]["mix_on"]
        lines += [
            "",
            "Realistic mix, 1,000 requests in-process (80% product and business reads, 15% dashboard reads by "
            "staff, 5% order placements; the same seeded sequence both times; cache on starts cold):",
            "",
            "| | cache off | cache on |",
            "|---|---:|---:|",
            f"| SQL queries per 1,000 requests | {_num(off['sql_per_1000'])} | {_num(on['sql_per_1000'])} |",
        ]
        for kind, label in (
            ("read", "product and business reads"),
            ("dashboard", "dashboard reads"),
            ("order", "order placements"),
        ):
            lines.append(
                f"| … of which {label} ({off['requests'].get(kind, 0)} requests) | "
                f"{_num(off['sql_by_kind'].get(kind, 0))} | {_num(on['sql_by_kind'].get(kind, 0))} |"
            )
        reads_off = off["sql_by_kind"].get("read", 0) + off["sql_by_kind"].get("dashboard", 0)
        reads_on = on["sql_by_kind"].get("read", 0) + on["sql_by_kind"].get("dashboard", 0)
        lines.append(
            f"| reads only (product, business, dashboard): SQL, reduction | {_num(reads_off)} | "
            f"{_num(reads_on)} ({1 - reads_on / reads_off:.0%} fewer) |"
            if reads_off
            else ""
        )
        lines.append(
            f"| Redis round trips per 1,000 requests | {_num(off['redis_per_1000'])} | {_num(on['redis_per_1000'])} |"
        )
        bad = {k: v for k, v in {**off["statuses"], **on["statuses"]}.items() if not k.split(":")[1].startswith("2")}
        if bad:
            lines.append(f"\nNon-2xx answers in the mix: {bad}")
    memory = result["hit"].get("memory")
    if memory:
        lines += [
            "",
            "Redis memory per family after the cache-on run (MEMORY USAGE of each live key):",
            "",
            "| family | keys | bytes |",
            "|---|---:|---:|",
        ]
        for family, v in memory["families"].items():
            lines.append(f"| {family} | {v['keys']} | {v['bytes']:,} |")
        lines.append(f"| (Redis used_memory, whole server) | | {memory['used_memory']:,} |")
    lines += [
        "",
        "![hit vs miss latency per endpoint](benchmarks/results/bench-latency.png)",
        "",
        f"Bench time {result['bench_seconds']} s (seeding excluded"
        + (f"; seeding took {store['seed_seconds']} s" if store.get("seed_seconds") else "")
        + ").",
    ]
    return "\n".join(lines) + "\n"


def chart(result: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hit, miss = result["hit"]["endpoints"], result["miss"]["endpoints"]
    names = [ep["name"] for ep in result["endpoints"] if ep["family"] and ep["name"] in hit and ep["name"] in miss]
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(names) + 1.6), dpi=110)
    ys = range(len(names))
    for offset, mode, data, color in (
        (-0.2, "hit (cache on)", hit, "#2a9d8f"),
        (0.2, "miss (cache off)", miss, "#e76f51"),
    ):
        p50 = [data[n]["p50_ms"] for n in names]
        p99 = [data[n]["p99_ms"] for n in names]
        ax.barh([y + offset for y in ys], p50, height=0.38, color=color, label=f"{mode}: p50")
        ax.errorbar(
            p99, [y + offset for y in ys], fmt="|", color="#333333", markersize=9, label="p99" if offset > 0 else None
        )
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("latency, ms (log scale)")
    ax.set_title(
        f"Hit vs miss latency per endpoint — {result['store']['orders']:,} orders, {result['machine']['cores']} cores"
    )
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def save_raw(result: dict) -> None:
    """The measurements first, so a report bug never costs a run (bench.py --report-only redraws)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench-latest.json").write_text(json.dumps(result, indent=2, default=str) + "\n")


def load_raw() -> dict:
    return json.loads((RESULTS / "bench-latest.json").read_text())


def write_reports(result: dict) -> str:
    save_raw(result)
    targets = evaluate(result)
    result["targets"] = targets
    text = markdown(result, targets)
    (RESULTS / "bench-latest.md").write_text(text)
    (RESULTS / "bench-latest.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    chart(result, RESULTS / "bench-latency.png")
    return text
