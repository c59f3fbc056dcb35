"""Key families: each app declares its families once, in its `cache_families.py`.

A family is a key pattern, a TTL and the models whose writes make it stale. Everything else
(signal receivers, read-through, invalidation, counters, the monitor) is derived from these.
"""

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class Family:
    name: str
    pattern: str
    ttl: int | None
    clears_on: tuple[str, ...] = field(default_factory=tuple)

    @property
    def group(self) -> str:
        return self.name.split(":", 1)[0]

    @property
    def effective_ttl(self) -> int | None:
        overrides = getattr(settings, "CACHE_TTLS", {}) or {}
        return overrides.get(self.name, self.ttl)

    def key(self, **params) -> str:
        return self.pattern.format(**params)


_REGISTRY: dict[str, Family] = {}


def declare(name: str, *, pattern: str, ttl: int | None, clears_on: list[str] | tuple[str, ...]) -> Family:
    """Declare a key family. `clears_on` names models as "app_label.ModelName"."""
    family = Family(name=name, pattern=pattern, ttl=ttl, clears_on=tuple(clears_on))
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


def families_cleared_by(model_label: str) -> list[Family]:
    return [f for f in _REGISTRY.values() if model_label in f.clears_on]
