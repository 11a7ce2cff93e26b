"""Turning answers and pages into safe HTML: everything is escaped first, then marked up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

from assistant.areas import BY_SLUG
from assistant.profile import num
from corpus.records import Document, Record

_STRONG = re.compile(r"\*\*(.+?)\*\*")
_MARKER = re.compile(r"\[(\d{1,3})\]")


def source_url(doc_id: str, page: int | None = None, record_id: str = "", anchor: bool = True) -> str:
    """The reader at a page, with the cited record highlighted and scrolled to."""
    params: dict[str, str | int] = {}
    if page:
        params["page"] = page
    if record_id:
        params["record"] = record_id
    url = f"/sources/{quote(doc_id, safe='')}"
    if params:
        url += "?" + urlencode(params)
    return url + ("#hl" if record_id and anchor else "")


def citation_url(c: Mapping[str, Any]) -> str:
    """The reader at the cited passage; "" for the records of an uploaded report (not in the corpus)."""
    if str(c.get("doc_id", "")).startswith("upload-"):
        return ""
    page = c.get("page")
    return source_url(str(c.get("doc_id", "")), page if isinstance(page, int) else None,
                      str(c.get("record_id") or ""))


def citation_label(c: Mapping[str, Any]) -> str:
    page = c.get("page")
    return f"{c.get('doc_title') or c.get('doc_id')}" + (f", p. {page}" if page else "")


def _inline(line: str, cites: dict[int, Mapping[str, Any]], new_tab: bool) -> str:
    text = str(escape(line))
    text = _STRONG.sub(r"<strong>\1</strong>", text)

    def link(m: re.Match[str]) -> str:
        c = cites.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        if not citation_url(c):  # a passage of an uploaded report: nothing to open
            return f'<span class="cite" title="{escape(citation_label(c))}">[{m.group(1)}]</span>'
        target = ' target="_blank" rel="noopener"' if new_tab else ""
        return (f'<a class="cite" href="{escape(citation_url(c))}" title="{escape(citation_label(c))}"{target}>'
                f"[{m.group(1)}]</a>")

    return _MARKER.sub(link, text)


def answer_html(answer: Mapping[str, Any], new_tab: bool = True) -> Markup:
    """The answer's small Markdown as HTML: paragraphs, "- " lists, **bold**, [n] citation links.

    Citations open in a new tab by default: a conversation lives in its page, and going back to it
    after following a link in the same tab would start it afresh."""
    cites = {int(c["n"]): c for c in answer.get("citations", []) if isinstance(c, Mapping)
             and isinstance(c.get("n"), int)}
    out: list[str] = []
    items: list[str] = []

    def close_list() -> None:
        if items:
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in str(answer.get("answer", "")).splitlines():
        line = raw.strip()
        if line.startswith(("- ", "* ")):
            items.append(_inline(line[2:].strip(), cites, new_tab))
            continue
        close_list()
        if line:
            out.append(f"<p>{_inline(line, cites, new_tab)}</p>")
    close_list()
    return Markup("\n".join(out))


def draft_html(section: Mapping[str, Any], sources: list[Mapping[str, Any]] | None = None) -> Markup:
    """A draft section's paragraph: the same small Markdown as answers, its [n] linked to the draft's sources."""
    return answer_html({"answer": section.get("text", ""), "citations": sources or []}, new_tab=False)


def rate(value: object) -> str:
    return "—" if not isinstance(value, int | float) else num(float(value))


def area_names(slugs: list[str] | tuple[str, ...]) -> list[str]:
    return [BY_SLUG[s].name for s in slugs if s in BY_SLUG]


def excerpt(text: str, limit: int = 360) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


# --- the source reader -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    marked: bool = False
    first: bool = False  # the first marked piece: the anchor `#hl` scrolls to


def page_paragraphs(doc: Document, page: int, record: Record | None = None) -> list[list[Piece]]:
    """The paragraphs of a page, each split where the record's span (clipped to the page) starts and ends."""
    start = doc.page_starts[page - 1]
    end = doc.page_starts[page] if page < doc.page_count else len(doc.text)
    text = doc.text[start:end]
    lo, hi = (max(record.start, start) - start, min(record.end, end) - start) if record else (0, 0)
    bounds: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(r"\n[ \t\u00a0]*\n\s*", text):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(text)))
    paragraphs: list[list[Piece]] = []
    first = True
    for s, e in bounds:
        if not text[s:e].strip():
            continue
        a, b = max(s, lo), min(e, hi)
        if a >= b:
            paragraphs.append([Piece(text[s:e])])
            continue
        pieces = [Piece(text[s:a])] if a > s else []
        pieces.append(Piece(text[a:b], marked=True, first=first))
        first = False
        if b < e:
            pieces.append(Piece(text[b:e]))
        paragraphs.append(pieces)
    return paragraphs
