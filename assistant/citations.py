"""Numbered citations: which record, which of its sentences, which page of which document."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

from corpus.places import country_name, is_place
from corpus.records import Document, Record
from corpus.spans import Alignment

Span = tuple[int, int]
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def quote_spans(text: str, quotes: Sequence[str]) -> tuple[Span, ...]:
    """Where each quoted piece stands in a record's `text`, as [start, end) offsets, in order. A piece
    not found whole (sentences joined for display) is looked for sentence by sentence; what is not
    in the text at all is left out."""
    spans: list[Span] = []
    for quote in quotes:
        quote = quote.strip()
        at = text.find(quote) if quote else -1
        if at >= 0:
            spans.append((at, at + len(quote)))
            continue
        for part in _SENTENCE_END.split(quote):
            at = text.find(part) if part else -1
            if at >= 0:
                spans.append((at, at + len(part)))
    return tuple(sorted(set(spans)))


def parse_spans(value: str, limit: int) -> tuple[Span, ...]:
    """The spans of a reader address (`q=12-80,95-140`); pieces that are not spans within `limit` are dropped."""
    spans = []
    for part in value.split(",")[:20]:
        a, sep, b = part.partition("-")
        if sep and a.isdigit() and b.isdigit() and int(a) < int(b) <= limit:
            spans.append((int(a), int(b)))
    return tuple(sorted(set(spans)))


def reader_url(doc_id: str, page: int | None = None, record_id: str = "", spans: Sequence[Span] = (),
               anchor: bool = True) -> str:
    """The web reader's address: a document at a page, a record shown as a band, its quoted spans
    (offsets into the record's text) marked, and `#hl` to land on the first mark. The one place this
    address is built (citations in answers and drafts, practice cards, page navigation)."""
    params: dict[str, str | int] = {}
    if page:
        params["page"] = page
    if record_id:
        params["record"] = record_id
        if spans:
            params["q"] = ",".join(f"{a}-{b}" for a, b in spans)
    url = f"/sources/{urlquote(doc_id, safe='')}"
    if params:
        url += "?" + urlencode(params, safe=",")
    return url + ("#hl" if record_id and anchor else "")


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
        return reader_url(self.record.doc_id, self.page, self.record.id, quote_spans(self.record.text, self.sentences))

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


def quote_page(record: Record, sentences: Sequence[str], documents: Mapping[str, Document]) -> int:
    """Page on which the first cited sentence stands (a record may run over several pages)."""
    doc = documents.get(record.doc_id)
    spans = quote_spans(record.text, sentences[:1])
    if doc is None or not spans:
        return record.page
    return doc.page_of(Alignment(record, doc).offset(spans[0][0]))


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

    def in_reading_order(self, text: str) -> tuple[str, list[Citation]]:
        """`text` and the citations renumbered in the order their [n] first appear in it (parts of an answer
        are composed in another order than they are shown); citations the text never cites are dropped."""
        order: dict[int, int] = {}
        for m in re.finditer(r"\[(\d+)\]", text):
            old = int(m.group(1))
            if 1 <= old <= len(self.items) and old not in order:
                order[old] = len(order) + 1
        renumbered = re.sub(r"\[(\d+)\]", lambda m: f"[{order.get(int(m.group(1)), int(m.group(1)))}]", text)
        cited = sorted(order, key=order.__getitem__)
        return renumbered, [replace(self.items[old - 1], n=order[old]) for old in cited]

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
    return f"In {where}" if is_place(record.city) else where
