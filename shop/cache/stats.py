"""Counters and key listings, shaped for JSON (the cache/stats API, the monitor page, cache_monitor)."""

import math
import time

from .families import Family, all_families
from .redis import CacheUnavailable, get_store


def _family_reads(pipe, store, families: list[Family], include_keys: bool) -> None:
    now = int(time.time() * 1000)
    for family in families:
        if include_keys:
            pipe.zrangebyscore(store.index(family), now, "+inf", withscores=True)
        else:
            pipe.zcount(store.index(family), now, "+inf")


def stats(*, include_keys: bool = False) -> dict:
    """Per family: live keys, hits, misses, hit rate, invalidations, errors; plus Redis status. With
    `include_keys`, each family also lists its live keys with their TTL left (`entries`; -1: no expiry)."""
    store = get_store()
    families = sorted(all_families(), key=lambda f: f.name)
    groups = sorted({f.group for f in families})

    def read(r):
        pipe = r.pipeline(transaction=False)
        for group in groups:
            pipe.hgetall(store.stats_hash(group))
        if store.is_cluster:  # a cluster pipeline refuses INFO
            _family_reads(pipe, store, families, include_keys)
            replies = pipe.execute()
            infos = [store.info(r, section) for section in ("memory", "server", "stats")]
            return replies[: len(groups)] + infos + replies[len(groups) :]
        pipe.info("memory")
        pipe.info("server")
        pipe.info("stats")
        _family_reads(pipe, store, families, include_keys)
        return pipe.execute()

    reason = ""
    try:
        replies = store.run(read)
        status = "up"
    except CacheUnavailable as error:
        replies = [{} for _ in groups] + [{}, {}, {}] + [[] if include_keys else 0 for _ in families]
        status = "down" if store.enabled else "disabled"
        reason = str(error)
    counters = {k.decode(): int(v) for hashed in replies[: len(groups)] for k, v in hashed.items()}
    memory, server, redis_stats = replies[len(groups) : len(groups) + 3]
    live = replies[len(groups) + 3 :]
    now = time.time()
    by_family = {}
    for family, found in zip(families, live):
        local = store.local_counts.get(family.name)
        hits = counters.get(f"{family.name}:hits", 0) + local["hits"]
        misses = counters.get(f"{family.name}:misses", 0) + local["misses"]
        entry = {
            "pattern": family.pattern,
            "ttl": family.effective_ttl,
            "keys": len(found) if include_keys else int(found),
            "hits": hits,
            "misses": misses,
            "hitRate": round(hits / (hits + misses), 4) if hits + misses else None,
            "invalidations": counters.get(f"{family.name}:invalidations", 0) + local["invalidations"],
            "errors": counters.get(f"{family.name}:errors", 0) + local["errors"],
        }
        if include_keys:
            entry["entries"] = [
                {
                    "key": store.logical(member.decode()),
                    "ttl": -1 if math.isinf(score) else max(0, int(score / 1000 - now)),
                }
                for member, score in found
            ]
        by_family[family.name] = entry
    return {
        "redis": {
            "status": status,
            "reason": reason,
            "version": server.get("redis_version"),
            "usedMemory": memory.get("used_memory"),
            "usedMemoryHuman": memory.get("used_memory_human"),
            "maxMemory": memory.get("maxmemory"),
            "maxMemoryPolicy": memory.get("maxmemory_policy"),
            "uptimeSeconds": server.get("uptime_in_seconds"),
            "keyspaceHits": redis_stats.get("keyspace_hits"),
            "keyspaceMisses": redis_stats.get("keyspace_misses"),
            "breakerOpen": store.breaker.is_open,
            "maxKeysPerFamily": store.max_keys,
        },
        "families": by_family,
    }


def reset_stats() -> None:
    store = get_store()
    store.local_counts.clear()
    groups = sorted({f.group for f in all_families()})
    try:
        store.run(lambda r: r.delete(*(store.stats_hash(g) for g in groups)))
    except CacheUnavailable:
        pass
