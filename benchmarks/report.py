"""Turns bench.py's measurements into the report: tables, the targets (reported, never asserted) with the
measured reason for each miss, JSON, and one PNG chart."""

from __future__ import annotations

import json
from collections import Counter

from benchmarks.common import RESULTS

CONFIG_ORDER = ["off", "project", "cachalot", "cacheops"]
MIX_LABELS = {
    "read-only": "read-only (84% public reads, 16% staff reads)",
    "realistic": "realistic (80% public reads, 15% staff reads with a JWT, 5% order placements)",
    "orders 20%": "20% orders (67% public reads, 13% staff reads, 20% order placements)",
}


def _ms(value) -> str:
    if value is None:
        return "–"
    return (
        f"{value:.3f}"
        if value < 1
        else f"{value:.2f}"
        if value < 10
        else f"{value:.1f}"
        if value < 100
        else f"{value:.0f}"
    )


def _num(value, digits=0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _pct(part, whole) -> str:
    """The change from `whole` to `part`: "−93%", "+5%"."""
    if not whole:
        return "–"
    change = part / whole - 1
    return f"{change:+.0%}".replace("-", "−")


def _parts(parts: dict | None) -> str:
    """CPU ms split: "CPU 0.70 ms: app 0.55, PostgreSQL 0, Redis 0.15"."""
    if not parts:
        return "CPU –"
    return (
        f"CPU {_ms(sum(parts.values()))} ms: app {_ms(parts['app'])}, PostgreSQL {_ms(parts['db'])}, "
        f"Redis {_ms(parts['redis'])}"
    )


def _cpu_ratio(floor_cpu, cpu) -> str:
    """The same ratio from CPU time in-process (floor ÷ endpoint), which other load hardly moves."""
    return f"; in-process by CPU time {floor_cpu / cpu:.2f}×" if floor_cpu and cpu else ""


def _configs(result: dict) -> list[str]:
    return [c for c in CONFIG_ORDER if c in result["configs"]]


def _public(result: dict) -> list[dict]:
    return [ep for ep in result["endpoints"] if not ep["staff"]]


def _full_list(result: dict) -> dict | None:
    """The full product list: the public endpoint with the largest body."""
    costs = result["configs"]["project"]["costs"]["endpoints"] if "project" in result["configs"] else {}
    public = [ep for ep in _public(result) if ep["name"] in costs]
    return max(public, key=lambda ep: costs[ep["name"]]["bytes_plain"], default=None)


# --- targets ----------------------------------------------------------------------------------------------
def _remaining(mix: dict, n: int = 3) -> str:
    kinds = mix["by_kind"]
    parts = [f"{k} {v['sql']:,} SQL in {v['requests']} requests" for k, v in kinds.items() if v["sql"]]
    parts.append(f"of all these, {mix['first_read_sql']:,} SQL were first reads of {mix['first_reads']} distinct URLs")
    shapes = "; ".join(f"{count}× `{shape[:90]}`" for shape, count in mix["sql_shapes"][:n])
    return ", ".join(parts) + (f". Most frequent: {shapes}" if shapes else "")


def evaluate(result: dict) -> list[dict]:
    configs = result["configs"]
    targets = []

    def add(target, measured, met, reason=""):
        targets.append({"target": target, "measured": measured, "met": met, "reason": "" if met else reason})

    if "project" in configs:
        off, ours = configs["off"]["mixes"], configs["project"]["mixes"]
        for mix, goal in (("realistic", 0.90), ("read-only", 0.97)):
            if mix not in ours:
                continue
            saved = 1 - ours[mix]["sql_per_1000"] / off[mix]["sql_per_1000"]
            warm = 1 - ours[mix]["sql_per_1000_after_first"] / off[mix]["sql_per_1000_after_first"]
            orders = ours[mix]["by_kind"].get("order", {})
            off_total = off[mix]["sql_per_1000"] * off[mix]["requests"] / 1000
            bound = ""
            if orders.get("sql"):
                bound = (
                    f"the {orders['requests']} order placements alone send {orders['sql']:,} SQL "
                    f"({orders['sql'] / orders['requests']:.1f} each, writes no read cache removes): with every "
                    f"read served from the cache the mix could be at most {1 - orders['sql'] / off_total:.0%} "
                    "below cache off. "
                )
            add(
                f"{mix} mix: ≥ {goal:.0%} fewer SQL than cache off",
                f"{saved:.1%} fewer ({_num(off[mix]['sql_per_1000'])} → {_num(ours[mix]['sql_per_1000'])} per 1,000); "
                f"after each URL's first read {warm:.1%} fewer",
                saved >= goal,
                bound + "What remains: " + _remaining(ours[mix]),
            )
        for mix in ("realistic", "orders 20%", "read-only"):
            if mix not in ours:
                continue
            peers = {c: configs[c]["mixes"][mix]["sql_per_1000"] for c in ("cachalot", "cacheops") if c in configs}
            if peers:
                ahead = all(ours[mix]["sql_per_1000"] < v for v in peers.values())
                best = min(peers, key=peers.get)
                add(
                    f"{mix} mix: fewer SQL than both peers",
                    f"this project {_num(ours[mix]['sql_per_1000'])}; "
                    + ", ".join(f"{configs[c]['label']} {_num(v)}" for c, v in peers.items()),
                    ahead,
                    f"{configs[best]['label']} sends fewer: ours by kind "
                    + ", ".join(f"{k} {v['sql']:,}" for k, v in ours[mix]["by_kind"].items())
                    + "; theirs "
                    + ", ".join(f"{k} {v['sql']:,}" for k, v in configs[best]["mixes"][mix]["by_kind"].items()),
                )
        stale = {mix: s["stale"] for mix, s in configs["project"]["stale"].items()}
        add(
            "zero stale answers (this project, every mix)",
            ", ".join(f"{m}: {n}" for m, n in stale.items()),
            not any(stale.values()),
            "; ".join(
                f"{e['path']} at step {e['step']} (X-Cache {e['x_cache']}): {e['difference']}"
                for s in configs["project"]["stale"].values()
                for e in s["examples"][:2]
            ),
        )
        costs = configs["project"]["costs"]["endpoints"]
        staff = [ep for ep in result["endpoints"] if ep["staff"] and ep["name"] in costs]
        worst = max((costs[ep["name"]]["sql_warm"] for ep in staff), default=None)
        add(
            "dashboard hits: 0 SQL with a JWT",
            ", ".join(f"{ep['name']} {costs[ep['name']]['sql_warm']}" for ep in staff),
            worst == 0,
            "the hit's queries: "
            + "; ".join(sorted({f"`{s}`" for ep in staff for s in costs[ep["name"]]["sql_warm_text"]})),
        )
    served = result.get("served")
    if served:
        hit = served["hit"]["endpoints"]
        costs = configs.get("project", {}).get("costs", {}).get("endpoints", {})
        ours = configs.get("project", {}).get("costs", {})
        floor_ms = ours.get("floor_ms")
        for ep in _public(result):
            row = hit.get(ep["name"])
            if not row:
                continue
            c = costs.get(ep["name"], {})
            add(
                f"{ep['name']}: hit ≥ 0.8× the floor",
                f"{row['hit_floor_ratio']:.2f}× ({_num(row['hit']['rps'])} vs {_num(row['floor']['rps'])} req/s)"
                + _cpu_ratio(ours.get("floor_cpu_ms"), c.get("warm_cpu_ms")),
                row["hit_floor_ratio"] >= 0.8,
                f"in-process the hit takes {_ms(c.get('warm_ms'))} ms ({_parts(c.get('warm_cpu_parts'))}) against "
                f"the floor's {_ms(floor_ms)} ms ({_parts(ours.get('floor_cpu_parts'))}) "
                f"({c.get('redis_warm')} Redis round trip, {c.get('sql_warm')} SQL); its body is "
                f"{_num(c.get('bytes_plain'))} bytes against the floor's 70",
            )
        for ep in _public(result):
            row = hit.get(ep["name"])
            if not row or "304_floor_ratio" not in row:
                continue
            c = costs.get(ep["name"], {})
            add(
                f"{ep['name']}: a 304 (If-None-Match) ≥ 1.0× the floor",
                f"{row['304_floor_ratio']:.2f}× ({_num(row['304']['rps'])} vs {_num(row['floor']['rps'])} req/s)"
                + _cpu_ratio(ours.get("floor_cpu_ms"), c.get("cpu_ms_304")),
                row["304_floor_ratio"] >= 1.0,
                f"in-process a 304 takes {_ms(c.get('ms_304'))} ms ({_parts(c.get('cpu_parts_304'))}) against the "
                f"floor's {_ms(floor_ms)} ms ({_parts(ours.get('floor_cpu_parts'))}): "
                f"{c.get('redis_304')} Redis round trip (the ETag is compared in Redis), {c.get('sql_304')} SQL, "
                "against a constant that asks nothing of anyone",
            )
        full = _full_list(result)
        if full and full["name"] in served["hit"]["wire"]:
            w = served["hit"]["wire"][full["name"]]
            add(
                f"bytes on the wire for a repeated full-list poll ({full['path']}) reported",
                f"plain {_num(w['plain']['bytes'])} B, gzip {_num(w['gzip']['bytes'])} B, "
                f"304 {_num(w['304']['bytes'])} B (status {w['304']['status']})",
                True,
            )
    return targets


# --- markdown ---------------------------------------------------------------------------------------------
def _mix_table(result: dict, mix: str) -> list[str]:
    configs = result["configs"]
    off = configs["off"]["mixes"][mix]
    lines = [
        f"**{MIX_LABELS.get(mix, mix)}**, {off['requests']:,} requests, {off['first_reads']} distinct read URLs:",
        "",
        "| configuration | SQL / 1,000 req | vs cache off | … after each URL's first read | vs cache off "
        "| Redis round trips / 1,000 | service time vs cache off: wall (all · reads) | … CPU (all · reads) "
        "| stale answers | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in _configs(result):
        m = configs[c]["mixes"][mix]
        stale = configs[c]["stale"][mix]["stale"] if configs[c]["stale"] else "(reference)"
        if "service_ratio" in m:
            ratio = f"{m['service_ratio']:.2f}× · {m['read_service_ratio']:.2f}×"
            cpu = f"{m['cpu_ratio']:.2f}× · {m['read_cpu_ratio']:.2f}×"
        else:
            ratio, cpu = f"1 ({_num(m['service_ms'] / 1000, 1)} s)", f"1 ({_num(m['cpu_ms'] / 1000, 1)} s)"
        versus = _pct(m["sql_per_1000"], off["sql_per_1000"]) if c != "off" else "–"
        warm = m["sql_per_1000_after_first"]
        warm_versus = _pct(warm, off["sql_per_1000_after_first"]) if c != "off" else "–"
        lines.append(
            f"| {configs[c]['label']} | {_num(m['sql_per_1000'])} | {versus} | {_num(warm)} | {warm_versus} | "
            f"{_num(m['redis_per_1000'])} | {ratio} | {cpu} | {stale} | {m['non_2xx']} |"
        )
    kinds = [k for k in ("read", "dashboard", "order") if k in off["by_kind"]]
    lines += [
        "",
        "| SQL by kind | " + " | ".join(f"{k} ({off['by_kind'][k]['requests']} req)" for k in kinds) + " |",
        "|---|" + "---:|" * len(kinds),
    ]
    for c in _configs(result):
        by = configs[c]["mixes"][mix]["by_kind"]
        lines.append(f"| {configs[c]['label']} | " + " | ".join(_num(by.get(k, {}).get("sql")) for k in kinds) + " |")
    return lines


def markdown(result: dict, targets: list[dict]) -> str:
    m, store, setup, configs = result["machine"], result["store"], result["setup"], result["configs"]
    lines = [
        f"### Benchmark ({result['when']})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}, Django {m['django']}, "
        f"PostgreSQL {m['postgresql']}, Redis {m['redis']}, {m['wrk']}; django-cachalot {m['cachalot']}, "
        f"django-cacheops {m['cacheops']}. Load average before {' '.join(result['load_before'])}, after "
        f"{' '.join(m['load_average'])} (the machine runs other work too).",
        f"Store: {store['orders']:,} orders, {store['products']:,} products, {store['users']:,} users; "
        f"{setup['database']}. Endpoints: every read in the registry of cached reads "
        f"({len(result['endpoints'])}: " + ", ".join(f"`{e['path']}`" for e in result["endpoints"]) + ").",
        "",
        "Configurations (benchmarks/settings/): **cache off** (`CACHE_ENABLED=0`, the reference answers); "
        "**this project**; **django-cachalot** and **django-cacheops** caching the ORM queries of the same "
        "models (products, business, coupons, orders, order items, payments, activities, users) through the "
        "same API views with this project's cache off; cacheops with `QuerySet.update()` made to invalidate "
        "like its own `invalidated_update()` (benchmarks/cacheops_update.py).",
        "",
        "## The mixes (in-process, each configuration on its own copy of the store, each mix starting cold)",
        "",
        "Counted in-process (Django test client; SQL with CaptureQueriesContext, Redis round trips as redis-py "
        "requests sent, by anyone: the cache, the peers, DRF's order throttle). A stale answer is a read whose "
        "status or `data` (without `fromCache` and the clock's fields `lastUpdated`, `created_at`, `updated_at`) "
        "differs from cache off's at the same step of the same seeded sequence. Every mix starts with every "
        "cache empty; '… after each URL's first read' leaves out the SQL of the first request of each distinct "
        "URL in the mix (what a cache that had seen each URL once would still send).",
        "",
    ]
    for mix in configs["off"]["mixes"]:
        lines += _mix_table(result, mix) + [""]
    stale_examples = [
        (c, configs[c]["label"], mix, e)
        for c in _configs(result)
        if configs[c]["stale"]
        for mix, s in configs[c]["stale"].items()
        for e in s["examples"][:3]
    ]
    if stale_examples:
        lines += ["Stale answers, first examples per configuration and mix:", ""]
        lines += [
            f"- {label}, {mix}, step {e['step']} `{e['path']}`"
            + (f" (X-Cache {e['x_cache']})" if e["x_cache"] and c == "project" else "")
            + f": {e['difference']}"
            for c, label, mix, e in stale_examples
        ]
        lines.append("")
    if "project" in configs:
        ours = configs["project"]["mixes"]
        families = sorted({f for mix in ours.values() for f in mix["families"]})
        lines += [
            "Hit ratio per family, this project (hits ÷ reads of the family in the mix; the layer's counters):",
            "",
            "| family | " + " | ".join(ours) + " |",
            "|---|" + "---:|" * len(ours),
        ]
        for family in families:
            cells = []
            for mix in ours.values():
                f = mix["families"].get(family, {})
                reads = (f.get("hits") or 0) + (f.get("misses") or 0)
                cells.append(f"{f['hitRate']:.1%} of {reads}" if reads and f.get("hitRate") is not None else "–")
            lines.append(f"| {family} | " + " | ".join(cells) + " |")
        ro = ours.get("read-only")
        if ro:
            lines += [
                "",
                "What the read-only mix still sends to PostgreSQL with this project's cache (by query shape):",
                "",
            ]
            lines += [f"- {count}× `{shape}`" for shape, count in ro["sql_shapes"][:12]] or ["- nothing"]
        lines.append("")

    # per endpoint, in-process
    lines += [
        "## Per endpoint, in-process",
        "",
        "A warm request (after the first): median wall-clock ms · mean CPU ms (this process + its PostgreSQL "
        "backend + redis-server), SQL statements, Redis round trips (RT); (×) = wall-clock · CPU ratio to cache off.",
        "",
        "| endpoint | " + " | ".join(configs[c]["label"] for c in _configs(result)) + " | this project: 304 |",
        "|---|" + "---:|" * (len(_configs(result)) + 1),
    ]
    for ep in result["endpoints"]:
        cells = []
        off = configs["off"]["costs"]["endpoints"].get(ep["name"], {})
        for c in _configs(result):
            e = configs[c]["costs"]["endpoints"].get(ep["name"])
            if not e:
                cells.append("–")
                continue
            ratio = ""
            if c != "off" and off.get("warm_ms") and off.get("warm_cpu_ms"):
                ratio = f" ({e['warm_ms'] / off['warm_ms']:.2f}× · {e['warm_cpu_ms'] / off['warm_cpu_ms']:.2f}×)"
            cells.append(
                f"{_ms(e['warm_ms'])} · {_ms(e['warm_cpu_ms'])} ms{ratio}, {e['sql_warm']} SQL, {e['redis_warm']} RT"
            )
        e = configs.get("project", {}).get("costs", {}).get("endpoints", {}).get(ep["name"], {})
        cells.append(
            f"{_ms(e['ms_304'])} · {_ms(e['cpu_ms_304'])} ms, {e['sql_304']} SQL, {e['redis_304']} RT"
            if "ms_304" in e
            else "–"
        )
        lines.append(f"| {ep['name']}{' (staff)' if ep['staff'] else ''} | " + " | ".join(cells) + " |")
    p = configs.get("project", {}).get("costs")
    if p:
        lines += [
            "",
            f"Floor in-process (this project's process): {_ms(p['floor_ms'])} · {_ms(p['floor_cpu_ms'])} ms anonymous, "
            f"{_ms(p['floor_admin_ms'])} · {_ms(p['floor_admin_cpu_ms'])} ms with the admin JWT. "
            "RT = Redis round trips. Cold requests (cache just emptied), this project: "
            + ", ".join(f"{n} {e['sql_cold']} SQL/{e['redis_cold']} RT" for n, e in p["endpoints"].items())
            + ".",
        ]

    served = result.get("served")
    if served:
        hit, miss = served["hit"]["endpoints"], served["miss"]["endpoints"]
        lines += [
            "",
            f"## Served (gunicorn {setup['gunicorn']}; wrk {setup['wrk']})",
            "",
            "Hit ÷ floor and 304 ÷ floor: medians of req/s ratios of runs interleaved with the floor's (staff "
            "reads: the floor with the same JWT). Latencies in ms.",
            "",
            "| endpoint | hit req/s | hit p50 · p99 | ÷ floor | 304 req/s | 304 ÷ floor | cache off req/s "
            "| off p50 · p99 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for ep in result["endpoints"]:
            h, s = hit.get(ep["name"]), miss.get(ep["name"], {}).get("miss")
            if not h:
                continue
            nm = h.get("304")
            nm_rps = _num(nm["rps"]) if nm else "–"
            nm_ratio = f"{h['304_floor_ratio']:.2f}×" if nm else "–"
            off_rps = _num(s["rps"]) if s else "–"
            off_lat = f"{_ms(s['p50_ms'])} · {_ms(s['p99_ms'])}" if s else "–"
            lines.append(
                f"| {ep['name']} | {_num(h['hit']['rps'])} | {_ms(h['hit']['p50_ms'])} · {_ms(h['hit']['p99_ms'])} | "
                f"{h['hit_floor_ratio']:.2f}× | {nm_rps} | {nm_ratio} | {off_rps} | {off_lat} |"
            )
        lines += [
            "",
            "Bytes on the wire of one poll (status line + headers + body), as a client repeating it sees them:",
            "",
            "| endpoint | plain | gzip (Accept-Encoding) | 304 (If-None-Match) |",
            "|---|---:|---:|---:|",
        ]
        for name, w in served["hit"]["wire"].items():
            lines.append(
                f"| {name} | {_num(w['plain']['bytes'])} | {_num(w['gzip']['bytes'])} | "
                f"{_num(w['304']['bytes'])} ({w['304']['status']}) |"
            )
        errors = {n: v["hit"]["errors"] for n, v in hit.items() if v["hit"]["errors"]}
        if errors:
            lines += ["", f"wrk socket errors/timeouts: {errors}"]

    cost = result.get("order_cost")
    if cost:
        lines += [
            "",
            "## One order placement: the outbox's cost on the write path",
            "",
            f"A scratch copy of the store; {cost['triggers']} outbox triggers on {len(cost['tracked_tables'])} tables "
            f"({', '.join(cost['tracked_tables'])}). Orders of 2 products through `POST /api/v1/orders`, "
            "in-process, after a warm-up; with the cache off, blocks of 10 placements alternate between the "
            "triggers enabled and disabled (`ALTER TABLE ... DISABLE TRIGGER`), so both sides share the machine's "
            "moments; then the cache on, as deployed (relay beside) and without the relay. 'Writes on tracked "
            "tables' are the statements that fire a statement-level trigger. CPU = app process + its PostgreSQL "
            "backend + redis-server.",
            "",
            "| variant | placements | SQL statements | writes on tracked tables | outbox rows | Redis round trips "
            "| p50 ms | p90 ms | CPU ms (mean) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, v in cost["variants"].items():
            lines.append(
                f"| {label} | {v['n']} | {v['sql']:.0f} | {v['tracked_writes']:.0f} | {v['outbox_rows_per_order']} | "
                f"{v['redis']:.0f} | {_ms(v['p50_ms'])} | {_ms(v['p90_ms'])} | {_ms(v['cpu_ms'])} |"
            )
        variants = cost["variants"]
        for label, v in variants.items():
            if v.get("database_samples"):
                total = sum(count for _, count in v["database_samples"])
                lines += [
                    "",
                    f"{label}: what the database sessions were doing, most frequent of every 10 ms sample: "
                    + "; ".join(f"{what} ({count})" for what, count in v["database_samples"])
                    + f" (of the top {total}).",
                ]
        deployed = next((v for label, v in variants.items() if "as deployed" in label), None)
        bare = variants.get("no triggers, cache off")
        if deployed and bare:
            added = list((Counter(deployed["shapes"]) - Counter(bare["shapes"])).elements())
            gone = list((Counter(bare["shapes"]) - Counter(deployed["shapes"])).elements())
            lines += [
                "",
                f"As deployed vs the bare write: {deployed['sql'] - bare['sql']:+.0f} SQL statements "
                f"(added: {'; '.join(f'`{s}`' for s in added) or 'none'}; gone, now cache hits: "
                f"{'; '.join(f'`{s}`' for s in gone) or 'none'}), "
                f"{deployed['p50_ms'] - bare['p50_ms']:+.2f} ms at the median, "
                f"{deployed['cpu_ms'] - bare['cpu_ms']:+.2f} ms of CPU (the relay's own process not counted).",
            ]

    memory = configs.get("project", {}).get("memory")
    if memory:
        lines += [
            "",
            "Redis memory per family after this project's mixes (MEMORY USAGE of each live key):",
            "",
            "| family | keys | bytes |",
            "|---|---:|---:|",
        ]
        for family, v in memory["families"].items():
            lines.append(f"| {family} | {v['keys']} | {v['bytes']:,} |")
        lines.append(f"| (Redis used_memory, whole server) | | {memory['used_memory']:,} |")

    lines += [
        "",
        "## Targets (issue 12; reported, never asserted)",
        "",
        "| target | measured | met | measured reason when missed |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {t['target']} | {t['measured']} | {'met' if t['met'] else '**missed**'} | {t['reason']} |" for t in targets
    ]
    lines += [
        "",
        "![per endpoint service time, in-process](bench-latency.png)",
        "",
        f"Bench time {result['bench_seconds']:.0f} s (seeding excluded"
        + (f"; seeding took {store['seed_seconds']:.0f} s" if store.get("seed_seconds") else "")
        + ").",
    ]
    return "\n".join(lines) + "\n"


def chart(result: dict, path) -> None:
    """Per endpoint warm service time in-process, one bar per configuration (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = _configs(result)
    names = [ep["name"] for ep in result["endpoints"]]
    fig, ax = plt.subplots(figsize=(9, 0.7 * len(names) + 1.8), dpi=110)
    colors = {"off": "#e76f51", "project": "#2a9d8f", "cachalot": "#8d99ae", "cacheops": "#e9c46a"}
    height = 0.8 / len(configs)
    for i, c in enumerate(configs):
        costs = result["configs"][c]["costs"]["endpoints"]
        ys = [y - 0.4 + height * (i + 0.5) for y in range(len(names))]
        ax.barh(
            ys,
            [costs.get(n, {}).get("warm_cpu_ms", 0) for n in names],
            height=height,
            color=colors[c],
            label=result["configs"][c]["label"],
        )
    ax.set_yticks(list(range(len(names))), names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("CPU ms of a warm request (app process + PostgreSQL backend + redis-server), log scale")
    ax.set_title(f"Per endpoint — {result['store']['orders']:,} orders, {result['machine']['cores']} cores")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def save_raw(result: dict) -> None:
    """The measurements first, so a report bug never costs a run (bench.py --report-only redraws)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench-latest.json").write_text(json.dumps(result, indent=1, default=str) + "\n")


def load_raw() -> dict:
    return json.loads((RESULTS / "bench-latest.json").read_text())


def write_reports(result: dict) -> str:
    save_raw(result)
    targets = evaluate(result)
    result["targets"] = targets
    text = markdown(result, targets)
    (RESULTS / "bench-latest.md").write_text(text)
    save_raw(result)
    chart(result, RESULTS / "bench-latency.png")
    return text
