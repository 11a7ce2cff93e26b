"""Filters as numpy masks: the record fields filters look at, encoded once per loaded index.

`Filters.accepts(record)` is the definition; `RecordColumns.allowed(filters)` gives the same answer
for every record at once. Each field is stored as codes into its distinct (folded) values, so a filter
is evaluated on the few distinct values and spread to the records with one `take`, instead of a Python
loop over every record on every query (a second and more at 100,000 records).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from corpus.areas import resolve_area
from corpus.places import fold
from corpus.records import Kind, Record


@dataclass(frozen=True, slots=True)
class Filters:
    areas: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    city: str = ""
    country: str = ""
    doc_id: str = ""
    exclude_city: str = ""  # never return records of this city (a report's own city)

    @classmethod
    def from_input(cls, area: str | None = None, kind: str | None = None, city: str | None = None,
                   country: str | None = None, doc: str | None = None) -> Filters:
        """The filters a user asked for (CLI options, API and page parameters): an ICC area by slug, name or
        older name, a record kind by its value, a city (or part of its name), a country and a document id as
        given; empty or None for no filter. ValueError, naming the valid values, for an unknown area or kind
        (the area is checked first)."""
        areas = (resolve_area(area).slug,) if area else ()
        kinds = (Kind.parse(kind),) if kind else ()
        return cls(areas=areas, kinds=kinds, city=city or "", country=country or "", doc_id=doc or "")

    def accepts(self, r: Record) -> bool:
        if self.areas and not set(self.areas) & set(r.areas):
            return False
        if self.kinds and r.kind not in self.kinds:
            return False
        if self.city and fold(self.city) not in fold(r.city):
            return False
        if self.country and fold(self.country) != fold(r.country):
            return False
        if self.doc_id and r.doc_id != self.doc_id:
            return False
        return not (self.exclude_city and (
            fold(r.city) == fold(self.exclude_city) or fold(r.about_city) == fold(self.exclude_city)))


class _Column:
    """One text field of every record, as codes into its distinct values."""

    def __init__(self, values: Iterable[str]) -> None:
        index: dict[str, int] = {}
        self.codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64)
        self.values = list(index)

    def where(self, test: Callable[[str], bool]) -> np.ndarray:
        hits = np.fromiter((test(v) for v in self.values), dtype=bool, count=len(self.values))
        return hits[self.codes] if len(self.codes) else np.zeros(0, dtype=bool)


class RecordColumns:
    """The filterable fields of a list of records, built once (a few milliseconds per 10,000 records)."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = records
        self.size = len(records)
        self.kind = _Column(r.kind.value for r in records)
        self.city = _Column(fold(r.city) for r in records)
        self.about_city = _Column(fold(r.about_city) for r in records)
        self.country = _Column(fold(r.country) for r in records)
        self.doc_id = _Column(r.doc_id for r in records)
        areas: dict[str, list[int]] = {}
        for i, r in enumerate(records):
            for a in set(r.areas):
                areas.setdefault(a, []).append(i)
        self.areas = {a: np.asarray(rows, dtype=np.int64) for a, rows in areas.items()}

    def allowed(self, filters: Filters) -> np.ndarray:
        """Boolean mask of the records `filters.accepts`."""
        mask = np.ones(self.size, dtype=bool)
        if filters.areas:
            any_area = np.zeros(self.size, dtype=bool)
            for a in set(filters.areas):
                if a in self.areas:
                    any_area[self.areas[a]] = True
            mask &= any_area
        if filters.kinds:
            kinds = {str(k) for k in filters.kinds}  # Kind is a StrEnum: plain strings work too
            mask &= self.kind.where(lambda v: v in kinds)
        if filters.city:
            city = fold(filters.city)
            mask &= self.city.where(lambda v: city in v)
        if filters.country:
            country = fold(filters.country)
            mask &= self.country.where(lambda v: v == country)
        if filters.doc_id:
            doc_id = filters.doc_id
            mask &= self.doc_id.where(lambda v: v == doc_id)
        if filters.exclude_city:
            other = fold(filters.exclude_city)
            mask &= ~(self.city.where(lambda v: v == other) | self.about_city.where(lambda v: v == other))
        return mask
