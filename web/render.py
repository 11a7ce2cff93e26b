"""Turning answers and pages into safe HTML: everything is escaped first, then marked up."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from assistant.citations import Span, quote_spans, reader_url
from assistant.profile import num
from corpus.areas import BY_SLUG
from corpus.places import fold
from corpus.records import Document, Record, is_fallback_title
from corpus.spans import Alignment
from corpus.structure.base import Para, clean_heading, display_text, is_caps_heading

_STRONG = re.compile(r"\*\*(.+?)\*\*")
_MARKER = re.compile(r"\[(\d{1,3})\]")
TIP_CHARS = 320  # the longest quote a citation's preview shows


def citation_quotes(c: Mapping[str, Any], quote: str = "") -> list[str]:
    """The quoted pieces of a citation: its sentences (a fresh answer), its " … "-joined quote (a turn sent
    back by a form), or `quote` (a draft item's text)."""
    if quote:
        return [quote]
    sentences = c.get("sentences")
    if isinstance(sentences, list) and sentences and all(isinstance(x, str) for x in sentences):
        return list(sentences)
    return [q for q in str(c.get("quote") or "").split(" … ") if q.strip()]


def citation_url(c: Mapping[str, Any], record: Record | None = None, quote: str = "") -> str:
    """The reader at the cited passage, its quoted sentences marked when the record is at hand; "" for the
    records of an uploaded report (not in the corpus)."""
    if str(c.get("doc_id", "")).startswith("upload-"):
        return ""
    page = c.get("page")
    record_id = str(c.get("record_id") or "")
    spans = quote_spans(record.text, citation_quotes(c, quote)) if record and record.id == record_id else ()
    return reader_url(str(c.get("doc_id", "")), page if isinstance(page, int) else None, record_id, spans)


def citation_label(c: Mapping[str, Any]) -> str:
    page = c.get("page")
    return f"{c.get('doc_title') or c.get('doc_id')}" + (f", p. {page}" if page else "")


def _tip(c: Mapping[str, Any], tip_id: str) -> str:
    """The preview of a citation shown on hover and focus: the quoted text and where it comes from."""
    quote = " … ".join(citation_quotes(c))
    if len(quote) > TIP_CHARS:
        quote = quote[:TIP_CHARS].rsplit(" ", 1)[0] + " …"
    where = citation_label(c) + (f" · {c.get('city')}" if c.get("city") else "")
    body = f"“{escape(quote)}” " if quote else ""
    source = f'<span class="tip-source">{escape(where)}</span>'
    return f'<span class="tip" role="tooltip" id="{tip_id}">{body}{source}</span>'


def _inline(line: str, cites: dict[int, Mapping[str, Any]], new_tab: bool,
            records: Mapping[str, Record], tips: list[str] | None) -> str:
    text = str(escape(line))
    text = _STRONG.sub(r"<strong>\1</strong>", text)

    def link(m: re.Match[str]) -> str:
        c = cites.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        url = citation_url(c, records.get(str(c.get("record_id") or "")))
        label = escape(citation_label(c))
        if not url:  # a passage of an uploaded report: nothing to open
            return f'<span class="cite" title="{label}">[{m.group(1)}]</span>'
        target = ' target="_blank" rel="noopener"' if new_tab else ""
        if tips is None:
            return f'<a class="cite" href="{escape(url)}" title="{label}"{target}>[{m.group(1)}]</a>'
        tip_id = f"{tips[0]}-{len(tips)}"
        tips.append(tip_id)
        return (f'<span class="cite-wrap"><a class="cite" href="{escape(url)}" aria-describedby="{tip_id}"{target}>'
                f"[{m.group(1)}]</a>{_tip(c, tip_id)}</span>")

    return _MARKER.sub(link, text)


def answer_html(answer: Mapping[str, Any], new_tab: bool = True, records: Mapping[str, Record] | None = None,
                tip_prefix: str = "") -> Markup:
    """The answer's small Markdown as HTML: paragraphs, "- " lists, **bold**, [n] citation links that open
    the reader with the quoted sentences marked (`records`: the cited records, by id).

    With `tip_prefix` (unique in the page), each link carries a preview of its quote, shown on hover and
    focus. Citations open in a new tab by default: a conversation lives in its page, and going back to it
    after following a link in the same tab would start it afresh."""
    cites = {int(c["n"]): c for c in answer.get("citations", []) if isinstance(c, Mapping)
             and isinstance(c.get("n"), int)}
    found = records or {}
    tips = [tip_prefix] if tip_prefix else None
    out: list[str] = []
    items: list[str] = []

    def close_list() -> None:
        if items:
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in str(answer.get("answer", "")).splitlines():
        line = raw.strip()
        if line.startswith(("- ", "* ")):
            items.append(_inline(line[2:].strip(), cites, new_tab, found, tips))
            continue
        close_list()
        if line:
            out.append(f"<p>{_inline(line, cites, new_tab, found, tips)}</p>")
    close_list()
    return Markup("\n".join(out))


def draft_html(section: Mapping[str, Any], sources: list[Mapping[str, Any]] | None = None,
               records: Mapping[str, Record] | None = None) -> Markup:
    """A draft section's paragraph: the same small Markdown as answers, its [n] linked to the draft's sources."""
    return answer_html({"answer": section.get("text", ""), "citations": sources or []}, new_tab=False,
                       records=records)


def rate(value: object) -> str:
    return "—" if not isinstance(value, int | float) else num(float(value))


def area_names(slugs: list[str] | tuple[str, ...]) -> list[str]:
    return [BY_SLUG[s].name for s in slugs if s in BY_SLUG]


# --- text as extracted, made readable ----------------------------------------------------------------

_ESCAPED = re.compile(r"\\([()\[\]*_#.!+\-`{}|<>])")  # markdown escapes the extraction left: \(coe.int\)
_ANGLE_URL = re.compile(r"<((?:https?://|www\.)[^<>\s]+)>")
_SUB_BULLET = re.compile(r"(?m)^([ \t]*[-•●])[ \t]+o[ \t]+")  # "- o Item": a second-level bullet, flattened
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]]")
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://|www\.", re.I)


def clean_text(text: str) -> str:
    """Text as a reader should see it: markdown markup, escapes and link brackets of the extraction dropped."""
    text = display_text(text)
    text = _ESCAPED.sub(r"\1", text)
    text = _ANGLE_URL.sub(r"\1", text)
    return _SUB_BULLET.sub(r"\1 ", text)


def linked(text: str) -> Markup:
    """Escaped text with its web addresses as links."""
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        url = m.group(0)
        href = url if url.startswith("http") else "https://" + url
        out.append(str(escape(text[pos:m.start()])))
        out.append(f'<a href="{escape(href)}" rel="noopener noreferrer">{escape(url)}</a>')
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def excerpt(text: str, limit: int = 360, q: str = "") -> str:
    """The opening of a text, cleaned, without the contact lines (names, e-mail addresses, web addresses)
    that some entries open with; with `q`, from the sentence where its first word is when the opening
    does not have it."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", clean_text(text)) if p.strip()]
    opening = 0
    for i, p in enumerate(paragraphs[:12]):
        if _CONTACT.search(p):
            opening = i + 1  # the text proper starts after the last contact line of its opening
    body = paragraphs[opening:] if opening < len(paragraphs) else paragraphs
    words = re.sub(r"\s+", " ", " ".join(_CONTACT_WORD.sub("", p) for p in body)).strip()
    terms = fold(q).split()
    if terms and not any(t in fold(words[:limit]) for t in terms):
        at = min((i for i in (fold(words).find(t) for t in terms) if i >= 0), default=-1)
        if at > 0:  # folding keeps offsets for most text; a sentence start before the match is close enough
            start = max(words.rfind(". ", 0, at) + 2, 0)
            words = "… " + words[start:] if start > 0 else words
    return words if len(words) <= limit else words[:limit].rsplit(" ", 1)[0] + " …"


def highlight(text: str, q: str) -> Markup:
    """Escaped text with each word of `q` marked where it occurs (accents and case aside, as the search)."""
    terms = [t for t in fold(q).split() if t]
    if not terms or not text:
        return Markup(escape(text))
    folded: list[str] = []
    origin: list[int] = []  # for each folded character, the index of the character it came from
    for i, ch in enumerate(text):
        f = fold(ch) if not ch.isspace() else " "
        folded.extend(f)
        origin.extend([i] * len(f))
    flat = "".join(folded)
    spans: list[tuple[int, int]] = []
    for t in terms:
        for m in re.finditer(re.escape(t), flat):
            spans.append((origin[m.start()], origin[m.end() - 1] + 1))
    out: list[str] = []
    pos = 0
    for a, b in sorted(spans):
        if a < pos:
            a = pos
        if a >= b:
            continue
        out.append(f"{escape(text[pos:a])}<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


_ACTION = re.compile(
    r"\b(?:organi[sz](?:es|ed|ing)|launch(?:es|ed)|creat(?:es|ed)|set(?:s)? up|establish(?:es|ed)|offer(?:s|ed)?|"
    r"runs?|ran|develop(?:s|ed)|adopt(?:s|ed)|publish(?:es|ed)|produc(?:es|ed)|stag(?:es|ed|ing)|promot(?:es|ed)|"
    r"support(?:s|ed)|host(?:s|ed)|provid(?:es|ed)|present(?:s|ed)|introduc(?:es|ed)|train(?:s|ed)|fund(?:s|ed)|"
    r"open(?:s|ed)|hold(?:s)|held|invit(?:es|ed)|planned|connect(?:s|ed|ing)|work(?:s|ed) to)\b", re.I)
_LEAD_IN = re.compile(r"^(?:(?:In|At|During) [^,]{1,60}, |(?:for instance|for example|however|also),? )+", re.I)
_TAIL_WORDS = {"the", "a", "an", "of", "for", "to", "in", "on", "and", "with", "by", "at", "its", "their", "from"}
TITLE_WORDS = 9


def practice_title(record: Record) -> str:
    """A practice card's title: its own, or, when that only repeats the city ("Example from Genoa"), the
    first words of the sentence that says what was done."""
    if record.title and not is_fallback_title(record.title, record.city):
        return record.title
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", clean_text(record.text))) if s]
    if not sentences:
        return record.title or record.city
    sentence = next((s for s in sentences if _ACTION.search(s)), sentences[0])
    verb = _ACTION.search(sentence)
    if verb:  # "As part of its work on integration, Lublin is staging …": from the doer on
        comma = sentence.rfind(", ", 0, verb.start())
        if comma > 0 and sentence[comma + 2:comma + 3].isupper() and len(sentence[comma + 2:verb.start()].split()) <= 5:
            sentence = sentence[comma + 2:]
    sentence = _LEAD_IN.sub("", sentence).rstrip(".!? ")
    words = sentence.split()
    short = words[:TITLE_WORDS]
    while len(short) > 3 and short[-1].lower().strip(",;:") in _TAIL_WORDS:
        short.pop()
    title = " ".join(short).rstrip(",;:")
    return (title[:1].upper() + title[1:]) + (" …" if len(short) < len(words) else "")


_CONTACT_WORD = re.compile(r"<?(?:[\w.+-]+@[\w-]+\.[\w.]*\w|(?:https?://|www\.)\S+)>?")


# --- the source reader -----------------------------------------------------------------------------

BAND, QUOTE = 1, 2  # levels of a piece: in the cited record, in a quoted sentence


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    level: int = 0
    first: bool = False  # the first piece of the highest level: the anchor `#hl` scrolls to


@dataclass(slots=True)
class Block:
    kind: str  # "p", "h" (a heading) or "ul" (list items, one per entry of `items`)
    items: list[list[Piece]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PageView:
    number: int
    blocks: list[Block]


_BULLET = re.compile(r"[ \t]*[-•●][ \t]+(?:o[ \t]+)?")  # "- o ": a sub-bullet, flattened


def _pieces(text: str, offset: int, marks: Sequence[tuple[int, int, int]]) -> list[Piece]:
    """`text` (at `offset` in the document) split where the marked spans (start, end, level) begin and end."""
    cuts = {0, len(text)}
    for a, b, _ in marks:
        cuts.update(x - offset for x in (a, b) if 0 < x - offset < len(text))
    edges = sorted(cuts)
    out = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        level = max((lv for a, b, lv in marks if a <= offset + lo and offset + hi <= b), default=0)
        out.append(Piece(text[lo:hi], level))
    return out


def _blocks(doc: Document, page: int, marks: Sequence[tuple[int, int, int]], headings: frozenset[str]) -> list[Block]:
    start = doc.page_starts[page - 1]
    end = doc.page_starts[page] if page < doc.page_count else len(doc.text)
    text = doc.text[start:end]
    blocks: list[Block] = []
    for m in re.finditer(r"(?:(?!\n[ \t\u00a0]*\n)[\s\S])+", text):
        raw = m.group(0)
        if not raw.strip():
            continue
        lead = len(raw) - len(raw.lstrip())
        raw = raw.strip()
        at = start + m.start() + lead
        bullet = _BULLET.match(raw)
        if bullet:
            raw, at = raw[bullet.end():], at + bullet.end()
        shown = clean_text(raw).strip()
        if not shown:
            continue
        pieces = _pieces(raw, at, marks)
        if is_caps_heading(Para(0, len(shown), shown)) or clean_heading(shown) in headings:
            blocks.append(Block("h", [pieces]))
        elif bullet:
            if not blocks or blocks[-1].kind != "ul":
                blocks.append(Block("ul"))
            blocks[-1].items.append(pieces)
        else:
            blocks.append(Block("p", [pieces]))
    return blocks


def reader_pages(doc: Document, page: int, record: Record | None = None, spans: Sequence[Span] = (),
                 headings: frozenset[str] = frozenset()) -> list[PageView]:
    """The page to show, its paragraphs split where the cited record (a band) and its quoted spans
    (offsets into the record's text, marked) begin and end; and the next page too when a quote runs
    onto it. Headings of the document (`headings`, or capitals standing alone) become headings, "- "
    paragraphs lists."""
    marks: list[tuple[int, int, int]] = []
    quotes: list[tuple[int, int]] = []
    if record is not None:
        marks.append((record.start, record.end, BAND))
        quotes = [(a, b) for a, b in Alignment(record, doc).spans(spans) if b > a]
        marks += [(a, b, QUOTE) for a, b in quotes]
    numbers = [page]
    page_end = doc.page_starts[page] if page < doc.page_count else len(doc.text)
    if page < doc.page_count and any(a < page_end < b for a, b in quotes):
        numbers.append(page + 1)
    views = [PageView(n, _blocks(doc, n, marks, headings)) for n in numbers]
    top = max((p.level for v in views for b in v.blocks for item in b.items for p in item), default=0)
    if top:  # the anchor goes on the first piece of the highest level shown
        for v in views:
            for b in v.blocks:
                for item in b.items:
                    for k, p in enumerate(item):
                        if p.level == top:
                            item[k] = Piece(p.text, p.level, True)
                            return views
    return views
