"""From changed rows to the keys they make stale, and clearing those keys in Redis.

One mapping, used by every path (the writer after its commit, the relay, a manual clear): each
family's declared dependencies (families.Rows) say which of its keys a change affects — one key,
the keys found through tag sets and refined by the row's old and new values, or the whole family.
A batch costs one round trip (two when tag sets must be read first), whatever its size.
"""

import json
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.dispatch import Signal

from .families import Change, Family, Rows, dependencies_on
from .redis import CacheUnavailable, Store, get_store

logger = logging.getLogger("shop.cache")

# Sent after a family's invalidation reached Redis: sender=None, family=<name>, cause=<str>.
# Background warm-up listens; nothing in this package depends on who listens.
family_invalidated = Signal()


class Plan:
    """What one batch of changes makes stale: whole families, single keys, tag sets to look into."""

    def __init__(self):
        self.whole: set[Family] = set()
        self.keys: dict[str, Family] = {}
        self.tagged: dict[tuple[Family, str], list[tuple[Rows, Change]]] = defaultdict(list)

    @property
    def families(self) -> set[Family]:
        return self.whole | set(self.keys.values()) | {family for family, _ in self.tagged}

    def add(self, store: Store, family: Family, rows: Rows, change: Change) -> None:
        if family in self.whole:
            return
        if change.op == "truncate":
            self.whole.add(family)
        elif rows.when is not None and not rows.when(change):
            return
        elif rows.keys is None and rows.tags is None:
            self.whole.add(family)
        elif rows.keys is not None:
            for params in rows.keys(change):
                self.keys[store.key(family, params)] = family
        else:
            for tag in rows.tags(change):
                self.tagged[(family, tag)].append((rows, change))


def plan_for(store: Store, changes: Iterable[Change]) -> Plan:
    plan = Plan()
    for change in changes:
        for family, rows in dependencies_on(change.model):
            plan.add(store, family, rows, change)
    return plan


def _resolve_tags(store: Store, plan: Plan) -> None:
    """Read the tag sets the plan names and keep the keys whose params the changes affect."""
    tagged = [(family, tag) for family, tag in plan.tagged if family not in plan.whole]
    if not tagged:
        return
    by_group: dict[str, list[tuple[Family, str]]] = defaultdict(list)
    for family, tag in tagged:
        by_group[family.group].append((family, tag))

    calls = [
        ("CANDIDATES", [store.tag_set(family, tag) for family, tag in entries], []) for entries in by_group.values()
    ]
    replies = store.run(lambda r: store.scripts_at_once(r, calls))
    for entries, reply in zip(by_group.values(), replies):
        for (family, tag), members in zip(entries, reply):
            for member in members:
                key, _, params = member.decode().partition("|")
                if key in plan.keys:
                    continue
                params = json.loads(params)
                if any(rows.affects(params, change) for rows, change in plan.tagged[(family, tag)]):
                    plan.keys[key] = family


def _clear(store: Store, plan: Plan) -> dict[str, int]:
    """One INVALIDATE per group, pipelined: one round trip. Returns keys removed per family."""
    groups: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for key, family in plan.keys.items():
        if family not in plan.whole:
            groups[family.group][0].append((key, family))
    for family in plan.whole:
        groups[family.group][1].append(family)
    if not groups:
        return {}

    calls = []
    for group, (stale, whole) in groups.items():
        keys, args = [store.stats_hash(group), store.epochs_hash(group)], [len(stale), len(whole)]
        for key, family in stale:
            keys += [key, store.index(family)]
            args.append(family.name)
        for family in whole:
            keys += [store.index(family), *(store.tag_set(family, tag) for tag in family.tag_names)]
            args += [family.name, len(family.tag_names)]
        calls.append(("INVALIDATE", keys, args))

    removed: dict[str, int] = defaultdict(int)
    for (stale, whole), counts in zip(groups.values(), store.run(lambda r: store.scripts_at_once(r, calls))):
        for (_, family), count in zip([*stale, *((None, f) for f in whole)], counts):
            removed[family.name] += int(count)
    return removed


def apply_plan(plan: Plan, *, cause: str, store: Store | None = None) -> bool:
    """Clear what the plan makes stale. False when Redis can't be reached (nothing was cleared for sure)."""
    store = store or get_store()
    if not plan.families:
        return True
    try:
        _resolve_tags(store, plan)
        removed = _clear(store, plan)
    except CacheUnavailable:
        logger.info("Invalidation of %s (%s) waits for Redis", ", ".join(sorted(f.name for f in plan.families)), cause)
        return False
    touched = plan.whole | set(plan.keys.values())
    for family in sorted(touched, key=lambda f: f.name):
        logger.debug("Invalidated %s (%s): %d keys", family.name, cause, removed.get(family.name, 0))
        for receiver, error in family_invalidated.send_robust(sender=None, family=family.name, cause=cause):
            if isinstance(error, Exception):
                logger.error("family_invalidated receiver %r failed for %s: %r", receiver, family.name, error)
    return True


def apply(changes: list[Change], *, cause: str) -> bool:
    store = get_store()
    return apply_plan(plan_for(store, changes), cause=cause, store=store)


def clear_families(families: Iterable[Family], *, cause: str) -> bool:
    plan = Plan()
    plan.whole.update(families)
    return apply_plan(plan, cause=cause)
