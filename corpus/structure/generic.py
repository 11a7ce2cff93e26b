"""Any other document: passages under the headings they stand in."""

from __future__ import annotations

import re

from corpus.records import Document, Kind, Record
from corpus.structure.base import Maker, Para, clean_heading, is_caps_heading, paragraphs

_MAX_PASSAGE = 1500


def _is_heading(p: Para) -> bool:
    text = p.text.strip()
    if text.startswith("#"):
        return True
    return is_caps_heading(p) or (
        p.single_line and len(text) < 80 and not re.search(r"[.!?,;:]$", text) and text[:1].isupper()
        and len(text.split()) <= 10
    )


def first_title(doc: Document) -> str:
    for p in paragraphs(doc.text)[:8]:
        if _is_heading(p):
            return clean_heading(p.text.lstrip("# "))
    return doc.doc_id


def build(doc: Document) -> tuple[str, list[Record]]:
    title = first_title(doc)
    mk = Maker(doc, title)
    heading = ""
    chunk: list[Para] = []

    def flush() -> None:
        if chunk:
            mk.add(Kind.PASSAGE, chunk[0].start, chunk[-1].end, (heading,) if heading else ())
            chunk.clear()

    for p in paragraphs(doc.text):
        if _is_heading(p):
            flush()
            heading = clean_heading(p.text.lstrip("# "))
            continue
        # short paragraphs are read together, long ones stand alone
        if chunk and sum(len(q.text) for q in chunk) + len(p.text) > _MAX_PASSAGE:
            flush()
        chunk.append(p)
        if len(p.text) > 400:
            flush()
    flush()
    return title, mk.records
