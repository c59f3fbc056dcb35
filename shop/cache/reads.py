"""Cached reads: each is declared once, with `@cached(FAMILY)`, and registered.

    @cached(PRODUCT_DETAIL, key=lambda product_id: {"id": product_id}, http=["/api/v1/products/{product_id}"])
    def product_detail(*, product_id: int) -> dict:
        return {"product": ProductOutput(product_get(product_id=product_id)).data}

    product_detail(id=5)                       # -> Cached (read through products:5)
    product_detail(id=5, if_none_match=etag)   # -> Cached(not_modified=True) when it still matches

The registry is what `cache_check`, the benchmarks, the dashboard warm-up and the contract tests
read, so a new cached endpoint is its declaration plus its route. `http` lists its endpoint's URLs,
with `{product_id}` and `{category}` standing for a product of the store (see `example_urls`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .assembled import read_assembled
from .families import Family
from .getset import Cached, read


@dataclass
class CachedRead:
    family: Family
    build: Callable[..., object]
    key: Callable[..., dict] | None = None
    http: tuple[str, ...] = ()
    staff: bool = False
    warm: "tuple[dict, ...] | Callable[[], Iterable[dict]]" = field(default_factory=tuple)
    fragments: Callable[[list[int]], dict[int, dict]] | None = None

    @property
    def name(self) -> str:
        return f"{self.build.__module__}.{self.build.__name__}"

    def __call__(self, *, if_none_match: str = "", **args) -> Cached:
        params = self.key(**args) if self.key else args
        if self.family.fragments is not None:
            return read_assembled(
                self.family, params, lambda: self.build(**args), self.fragments,
                if_none_match=if_none_match, tag_params=args,
            )  # fmt: skip
        return read(self.family, params, lambda: self.build(**args), if_none_match=if_none_match, tag_params=args)

    def warm_args(self) -> list[dict]:
        """The arguments worth rebuilding after the family is cleared (asked now: they may move with the date)."""
        return list(self.warm() if callable(self.warm) else self.warm)

    def urls(self, **sample) -> list[str]:
        """The endpoint's URLs with `sample`'s values filled in; those it can't fill are left out."""
        filled = []
        for template in self.http:
            try:
                filled.append(template.format(**sample))
            except KeyError:
                continue
        return filled


_READS: list[CachedRead] = []


def cached(
    family: Family,
    *,
    key: Callable[..., dict] | None = None,
    http: Iterable[str] = (),
    staff: bool = False,
    warm: "Iterable[dict] | Callable[[], Iterable[dict]]" = (),
    fragments: Callable[[list[int]], dict[int, dict]] | None = None,
) -> Callable[[Callable[..., object]], CachedRead]:
    """Declare a cached read of `family`. The decorated function builds the payload from the database
    (keyword arguments only). `key(**args)` maps them to the family's key params when they differ;
    `http` gives its endpoint's URLs, `staff` whether they need an admin; `warm` lists the
    arguments worth rebuilding in the background after the family is cleared (or a function
    giving them, when they move with the date). A family assembled from
    fragments builds an `Assembly` and gives `fragments(ids)`: the rows' fragment payloads by id."""
    if (family.fragments is None) != (fragments is None):
        raise ValueError(f"{family.name}: an assembled family's read gives `fragments`, and only it")

    def register(build: Callable[..., object]) -> CachedRead:
        declared = CachedRead(
            family=family,
            build=build,
            key=key,
            http=tuple(http),
            staff=staff,
            warm=warm if callable(warm) else tuple(warm),
            fragments=fragments,
        )
        _READS.append(declared)
        return declared

    return register


def cached_reads() -> list[CachedRead]:
    return list(_READS)
