"""Draft recommendation sections for the weak areas of a city profile, every statement cited.

Per weak area, weakest first: what the report found (its ✗ line and findings, when the report's records are
at hand), practices of *other* cities tagged with the area (diverse in city and source), guide questions of
the benchmark sections mapped to the area, and a recommendation paragraph composed from those parts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import AskParams, Composer, Item, _select, render
from assistant.areas import BY_SLUG
from assistant.citations import Citation
from assistant.profile import CityProfile, WeakArea, WeakRule, num
from assistant.profile_io import is_rates_file, load_profile
from corpus.load import load_document
from corpus.places import fold
from corpus.records import Document, Kind, Record
from corpus.sentences import split_sentences
from index.search import Filters, Searcher


@dataclass(frozen=True, slots=True)
class DraftParams:
    areas: int = 5  # weak areas drafted, weakest first
    suggestions: int = 4  # practices of other cities per area (3 to 5 reads well)
    guide_questions: int = 4
    per_document: int = 2  # at most this many suggestions of one document per area
    findings: int = 2  # findings of the report besides its ✗ line


@dataclass
class AreaDraft:
    weak: WeakArea
    findings: list[Item]
    suggestions: list[Item]
    guide_questions: list[Item]
    recommendation: Item | None  # the report's own recommendation for the area, if any
    text: str  # the composed recommendation paragraph, with citation markers

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.weak.slug, "name": self.weak.name, "city_rate": self.weak.city,
            "sample_rate": self.weak.sample, "reason": self.weak.reason,
            "findings": [{"text": " ".join(i.sentences), "citation": i.citation.ref()} for i in self.findings],
            "suggestions": [{"city": i.city, "country": i.citation.record.country, "title": i.title,
                             "text": " ".join(i.sentences), "citation": i.citation.ref()} for i in self.suggestions],
            "guide_questions": [{"text": " ".join(i.sentences), "benchmark": i.title, "citation": i.citation.ref()}
                                for i in self.guide_questions],
            "report_recommendation": ({"text": " ".join(self.recommendation.sentences),
                                       "citation": self.recommendation.citation.ref()}
                                      if self.recommendation else None),
            "text": self.text,
        }


@dataclass
class Draft:
    profile: CityProfile
    rule: WeakRule
    areas: list[AreaDraft]
    citations: list[Citation] = field(default_factory=list)

    @property
    def city(self) -> str:
        return self.profile.city

    def file_stem(self) -> str:
        """'icc-draft-hameenlinna': the name a downloaded or written draft gets."""
        folded = unicodedata.normalize("NFKD", self.city).encode("ascii", "ignore").decode().lower()
        return f"icc-draft-{re.sub(r'[^a-z0-9]+', '-', folded).strip('-')[:40] or 'city'}"

    def to_json(self) -> dict[str, Any]:
        """The `draft --format json` contract of ARCHITECTURE.md, plus the numbered sources."""
        return {"city": self.city, "year": self.profile.year, "source": self.profile.source,
                "areas": [a.to_json() for a in self.areas],
                "sources": [c.to_json() for c in self.citations]}

    def to_markdown(self) -> str:
        from assistant.export import draft_markdown
        return draft_markdown(self)

    def to_docx(self) -> bytes:
        from assistant.export import draft_docx
        return draft_docx(self)


def report_records(path: Path, searcher: Searcher) -> tuple[list[Record], dict[str, Document]]:
    """The records of an ICC report file, through the corpus reading path. When the index holds the same
    document, its records are used, so citations open in the source reader."""
    doc, records, _ = load_document(path.stem, [path])
    for known in searcher.index.documents.values():
        if known.fingerprint and known.fingerprint == doc.fingerprint:
            return [r for r in searcher.records if r.doc_id == known.doc_id], {}
    return records, {doc.doc_id: doc}


def draft_from_file(searcher: Searcher, path: Path, params: DraftParams = DraftParams(),
                    rule: WeakRule | None = None) -> Draft:
    """The draft for a profile file: an ICC report (whose own findings are then cited) or JSON/CSV rates.
    Raises ProfileError or DocumentError for a file that is not a usable profile."""
    prof = load_profile(path)
    report: list[Record] = []
    documents: dict[str, Document] = {}
    if not is_rates_file(path):
        report, documents = report_records(path, searcher)
    return draft(searcher, prof, params, rule, report, documents)


def _city_records(searcher: Searcher, city: str, extra: Sequence[Record]) -> list[Record]:
    """Findings and recommendations about `city`, from the given report records or else the index."""
    wanted = (Kind.FINDING, Kind.RECOMMENDATION)
    own = [r for r in extra if r.kind in wanted]
    if own:
        return own
    return [r for r in searcher.records if r.kind in wanted and fold(r.about_city) == fold(city)]


def _area_query(weak: WeakArea, weakness: str) -> str:
    area = BY_SLUG[weak.slug]
    return " ".join(x for x in (f"{area.name}: {area.description}", weakness) if x)


def draft(searcher: Searcher, profile: CityProfile, params: DraftParams = DraftParams(),
          rule: WeakRule | None = None, report: Sequence[Record] = (),
          documents: Mapping[str, Document] | None = None, limit: int | None = None) -> Draft:
    """Recommendation sections for the `params.areas` weakest areas of `profile`. `report` may carry
    the records of the profile's own report (read from an uploaded file); otherwise the index's records
    about the profile's city are used for the findings, if there are any. `limit` overrides params.areas."""
    rule = rule or WeakRule()
    docs = dict(searcher.index.documents)
    docs.update(documents or {})
    own = _city_records(searcher, profile.city, report)
    weak_areas = profile.weak_areas(rule)[: limit or params.areas]
    composer = Composer(searcher, profile.city)
    composer.citations.documents = docs
    sections = [_area(searcher, composer, profile, w, own, params) for w in weak_areas]
    return Draft(profile, rule, sections, composer.citations.items)


def _area(searcher: Searcher, composer: Composer, profile: CityProfile, weak: WeakArea, own: Sequence[Record],
          params: DraftParams) -> AreaDraft:
    score = profile.score(weak.slug)
    in_area = [r for r in own if weak.slug in r.areas]
    # the ✗ line of the conclusions, then the findings of the area's own section that best fit it
    crosses = [r for r in in_area if r.kind == Kind.FINDING and r.title.lower() == "weakness"]
    weakness = " ".join(r.text for r in crosses) or (score.weakness if score else "")
    query = _area_query(weak, weakness)
    composer.focus(query)
    qv = composer.qv()  # the area's query, embedded once for every search and ranking below
    findings = composer.items(crosses, most=2)
    rest = [r for r in in_area if r.kind == Kind.FINDING and r.title.lower() not in {"weakness", "strength"}
            and not _is_rate_line(r.text) and _about_the_city(r.text, profile.city)]
    said = " ".join(" ".join(i.sentences) for i in findings)
    fresh = [r for r in _rank(searcher, qv, rest) if not _repeats(r.text, said)]
    findings += composer.items(fresh[: params.findings], most=2)
    # the Recommendations chapter's line for the area first; the section's own suggestions after it
    recs = [r for r in in_area if r.kind == Kind.RECOMMENDATION]
    rec_ranked = sorted(_rank(searcher, qv, recs), key=lambda r: not r.section.startswith("Recommendations"))
    recommendation = composer.without_label(composer.items(rec_ranked[:1], most=2)[0]) if rec_ranked else None

    exclude = Filters(kinds=(Kind.PRACTICE,), areas=(weak.slug,), exclude_city=profile.city)
    hits = searcher.search(query, k=40, filters=exclude, boost_areas=(weak.slug,), vector=qv)
    ask = AskParams(item_similarity=0.0, item_drop=1.0)
    chosen = _select(hits, params.suggestions, ask, params.per_document, one_per_city=True)
    suggestions = composer.items([h.record for h in chosen], most=2)
    gq_hits = searcher.search(query, k=30, filters=Filters(kinds=(Kind.GUIDE_QUESTION,), areas=(weak.slug,)),
                              boost_areas=(weak.slug,), vector=qv)
    # a question that leans on the one before it ("Do these resources ...") cannot stand alone
    standalone = [h for h in gq_hits if not _LEANS.match(h.record.text)]
    gq_hits = standalone if len(standalone) >= 3 else sorted(gq_hits, key=lambda h: bool(_LEANS.match(h.record.text)))
    picked = _select(gq_hits, params.guide_questions, ask, 99, one_per_city=True)  # one per benchmark first
    picked += [h for h in gq_hits if h not in picked][: params.guide_questions - len(picked)]
    guide = composer.items([h.record for h in picked], most=1)
    text = render("recommendation.md.j2", city=profile.city or "The city", weak=weak, area=BY_SLUG[weak.slug],
                  rate=num(weak.city), sample=num(weak.sample) if weak.sample is not None else None,
                  recommendation=recommendation, suggestions=suggestions, guide=guide).strip()
    return AreaDraft(weak, findings, suggestions, guide, recommendation, text)


_LEANS = re.compile(r"\W*\w+ (these|this|they|those|such|it|its|their)\b", re.I)


def _rank(searcher: Searcher, query_vector: np.ndarray, records: Sequence[Record]) -> list[Record]:
    """`records` most similar to the query (its embedding) first."""
    if not records:
        return []
    sims = searcher.embedder.embed_batch([r.text[:2000] for r in records]) @ query_vector
    return [records[int(i)] for i in sims.argsort()[::-1]]


def _repeats(text: str, said: str) -> bool:
    """Whether most of `text`'s sentences were already quoted (a ✗ line repeats the findings)."""
    sents = [s.text for s in split_sentences(text)]
    return bool(sents) and sum(s in said for s in sents) >= len(sents) // 2 + 1


def _about_the_city(text: str, city: str) -> bool:
    """A finding that speaks of the city (not the report's general remarks about the index)."""
    low = fold(text)
    return any(w in low for w in ("the city", "municipality", "the town", fold(city)))


def _is_rate_line(text: str) -> bool:
    """'X achieved a rate of 13%, ...': the rate is in the heading already."""
    low = text.lower()
    return len(text) < 260 and "rate" in low and "%" in text and "sample" in low
