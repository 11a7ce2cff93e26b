"""The structure step: one Document → typed records, by document family."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from corpus.records import Document, Family, Record
from corpus.structure import booklet, generic, report, toolkit

Builder = Callable[[Document], tuple[str, list[Record]]]

FAMILIES: tuple[tuple[Family, Callable[[str], bool], Builder], ...] = (
    (Family.REPORT, report.looks_like, report.build),
    (Family.TOOLKIT, toolkit.looks_like, toolkit.build),
    (Family.BOOKLET, booklet.looks_like, booklet.build),
)


def detect(doc: Document) -> Family:
    for family, test, _ in FAMILIES:
        if test(doc.text):
            return family
    return Family.GENERIC


def structure(doc: Document) -> tuple[Document, list[Record]]:
    """Records of a document; the document comes back with its family and title set.

    A family-specific builder that finds nothing falls back to the generic splitter, so no
    readable document is ever indexed empty.
    """
    family = detect(doc)
    builder = next((b for f, _, b in FAMILIES if f is family), generic.build)
    title, records = builder(doc)
    if not records:
        family = Family.GENERIC
        title, records = generic.build(doc)
    return dataclasses.replace(doc, title=title, family=family), records
