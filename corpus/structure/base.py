"""Shared pieces of the structure step: paragraphs with offsets and a record factory."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from corpus.records import Document, Kind, Record, record_id


@dataclass(frozen=True, slots=True)
class Para:
    start: int
    end: int
    text: str

    @property
    def single_line(self) -> bool:
        return "\n" not in self.text


def paragraphs(text: str) -> list[Para]:
    """Blank-line separated paragraphs of `text`, with their offsets."""
    out = []
    for m in re.finditer(r"(?:(?!\n[ \t]*\n)[\s\S])+", text):
        chunk = m.group(0)
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        start = m.start() + lead
        out.append(Para(start, start + len(stripped), stripped))
    return out


def is_caps_heading(p: Para, max_len: int = 90) -> bool:
    """An all-capitals line standing alone: the headings of reports and toolkits."""
    text = p.text.strip().strip("*").strip()
    letters = [c for c in text if c.isalpha()]
    return (
        text.count("\n") <= 2  # a long heading can wrap
        and 3 <= len(text) <= max_len
        and len(letters) >= 3
        and all(c.isupper() for c in letters)
        and not text.endswith((".", ","))
    )


def clean_heading(text: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"[*_#]+", "", text)).strip()
    text = re.sub(r"\.{3,}\s*\d*$", "", text).strip()
    return text


def title_case(text: str) -> str:
    small = {"and", "of", "the", "in", "on", "for", "to", "a", "an", "with", "including"}
    words = text.lower().split()
    return " ".join(w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words))


_MD_LINK = re.compile(r"\[([^\]]*)\]\(#?[^)]*\)")


def display_text(text: str) -> str:
    """Text as a reader sees it: markdown links and emphasis of the text extraction dropped."""
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"[ \t]*-{5,}[ \t]*$", "", text, flags=re.M)  # the toolkit's rules after an entry
    text = re.sub(r"\*\*(?=\S)([^*]{1,300}?)(?<=\S)\*\*", r"\1", text)  # bold, across a line break too
    text = re.sub(r"\*{1,3}([^*\n]+?)\*{1,3}", r"\1", text)
    return text


_IMPRINT = re.compile(r"(?:copyright\s*)?©|all rights reserved|reproduction of extracts|"
                      r"^(?:photo|picture|image)s?(?: credits?)?(?: by)?\s*:", re.I | re.M)
# an imprint sentence or line: what is left without them decides whether a passage says anything else
_IMPRINT_SENTENCE = re.compile(r"[^.\n]*(?:©|all rights reserved|\breproduction\b|"
                               r"^(?:photo|picture|image)s?(?: credits?)?(?: by)?\s*:)[^.\n]*[.\n]?", re.I | re.M)


class Maker:
    """Makes records of one document, so that page, offsets and ids are computed one way."""

    def __init__(self, doc: Document, title: str) -> None:
        self.doc = doc
        self.title = title
        self.records: list[Record] = []

    def add(
        self,
        kind: Kind,
        start: int,
        end: int,
        headings: tuple[str, ...],
        *,
        title: str = "",
        city: str = "",
        country: str = "",
        areas: tuple[str, ...] = (),
        benchmark: str = "",
        about_city: str = "",
    ) -> Record | None:
        raw = self.doc.text[start:end]
        text = display_text(raw).strip()
        title, city = display_text(title).strip(), display_text(city).strip()
        if len(text) < 3:
            return None
        if kind is Kind.PASSAGE and len(text) < 60 and not re.search(r"[.!?]$", text):
            return None  # a stray title, caption or label: nothing to retrieve
        if kind is Kind.PASSAGE and _IMPRINT.search(text) and len(_IMPRINT_SENTENCE.sub(" ", text).strip()) < 120:
            return None  # copyright, image credits, reproduction terms and little else: nothing to look for
        rec = Record(
            id=record_id(self.doc.doc_id, kind, start, text),
            kind=kind,
            doc_id=self.doc.doc_id,
            doc_title=self.title,
            page=self.doc.page_of(start),
            page_end=self.doc.page_of(max(start, end - 1)),
            start=start,
            end=end,
            headings=tuple(h for h in headings if h),
            text=text,
            title=title,
            city=city,
            country=country,
            areas=areas,
            area_scores=tuple(1.0 for _ in areas),
            benchmark=benchmark,
            about_city=about_city,
        )
        self.records.append(rec)
        return rec

    def extend(self, rec: Record, end: int) -> Record:
        """The same record reaching further (a practice that continues in the next paragraph)."""
        i = self.records.index(rec)
        text = display_text(self.doc.text[rec.start:end]).strip()
        new = dataclasses.replace(rec, id=record_id(rec.doc_id, rec.kind, rec.start, text), text=text, end=end,
                                  page_end=self.doc.page_of(max(rec.start, end - 1)))
        self.records[i] = new
        return new


def sentences_title(text: str, limit: int = 90) -> str:
    """A short title from the first sentence of a text."""
    first = re.split(r"(?<=[.!?])\s", display_text(text).strip(), maxsplit=1)[0]
    first = first.strip().rstrip(".:")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut + "…"
