"""Draft quality on a judged set of areas (`../shared/eval/areas-dev.json`), through the same `draft` users get.

The file judges, per area slug, which practices a draft section for that area should suggest (`direct`,
`related`; the practice format and matching of the answers set, assistant/evaluation/answers.py). The
evaluation drafts every area of the file for one profile weak in all of them, then measures
(../shared/eval/README.md, "Drafts"):
- precision: suggestions judged direct or related / all suggestions;
- direct_precision: suggestions judged direct / all suggestions;
- template_similarity: the mean, over pairs of areas, of the Jaccard overlap of word 3-grams between their
  recommendation paragraphs, after masking quotes, parentheses, citation markers, figures and the names of
  the cities (the frame should vary as the material does).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.draft import Draft, DraftParams, draft
from assistant.evaluation.answers import Judge, Judged, judged_list, read_json
from assistant.profile import AreaScore, CityProfile
from corpus.areas import BY_SLUG
from corpus.records import Record
from index.search import Searcher

# the profile every area of the file is drafted for: weak in all of them, and a city no document is about,
# so that no report of the corpus is quoted as its own (`--city` drafts for a city with a report instead)
EVAL_CITY = "Evaltown"
EVAL_RATES = (10.0, 60.0)


@dataclass(frozen=True, slots=True)
class JudgedArea:
    slug: str
    direct: tuple[Judged, ...]
    related: tuple[Judged, ...]


def read_areas(path: Path) -> list[JudgedArea]:
    """The judged areas of a drafts file; a clear ValueError for anything else."""
    data = read_json(path)
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path}: expected a JSON object of area slugs, each with 'direct' and 'related'")
    out = []
    for slug, judged in data.items():
        if slug not in BY_SLUG:
            raise ValueError(f"{path}: {slug!r} is not an area slug")
        if not isinstance(judged, dict):
            raise ValueError(f"{path}: area {slug!r}: expected an object with 'direct' and 'related'")
        where = f"{path}: area {slug}"
        out.append(JudgedArea(slug, judged_list(judged.get("direct", []), where),
                              judged_list(judged.get("related", []), where)))
    return out


def weak_everywhere(slugs: Sequence[str], city: str = EVAL_CITY) -> CityProfile:
    """A profile weak in every one of `slugs` (and only those), with no published figures."""
    city_rate, sample = EVAL_RATES
    return CityProfile(city, None, tuple(AreaScore(s, city_rate, sample) for s in slugs), None, "evaluation")


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’")
_PARENS = re.compile(r"\([^()]*\)")
_MARKER = re.compile(r"\[\d+(?:[,–-]\s*\d+)*\]")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*\s*%?")


def masked(text: str, names: Sequence[str]) -> list[str]:
    """The words of a paragraph with quotes, parentheses, citation markers, figures and `names` masked."""
    text = _QUOTED.sub(" QUOTE ", text)
    for _ in range(3):  # nested parentheses, innermost first
        text = _PARENS.sub(" ", text)
    text = _MARKER.sub(" ", text)
    text = _FIGURE.sub(" NUM ", text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " NAME ", text, flags=re.I)
    return re.findall(r"[\w’'-]+", text.lower())


def trigrams(words: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def template_similarity(paragraphs: Sequence[str], names: Sequence[str]) -> float:
    """Mean pairwise Jaccard overlap of the paragraphs' word 3-grams (masked as above)."""
    grams = [trigrams(masked(p, names)) for p in paragraphs]
    pairs = [(a, b) for a, b in itertools.combinations(grams, 2) if a or b]
    if not pairs:
        return 0.0
    return sum(len(a & b) / len(a | b) for a, b in pairs) / len(pairs)


def _grade(judge: Judge, area: JudgedArea, record: Record) -> int:
    if any(judge.same(j, record) for j in area.direct):
        return 2
    return 1 if any(judge.same(j, record) for j in area.related) else 0


def names_in(result: Draft) -> list[str]:
    """City and organisation names a draft's paragraphs may carry (masked before comparing frames)."""
    names = {result.city}
    for a in result.areas:
        for s in a.suggestions:
            r = s.citation.record
            names.update((r.city, r.country, s.place))
    return [n for n in names if n]


def evaluate_drafts(searcher: Searcher, areas: Sequence[JudgedArea], city: str = EVAL_CITY,
                    params: DraftParams | None = None) -> dict[str, Any]:
    """The metrics above, and per area its suggestions with their judged grade and the draft's own."""
    params = params or DraftParams()
    profile = weak_everywhere([a.slug for a in areas], city)
    result = draft(searcher, profile, params, limit=len(areas))
    judge = Judge(searcher.records)
    by_slug = {a.slug: a for a in areas}
    total = good = direct = 0
    per: list[dict[str, Any]] = []
    for section in result.areas:
        judged = by_slug[section.weak.slug]
        grades = [_grade(judge, judged, s.citation.record) for s in section.suggestions]
        total += len(grades)
        good += sum(1 for g in grades if g >= 1)
        direct += sum(1 for g in grades if g == 2)
        per.append({"slug": section.weak.slug, "text": section.text,
                    "items": [{"city": s.city, "grade": s.grade, "judged": g, "record_id": s.citation.record.id}
                              for s, g in zip(section.suggestions, grades, strict=True)]})

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 4) if b else None

    similarity = template_similarity([a.text for a in result.areas], names_in(result))
    return {"n": len(areas), "items": total, "precision": ratio(good, total), "direct_precision": ratio(direct, total),
            "template_similarity": round(similarity, 4), "city": city, "per_area": per}
