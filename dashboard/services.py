"""The dashboard's one write: clearing cache families from the monitor page."""

from shop.cache import all_families, clear


def cache_family_clear(*, family: str, user) -> list[str]:
    """Clear one declared family, or every family with "all". Returns the names cleared."""
    if family != "all" and family not in {f.name for f in all_families()}:
        raise ValueError(f"Unknown cache family {family!r}")
    return clear(family, cause=f"dashboard monitor by {user.email}")
