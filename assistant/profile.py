"""A city's ICC Index profile: its area rates against the sample, the aggregates, and its weak areas."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from corpus.areas import AREAS, BY_SLUG, CORE_SLUGS, LENS_SLUGS

GROUPS: dict[str, tuple[str, ...]] = {
    "core": CORE_SLUGS,  # the published aggregate: the 14 areas of the original index
    "extended": tuple(a.slug for a in AREAS),  # all 17 areas
    "lens": LENS_SLUGS,  # the six areas of the intercultural lens
}


@dataclass(frozen=True, slots=True)
class AreaScore:
    """One area of a profile: the city's and the sample's rates (0–100) and the report's lines on it."""

    slug: str
    city: float | None
    sample: float | None
    strength: str = ""
    weakness: str = ""
    recommendation: str = ""

    @property
    def name(self) -> str:
        return BY_SLUG[self.slug].name

    @property
    def gap(self) -> float | None:
        """Points by which the city trails the sample (negative when it is ahead), or None."""
        if self.city is None or self.sample is None:
            return None
        return self.sample - self.city


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The mean city rate of a group of areas; `n` of the group's `of` areas had a rate."""

    value: float | None
    n: int
    of: int

    @property
    def complete(self) -> bool:
        return self.n == self.of


@dataclass(frozen=True, slots=True)
class WeakRule:
    """How weak an area is: its shortfall against the sample plus its shortfall below a threshold.

    score = gap_weight * max(sample - city, 0) + abs_weight * max(threshold - city, 0)

    An area is weak when its score is above `min_score`; `limit` keeps only the weakest ones.
    Without a sample rate the threshold stands in for the sample, so the score stays on the same scale:
    (gap_weight + abs_weight) * max(threshold - city, 0).

    Defaults: trailing the peer cities is what the reports themselves point out, so the gap counts
    fully; being below half of the achievable points counts half as much, so that an area in which
    every city scores low is not ranked as if the city alone lagged. A score of 10 (10 points behind
    the sample, or 20 below the threshold) marks a clear shortfall: the reports call gaps of up to
    5 points "marginally" or "slightly" lower.
    """

    gap_weight: float = 1.0
    abs_weight: float = 0.5
    threshold: float = 50.0
    min_score: float = 10.0
    limit: int | None = None

    def score(self, city: float, sample: float | None) -> float:
        below = max(self.threshold - city, 0.0)
        if sample is None:
            return (self.gap_weight + self.abs_weight) * below
        return self.gap_weight * max(sample - city, 0.0) + self.abs_weight * below

    def describe(self) -> str:
        """The rule in a sentence, for the pages and tables that rank areas by it."""
        return (f"ranked by the points below the sample{'' if self.gap_weight == 1 else f' × {num(self.gap_weight)}'}"
                f" plus {'half' if self.abs_weight == 0.5 else f'{num(self.abs_weight)} ×'} the points below "
                f"{pct(self.threshold)}; an area counts as weak above {num(self.min_score)}")

    def reason(self, city: float, sample: float | None) -> str:
        """Why an area counts as weak, in the words a city official reads."""
        if sample is None:
            return f"{pct(city)}, below the {pct(self.threshold)} threshold"
        head = f"{pct(city)} against a sample of {pct(sample)}"
        gap = sample - city
        if gap > 0:
            return f"{head}: {num(gap)} point{'' if gap == 1 else 's'} below"
        return f"{head}, below the {pct(self.threshold)} threshold"


@dataclass(frozen=True, slots=True)
class WeakArea:
    slug: str
    name: str
    city: float
    sample: float | None
    gap: float | None
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class CityProfile:
    """The rates of one city, in the order of AREAS, one AreaScore per area given (slugs unique)."""

    city: str
    year: int | None
    scores: tuple[AreaScore, ...]
    published_aggregate: float | None
    source: str
    published_lens: float | None = None  # the report's own lens figure, not one of the 17 areas
    published_lens_sample: float | None = None
    _by_slug: dict[str, AreaScore] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_slug: dict[str, AreaScore] = {}
        for s in self.scores:
            if s.slug not in BY_SLUG:
                raise ValueError(f"unknown area slug {s.slug!r}")
            if s.slug in by_slug:
                raise ValueError(f"area {s.slug!r} appears twice")
            by_slug[s.slug] = s
        object.__setattr__(self, "_by_slug", by_slug)

    def score(self, slug: str) -> AreaScore | None:
        return self._by_slug.get(slug)

    def aggregate(self, group: str = "core") -> Aggregate:
        """Mean city rate over the areas of `group` ("core", "extended", "lens") that have one."""
        if group not in GROUPS:
            raise ValueError(f"unknown group {group!r}; use one of {', '.join(GROUPS)}")
        slugs = GROUPS[group]
        rates = [s.city for slug in slugs if (s := self._by_slug.get(slug)) and s.city is not None]
        value = sum(rates) / len(rates) if rates else None
        return Aggregate(value, len(rates), len(slugs))

    def weak_areas(self, rule: WeakRule = WeakRule()) -> list[WeakArea]:
        """Areas whose weakness score is above rule.min_score, weakest first (ties: lower rate first)."""
        found = []
        for s in self.scores:
            if s.city is None:
                continue
            value = rule.score(s.city, s.sample)
            if value > rule.min_score:
                found.append(WeakArea(s.slug, s.name, s.city, s.sample, s.gap, value,
                                      rule.reason(s.city, s.sample)))
        found.sort(key=lambda w: (-w.score, w.city))  # stable: AREAS order breaks the last ties
        return found[: rule.limit] if rule.limit is not None else found

    def to_json(self, rule: WeakRule = WeakRule()) -> dict[str, Any]:
        """The `profile --json` contract of ARCHITECTURE.md, plus details the draft and web pages use."""
        weak = self.weak_areas(rule)
        aggs = {g: self.aggregate(g) for g in GROUPS}
        return {
            "city": self.city,
            "year": self.year,
            "aggregate": _out(self.published_aggregate),
            "computed_aggregate": _round(aggs["core"].value),
            "computed_aggregate_extended": _round(aggs["extended"].value),
            "areas": {s.slug: {"city": _out(s.city), "sample": _out(s.sample)} for s in self.scores},
            "weak": [w.slug for w in weak],
            "weak_rule": rule.describe(),
            "lens_aggregate": _round(aggs["lens"].value),
            "published_lens": {"city": _out(self.published_lens), "sample": _out(self.published_lens_sample)},
            "coverage": {g: {"n": a.n, "of": a.of} for g, a in aggs.items()},
            "weak_details": [
                {"slug": w.slug, "name": w.name, "city": _out(w.city), "sample": _out(w.sample),
                 "gap": _out(w.gap), "score": _round(w.score), "reason": w.reason}
                for w in weak
            ],
            "conclusions": {
                s.slug: {"strength": s.strength, "weakness": s.weakness}
                for s in self.scores if s.strength or s.weakness
            },
            "recommendations": {s.slug: s.recommendation for s in self.scores if s.recommendation},
            "source": self.source,
        }


def num(value: float) -> str:
    """53.0 -> "53", 51.07 -> "51.1": rates read as the reports print them."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def pct(value: float) -> str:
    return f"{num(value)}%"


def _out(value: float | None) -> float | int | None:
    # whole rates go out as integers, so the JSON reads like the report ("13", not "13.0")
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _round(value: float | None) -> float | int | None:
    return None if value is None else _out(round(value, 1))
