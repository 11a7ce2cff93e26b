"""Numbered citations: which record, which of its sentences, which page of which document."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as urlquote

from corpus.places import country_name, fold, gazetteer
from corpus.records import Document, Record


@dataclass(frozen=True, slots=True)
class Citation:
    n: int
    record: Record
    sentences: tuple[str, ...]  # exact substrings of record.text; empty = the record as a whole
    page: int
    grade: str = ""  # for a practice in an answer: "direct" (does what was asked) or "related"

    @property
    def quote(self) -> str:
        return " … ".join(self.sentences)

    @property
    def url(self) -> str:
        """Where the web app's reader opens this passage, highlighted."""
        return f"/sources/{urlquote(self.record.doc_id)}?page={self.page}&record={urlquote(self.record.id)}#hl"

    def label(self) -> str:
        """'Title of the document, p. 12, Section > Subsection'."""
        parts = [self.record.doc_title, f"p. {self.page}"]
        if self.record.section:
            parts.append(self.record.section)
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {"n": self.n, "record_id": r.id, "doc_id": r.doc_id, "doc_title": r.doc_title, "page": self.page,
                "section": r.section, "city": r.city, "country": r.country, "kind": r.kind.value,
                "title": r.title, "quote": self.quote, "sentences": list(self.sentences), "url": self.url,
                **({"grade": self.grade} if self.grade else {})}

    def ref(self) -> dict[str, Any]:
        """The short `citation` object of the draft contract."""
        return {"doc_id": self.record.doc_id, "doc_title": self.record.doc_title, "page": self.page,
                "section": self.record.section, "record_id": self.record.id, "n": self.n}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def quote_page(record: Record, sentences: Sequence[str], documents: Mapping[str, Document]) -> int:
    """Page on which the first cited sentence stands (a record may run over several pages)."""
    doc = documents.get(record.doc_id)
    if doc is None or not sentences:
        return record.page
    span = doc.text[record.start:record.end]
    # the record's text is the document's text with markup removed: look for the sentence's opening words
    probe = _squash(sentences[0])[:60]
    squashed: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(span):
        if ch.isspace() and squashed and squashed[-1] == " ":
            continue
        squashed.append(" " if ch.isspace() else ch)
        index.append(i)
    at = "".join(squashed).find(probe)
    if at < 0:
        return record.page
    return doc.page_of(record.start + index[at])


class Citations:
    """Numbers records in the order they are first cited; citing a record again reuses its number."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self.documents = documents
        self.items: list[Citation] = []
        self._by_id: dict[str, int] = {}

    def cite(self, record: Record, sentences: Sequence[str] = (), grade: str = "") -> Citation:
        for s in sentences:
            if s not in record.text:
                raise ValueError(f"cited sentence is not in record {record.id}: {s[:60]!r}")
        if record.id in self._by_id:
            i = self._by_id[record.id]
            old = self.items[i]
            merged = tuple(dict.fromkeys((*old.sentences, *sentences)))
            self.items[i] = Citation(old.n, record, merged, old.page, old.grade or grade)
            return self.items[i]
        c = Citation(len(self.items) + 1, record, tuple(sentences), quote_page(record, sentences, self.documents),
                     grade)
        self._by_id[record.id] = len(self.items)
        self.items.append(c)
        return c

    def replace(self, citation: Citation, sentences: Sequence[str]) -> Citation:
        """Cite narrower sentences of the same record under the same number (e.g. without a label)."""
        for s in sentences:
            if s not in citation.record.text:
                raise ValueError(f"cited sentence is not in record {citation.record.id}: {s[:60]!r}")
        new = Citation(citation.n, citation.record, tuple(sentences), citation.page, citation.grade)
        self.items[citation.n - 1] = new
        return new


def place(record: Record) -> str:
    """'Tampere (Finland)', 'Luxembourg', or an organisation's name."""
    if record.country and country_name(record.city) != record.country and record.city != record.country:
        return f"{record.city} ({record.country})"
    return record.city or record.doc_title


def lead(record: Record) -> str:
    """How an answer item opens: 'In Tampere (Finland)' for a place, the name alone for an organisation."""
    where = place(record)
    is_place = bool(record.city) and (fold(record.city) in gazetteer() or bool(country_name(record.city)))
    return f"In {where}" if is_place else where
