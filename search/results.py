"""What ranking the lesson library answers, named instead of positional tuples.

Both backends' `run(backend, plan, *, sort, offset, size, facets)` return a
Ranking (search.engine, search.database); search.service wraps it in a
RankedAnswer saying which backend answered, and caches that. OtherKinds is
what search.registry's kinds (schools, courses…) add to the same search.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ranking:
    """One page of the library in rank order, and what the whole match counts."""

    ids: tuple  # page pks of this page, best first
    total: int  # every page matched, not only this page
    offset: int  # where this page starts: the database backend moves a page past the end to the last one
    facet_counts: dict = field(default_factory=dict)  # {facet: {raw value: count}}; search.facets labels them


@dataclass(frozen=True)
class RankedAnswer:
    """A Ranking and who gave it: the engine, the database backend, or the database while the engine is down."""

    ranking: Ranking
    mode: str  # a search.models.QueryLog.Backend value: "engine", "database" or "fallback"
    notice: str | None = None  # shown to the user (the engine is down), else None


@dataclass(frozen=True)
class OtherKinds:
    """What the registered kinds (search.registry) add: all of the page when one is asked for alone."""

    alone: object = None  # the registry.Kind asked for with ?resource_type=, listed alone; else None
    total: int = 0
    results: list = field(default_factory=list)  # API-ready dicts: that kind's page, or the top hits of all
    counts: dict = field(default_factory=dict)  # {kind name: total}, added to the resource_type facet
