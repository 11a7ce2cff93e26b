"""Look-ups the pages need over the loaded index: records by id, counts per document, filter options."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from corpus.places import _fold as fold  # lower case without accents: "hameenlinna" finds "Hämeenlinna"
from corpus.records import Document, Kind, Record
from index.search import Filters


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    doc: Document
    counts: dict[str, int]  # kind -> records

    @property
    def records(self) -> int:
        return sum(self.counts.values())


@dataclass
class Catalog:
    records: list[Record]
    documents: dict[str, Document]
    by_id: dict[str, Record] = field(init=False)
    practices: list[Record] = field(init=False)
    _haystacks: list[str] = field(init=False)  # each practice's folded words, for find_practices

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.records}
        self.practices = sorted((r for r in self.records if r.kind is Kind.PRACTICE),
                                key=lambda r: (not r.city, fold(r.city), fold(r.title)))
        self._haystacks = [fold(" ".join((r.title, r.city, r.country, r.text))) for r in self.practices]

    def document_infos(self) -> list[DocumentInfo]:
        counts: dict[str, Counter[str]] = {d: Counter() for d in self.documents}
        for r in self.records:
            counts.setdefault(r.doc_id, Counter())[r.kind.value] += 1
        return [DocumentInfo(d, {k.value: counts[d.doc_id][k.value] for k in Kind if counts[d.doc_id][k.value]})
                for d in sorted(self.documents.values(), key=lambda d: d.title.lower())]

    def options(self) -> dict[str, list[str]]:
        """The values the practice filters can take, from the practices themselves."""
        def values(attr: str) -> list[str]:
            return sorted({getattr(r, attr) for r in self.practices if getattr(r, attr)}, key=fold)
        return {"city": values("city"), "country": values("country"), "doc": values("doc_id")}

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
