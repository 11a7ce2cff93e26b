"""Fusion: the scores of the retrieval signals (English dense, BM25, multilingual dense) made one score per record.

Every fusion has one signature, `fuse(signals, k)`, and is looked up by name in FUSIONS; the names it holds
are the values `Settings.fusion` (ICC_FUSION) and `SearchParams.fusion` allow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np

RRF_K = 20


class Signal(NamedTuple):
    """One retrieval signal's candidates: a map of record → raw score (best first), or, for `rrf` alone,
    the records in rank order; its weight; the raw score of a record it did not return, when known
    (BM25: 0, it shares no term); (mean, spread) of its scores over more than its candidates, when known
    (BM25 scores every record). A plain tuple of the same fields does as well."""

    scores: Mapping[int, float] | Sequence[int]
    weight: float
    missing: float | None = None
    stats: tuple[float, float] | None = None


def _signals(signals: Sequence[Signal | tuple[Any, ...]]) -> list[Signal]:
    return [Signal(*s) for s in signals]


def rrf(signals: Sequence[Signal], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal-rank fusion: sum of weight / (k + rank) over the rankings an item is in."""
    fused: dict[int, float] = {}
    for signal in _signals(signals):
        scores, weight = signal.scores, signal.weight
        ranking = sorted(scores, key=lambda i: -scores[i]) if isinstance(scores, Mapping) else scores
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def convex(signals: Sequence[Signal], k: int = RRF_K) -> dict[int, float]:
    """Weighted sum of min-max normalised scores."""
    fused: dict[int, float] = {}
    for signal in _signals(signals):
        scores, weight = _scores(signal), signal.weight
        if not scores:
            continue
        lo, hi = min(scores.values()), max(scores.values())
        span = hi - lo
        for item, s in scores.items():
            # all scores equal (one candidate, say, after a narrow filter): each is the best there is
            fused[item] = fused.get(item, 0.0) + weight * ((s - lo) / span if span else 1.0)
    return fused


def zscore(signals: Sequence[Signal], k: int = RRF_K) -> dict[int, float]:
    """Weighted sum of z-scores (each backend's candidates standardised by their mean and spread).

    Unlike min-max, one outlier at the top does not squash every other score towards 0. A record missing
    from a signal's candidates gets the z-score of the signal's `missing` raw score (BM25: 0, it shares no
    term), or, when it is not known (dense: somewhere below the candidates), the lowest z-score of the
    candidates. When the candidates all score the same (a lone match), they get 1 and the missing get 0.
    The sums are shifted to be positive (the lowest is a small epsilon) so that multiplicative priors
    (kind, area, country) keep their meaning. A signal's `stats`, when given, are its (mean, spread) over
    more than its candidates (BM25 scores every record)."""
    parts: list[tuple[dict[int, float], float, float]] = []
    for signal in _signals(signals):
        scores, weight, missing = _scores(signal), signal.weight, signal.missing
        if not scores:
            continue
        if signal.stats is not None:
            mean, spread = signal.stats
        else:
            values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
            mean, spread = float(values.mean()), float(values.std())
        if spread <= 1e-9 * max(1.0, abs(mean)):
            z, floor = dict.fromkeys(scores, 1.0), 0.0
        else:
            z = {i: (s - mean) / spread for i, s in scores.items()}
            floor = (missing - mean) / spread if missing is not None else min(z.values())
        parts.append((z, floor, weight))
    items: set[int] = set().union(*(z for z, _, _ in parts))
    fused = {i: sum(w * z.get(i, floor) for z, floor, w in parts) for i in items}
    if not fused:
        return fused
    low = min(fused.values())
    return {i: s - low + 1e-6 for i, s in fused.items()}


def _scores(signal: Signal) -> Mapping[int, float]:
    if not isinstance(signal.scores, Mapping):
        raise TypeError("this fusion needs the candidates' scores, not only their ranks")
    return signal.scores


Fusion = Callable[[Sequence[Signal], int], dict[int, float]]

# name → fusion; the first is the default
FUSIONS: dict[str, Fusion] = {"zscore": zscore, "convex": convex, "rrf": rrf}

if TYPE_CHECKING:
    FusionName = str
else:  # the names FUSIONS holds, as the type a setting is checked against
    FusionName = Literal[tuple(FUSIONS)]
