"""Look-ups the pages need over the loaded index: records by id, counts per document, filter options.

Built on the facts derived from the loaded index (assistant/facts.py), once, when the app loads it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.facts import IndexFacts
from assistant.i18n import N_
from corpus.areas import AREAS, BY_SLUG
from corpus.places import fold, is_place, nearest_names  # fold: "hameenlinna" finds "Hämeenlinna"
from corpus.records import Document, Kind, Record
from index.search import Filters


@dataclass(frozen=True, slots=True)
class Choice:
    """One choice of a practice filter: what it shows when chosen, and how many practices."""

    value: str
    label: str
    count: int
    group: str = ""  # "Cities" or "Organisations" for the city filter (shown translated)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    doc: Document
    counts: dict[str, int]  # kind -> records

    @property
    def records(self) -> int:
        return sum(self.counts.values())


@dataclass
class Catalog:
    facts: IndexFacts
    records: Sequence[Record] = field(init=False)
    documents: Mapping[str, Document] = field(init=False)
    by_id: Mapping[str, Record] = field(init=False)
    practices: list[Record] = field(init=False)
    _haystacks: list[str] = field(init=False)  # each practice's folded words, for find_practices
    _values: dict[str, set[str]] = field(init=False)  # the values each practice filter can take

    def __post_init__(self) -> None:
        self.records, self.documents, self.by_id = self.facts.records, self.facts.documents, self.facts.by_id
        self.practices = sorted((r for r in self.records if r.kind is Kind.PRACTICE),
                                key=lambda r: (not r.city, fold(r.city), fold(r.title)))
        self._haystacks = [fold(" ".join((r.title, r.city, r.country, r.text))) for r in self.practices]
        self._values = {"area": {a for r in self.practices for a in r.areas},
                        "city": {r.city for r in self.practices if r.city},
                        "country": {r.country for r in self.practices if r.country},
                        "doc": {r.doc_id for r in self.practices}}

    def document_infos(self) -> list[DocumentInfo]:
        counts: dict[str, Counter[str]] = {d: Counter() for d in self.documents}
        for r in self.records:
            counts.setdefault(r.doc_id, Counter())[r.kind.value] += 1
        return [DocumentInfo(d, {k.value: counts[d.doc_id][k.value] for k in Kind if counts[d.doc_id][k.value]})
                for d in sorted(self.documents.values(), key=lambda d: d.title.lower())]

    def facets(self, areas: tuple[str, ...], city: str, country: str, doc: str, q: str = "") -> dict[str, list[Choice]]:
        """The choices of each practice filter, narrowed by the other filters and counted: what choosing
        one would show. A value chosen is always among its choices, even with nothing to show."""
        words = fold(q).split()
        tests = {"area": Filters(areas=areas).accepts, "city": Filters(city=city).accepts,
                 "country": Filters(country=country).accepts, "doc": Filters(doc_id=doc).accepts}
        counts: dict[str, Counter[str]] = {d: Counter() for d in tests}
        for r, hay in zip(self.practices, self._haystacks, strict=True):
            if not all(w in hay for w in words):
                continue
            passed = {d: test(r) for d, test in tests.items()}
            for d in tests:
                if all(ok for other, ok in passed.items() if other != d):
                    values = r.areas if d == "area" else (getattr(r, "doc_id" if d == "doc" else d),)
                    counts[d].update(v for v in values if v)
        chosen = {"area": areas[0] if areas else "", "city": city, "country": country, "doc": doc}
        for d, value in chosen.items():
            if value and value not in counts[d] and value in self._values[d]:
                counts[d][value] = 0
        order = {a.slug: i for i, a in enumerate(AREAS)}
        return {
            "area": [Choice(v, BY_SLUG[v].name, n) for v, n in sorted(counts["area"].items(),
                                                                        key=lambda x: order.get(x[0], 99))
                     if v in BY_SLUG],
            "city": [Choice(v, v, n, N_("Cities") if is_place(v) else N_("Organisations"))
                     for v, n in sorted(counts["city"].items(), key=lambda x: (not is_place(x[0]), fold(x[0])))],
            "country": [Choice(v, v, n) for v, n in sorted(counts["country"].items(), key=lambda x: fold(x[0]))],
            "doc": [Choice(v, self.documents[v].title if v in self.documents else v, n)
                    for v, n in sorted(counts["doc"].items(), key=lambda x: fold(self._doc_title(x[0])))],
        }

    def unknown(self, name: str, value: str) -> list[str] | None:
        """None when some practice has `value` for filter `name` (city, country or doc), else the nearest
        values that some practice has."""
        if not value:
            return None
        key = fold(value)
        # the comparisons Filters.accepts makes: part of a city's name, a whole country, a document id
        known = {"city": lambda v: key in fold(v), "country": lambda v: key == fold(v), "doc": lambda v: value == v}
        if any(map(known[name], self._values[name])):
            return None
        if name == "doc":
            titles = {self._doc_title(d): d for d in self._values["doc"]}
            return [titles[t] for t in nearest_names(value, titles)]
        return nearest_names(value, self._values[name])

    def _doc_title(self, doc_id: str) -> str:
        return self.documents[doc_id].title if doc_id in self.documents else doc_id

    def find_practices(self, filters: Filters, q: str = "") -> list[Record]:
        words = fold(q).split()
        out = []
        for r, hay in zip(self.practices, self._haystacks, strict=True):
            if not filters.accepts(r):
                continue
            if all(w in hay for w in words):
                out.append(r)
        return out

    def headings(self, doc_id: str) -> frozenset[str]:
        """The headings records of a document stand under: the reader shows those paragraphs as headings."""
        return frozenset(h for r in self.records if r.doc_id == doc_id for h in r.headings if h)

    def original_file(self, doc_id: str) -> Path | None:
        """The file a document was read from that still exists, a PDF first (it has the cited pages)."""
        doc = self.documents.get(doc_id)
        if doc is None:
            return None
        paths = [Path(p) for p in (doc.path, *doc.sources)]
        existing = [p for p in paths if p.is_file()]
        existing.sort(key=lambda p: p.suffix.lower() != ".pdf")
        return existing[0] if existing else None
