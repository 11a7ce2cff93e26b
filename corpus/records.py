"""Typed records: what the structure step makes of a document and what the index stores."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """The record kinds of ARCHITECTURE.md."""

    PRACTICE = "practice"
    GUIDE_QUESTION = "guide_question"
    FINDING = "finding"
    RECOMMENDATION = "recommendation"
    PASSAGE = "passage"

    @classmethod
    def parse(cls, value: str) -> Kind:
        try:
            return cls(value.strip().lower().replace("-", "_"))
        except ValueError:
            valid = ", ".join(k.value for k in cls)
            raise ValueError(f"unknown kind {value!r}; valid kinds: {valid}") from None


class Family(StrEnum):
    """Document families the structure step recognises."""

    REPORT = "icc_report"
    TOOLKIT = "toolkit"
    BOOKLET = "booklet"
    GENERIC = "generic"


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based, as printed
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """A read document: cleaned full text with the offsets where each page starts."""

    doc_id: str
    path: str
    title: str
    text: str
    page_starts: tuple[int, ...]  # offset in `text` of each page's first character
    family: Family = Family.GENERIC
    fingerprint: str = ""
    sources: tuple[str, ...] = ()  # every file read for this id (a PDF and its text twin)

    @property
    def page_count(self) -> int:
        return len(self.page_starts)

    def page_of(self, offset: int) -> int:
        """1-based page holding the character at `offset`."""
        page = 1
        for i, start in enumerate(self.page_starts):
            if start <= offset:
                page = i + 1
            else:
                break
        return page

    def page_text(self, number: int) -> str:
        start = self.page_starts[number - 1]
        end = self.page_starts[number] if number < len(self.page_starts) else len(self.text)
        return self.text[start:end]


@dataclass(frozen=True, slots=True)
class Record:
    """One retrievable unit: a practice, guide question, finding, recommendation or passage.

    `start`/`end` are character offsets into the owning Document's text; `page` is the page
    where the record starts and `page_end` where it ends.
    """

    id: str
    kind: Kind
    doc_id: str
    doc_title: str
    page: int
    page_end: int
    start: int
    end: int
    headings: tuple[str, ...]
    text: str
    title: str = ""
    city: str = ""
    country: str = ""
    areas: tuple[str, ...] = ()
    area_scores: tuple[float, ...] = ()  # confidence per area, same order as `areas`
    benchmark: str = ""  # toolkit section a guide question or example belongs to
    about_city: str = ""  # the assessed city, for findings and recommendations of a report
    meta: tuple[tuple[str, str], ...] = field(default=())

    @property
    def section(self) -> str:
        return " > ".join(self.headings)

    def to_json(self) -> dict[str, Any]:
        """The `corpus --json` shape of ARCHITECTURE.md, plus provenance fields."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "doc_id": self.doc_id,
            "doc_title": self.doc_title,
            "page": self.page,
            "page_end": self.page_end,
            "section": self.section,
            "city": self.city,
            "country": self.country,
            "title": self.title,
            "areas": list(self.areas),
            "area_scores": [round(s, 3) for s in self.area_scores],
            "benchmark": self.benchmark,
            "about_city": self.about_city,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        section = data.get("section") or ""
        return cls(
            id=data["id"],
            kind=Kind(data["kind"]),
            doc_id=data["doc_id"],
            doc_title=data["doc_title"],
            page=int(data["page"]),
            page_end=int(data.get("page_end", data["page"])),
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
            headings=tuple(section.split(" > ")) if section else (),
            text=data["text"],
            title=data.get("title", ""),
            city=data.get("city", ""),
            country=data.get("country", ""),
            areas=tuple(data.get("areas", ())),
            area_scores=tuple(float(s) for s in data.get("area_scores", ())),
            benchmark=data.get("benchmark", ""),
            about_city=data.get("about_city", ""),
        )



# the title a practice gets when its text names none: it only repeats the city
_FALLBACK_PREFIXES = {"toolkit": "Example from", "report": "Practice of"}


def fallback_title(city: str, family: str) -> str:
    """'Example from Genoa' (toolkit examples), 'Practice of Vaasa' (report practices)."""
    return f"{_FALLBACK_PREFIXES[family]} {city}"


def is_fallback_title(title: str, city: str) -> bool:
    """Whether `title` is one fallback_title made (it says nothing beyond the city)."""
    t = title.strip().lower()
    return bool(city) and t in {f"{p} {city}".lower() for p in _FALLBACK_PREFIXES.values()}


def record_id(doc_id: str, kind: Kind, start: int, text: str) -> str:
    """Stable id: same document, kind, place and text give the same id on every build."""
    digest = hashlib.sha1(f"{doc_id}|{kind.value}|{start}|{text}".encode()).hexdigest()[:10]
    return f"{doc_id}:{kind.value[:2]}:{start}:{digest}"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
