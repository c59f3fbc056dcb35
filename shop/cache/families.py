"""Key families: each app declares its families once, next to its models (`<app>/cache_families.py`).

A family is a key pattern, a TTL, and what it depends on: the models whose rows it is built from,
and, per model, which of its keys a changed row makes stale. Everything else (triggers, signals,
read-through, invalidation, counters, the monitor) is derived from these declarations.

    PRODUCT_DETAIL = declare(
        "products:detail", pattern="products:{id}", ttl=3600,
        depends_on=[Rows("products.Product", keys=lambda change: [{"id": change.pk}])],
    )

A dependency (`Rows`) says, for a change of one row of its model:
- `when(change)`: whether the change matters at all (default: every change);
- `keys(change)`: the params of the keys it makes stale (default: the whole family);
- or, for families with many keys of unknown params (filtered lists), `tags(change)` names the
  tag sets whose keys may be stale and `affects(params, change)` decides for each one. A key is
  put in the tag sets its family's `tags_of(params)` names when it starts loading.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

ALL_COLUMNS = frozenset({"*"})


@dataclass(frozen=True)
class Change:
    """One changed row, as PostgreSQL recorded it in the outbox (or SQLite's triggers did)."""

    model: str  # "app_label.ModelName"
    op: str  # "insert" | "update" | "delete" | "truncate"
    pk: Any
    old: dict | None
    new: dict | None

    @property
    def changed(self) -> frozenset[str]:
        """The columns whose value differs; every column for an insert, a delete or a truncate."""
        if self.op != "update" or self.old is None or self.new is None:
            return ALL_COLUMNS
        return frozenset(name for name in self.new.keys() | self.old.keys() if self.old.get(name) != self.new.get(name))

    def touches(self, *columns: str) -> bool:
        changed = self.changed
        return changed is ALL_COLUMNS or not changed.isdisjoint(columns)

    def before(self, column: str, default=None):
        return (self.old or {}).get(column, default)

    def after(self, column: str, default=None):
        return (self.new or {}).get(column, default)

    @property
    def rows(self) -> list[dict]:
        """The row as it was and as it is (one of them for an insert or a delete)."""
        return [row for row in (self.old, self.new) if row is not None]


@dataclass(frozen=True)
class Rows:
    """A family depends on rows of `model` ("app_label.ModelName")."""

    model: str
    when: Callable[[Change], bool] | None = None
    keys: Callable[[Change], Iterable[dict]] | None = None
    tags: Callable[[Change], Iterable[str]] | None = None
    affects: Callable[[dict, Change], bool] | None = None

    def __post_init__(self):
        if (self.tags is None) != (self.affects is None):
            raise ValueError(f"Rows({self.model!r}): `tags` and `affects` go together")
        if self.keys is not None and self.tags is not None:
            raise ValueError(f"Rows({self.model!r}): give `keys` or `tags`, not both")


@dataclass(frozen=True)
class Family:
    name: str  # "products:detail": what the monitor, the stats and the clear API call it
    pattern: str  # "products:{id}": the key after the configured prefix
    ttl: int | None
    depends_on: tuple[Rows, ...] = field(default_factory=tuple)
    tags_of: Callable[[dict], Iterable[str]] | None = None
    tag_names: tuple[str, ...] = ()
    fragments: "Family | None" = None  # an assembled list: its rows are this family's entries

    @property
    def group(self) -> str:
        """The first segment of the name ("products"); every key of a group shares one hash slot."""
        return self.name.split(":", 1)[0]

    @property
    def effective_ttl(self) -> int | None:
        overrides = getattr(settings, "CACHE_TTLS", {}) or {}
        return overrides.get(self.name, self.ttl)

    def key(self, **params) -> str:
        return self.pattern.format(**params)

    @property
    def models(self) -> list[str]:
        return sorted({rows.model for rows in self.depends_on})


_REGISTRY: dict[str, Family] = {}


def declare(
    name: str,
    *,
    pattern: str,
    ttl: int | None,
    depends_on: Iterable[Rows],
    tags_of: Callable[[dict], Iterable[str]] | None = None,
    tag_names: Iterable[str] = (),
    fragments: Family | None = None,
) -> Family:
    """Declare a key family (once, at import of the app's `cache_families` module). `fragments`: the
    family whose entries are this one's rows (a list assembled from its items' own entries)."""
    if not pattern.startswith(name.split(":", 1)[0] + ":"):
        raise ValueError(f"Cache family {name!r}: its pattern must start with its group, got {pattern!r}")
    if fragments is not None and (fragments.group != name.split(":", 1)[0] or fragments.pattern.count("{") != 1):
        raise ValueError(f"Cache family {name!r}: fragments come from one family of its group, keyed by one id")
    family = Family(
        name=name,
        pattern=pattern,
        ttl=ttl,
        depends_on=tuple(depends_on),
        tags_of=tags_of,
        tag_names=tuple(tag_names),
        fragments=fragments,
    )
    existing = _REGISTRY.get(name)
    if existing is not None and existing != family:
        raise ValueError(f"Cache family {name!r} is declared twice with different settings")
    _REGISTRY[name] = family
    return family


def all_families() -> list[Family]:
    return list(_REGISTRY.values())


def get_family(name: str) -> Family:
    return _REGISTRY[name]


def resolve(selector: str) -> list[Family]:
    """A family name ("products:detail"), a group ("products") or "all" → the families it means."""
    if selector == "all":
        return all_families()
    if selector in _REGISTRY:
        return [_REGISTRY[selector]]
    return [f for f in _REGISTRY.values() if f.group == selector]


def tracked_models() -> list[str]:
    """Every model some family depends on: the tables that get outbox triggers."""
    return sorted({rows.model for family in _REGISTRY.values() for rows in family.depends_on})


def dependencies_on(model: str) -> list[tuple[Family, Rows]]:
    return [(family, rows) for family in _REGISTRY.values() for rows in family.depends_on if rows.model == model]
