"""Practice booklets: one entry per city or organisation, found through the table of contents.

Some entries lost their heading in the text. Entries follow the order of the contents, so each
is anchored at the first paragraph after the previous entry that names it (preferring a heading
line), reaches back over the few untitled paragraphs before that anchor, and an entry that never
names itself starts after the last paragraph that names the entry before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.places import city_country, country_name, fold, gazetteer, names_of
from corpus.records import Document, Kind, Record
from corpus.sentences import policy_statement
from corpus.structure.base import Maker, Para, clean_heading, paragraphs

_TOC_LINE = re.compile(r"^\s*(\d{1,2})\.\s+(.+?)\s*(?:\.{2,}|\t)\s*\d+\s*$", re.M)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://|www\.|READ MORE|^contact", re.I | re.M)
_BACK_STEPS = 4
_LIST = re.compile(r"\s*(?:[-•●]|\d{1,2}[.)])\s")
_MIN_PRACTICE = 300


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    country: str
    organisation: bool
    terms: tuple[str, ...]


def looks_like(text: str) -> bool:
    return len(_TOC_LINE.findall(text[:8000])) >= 5


def _entries(text: str) -> tuple[list[Entry], int]:
    """The contents' entries in order, and the offset where the contents end."""
    head = text[:8000]
    entries: list[Entry] = []
    toc_end = 0
    org = False
    for line_m in re.finditer(r"[^\n]+", head):
        line = line_m.group(0)
        if re.match(r"\s*organi[sz]ations?\b", line, re.I):
            org = True
        m = _TOC_LINE.match(line)
        if not m:
            continue
        toc_end = line_m.end()
        label = clean_heading(m.group(2))
        paren = re.search(r"\(([^)]*)\)\s*$", label)
        name = label[: paren.start()].strip() if paren else label
        where = [w.strip() for w in paren.group(1).split(",")] if paren else []
        country = next((country_name(w) for w in where if country_name(w)), "")
        terms = [name] + [part.strip() for part in name.split("/") if len(part.strip()) > 3]
        if not org:
            city, known = city_country(name)
            country = country or known
            terms += sorted(names_of(city)) if fold(city) in gazetteer() else []
        else:
            acronym = "".join(w[0] for w in re.findall(r"[A-Z][\w]*", name) if w[0].isupper())
            if 2 < len(acronym) <= 5:
                terms.append(acronym)
            terms += [w for w in re.findall(r"[\w]{13,}", name)]
            terms += [w for w in where if len(w) > 3 and not country_name(w)]
        entries.append(Entry(name, country, org, tuple(dict.fromkeys(t for t in terms if t))))
    # the organisations' locations can name a city that has its own entry: not a term of theirs
    cities = {e.name.lower() for e in entries if not e.organisation}
    entries = [
        Entry(e.name, e.country, e.organisation, tuple(t for t in e.terms if not e.organisation or
                                                       t.lower() not in cities))
        for e in entries
    ]
    return entries, toc_end


def _mentions(entry: Entry, text: str) -> bool:
    folded = fold(text)
    for term in entry.terms:
        if term.isupper() and len(term) <= 5:  # acronyms: exact case, whole word
            if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text):
                return True
        elif re.search(rf"(?<!\w){re.escape(fold(term))}", folded):
            return True
    return False


def _is_contact(p: Para) -> bool:
    return bool(_CONTACT.search(p.text))


def _headingish(p: Para) -> bool:
    text = p.text.rstrip()
    return len(text) < 120 and not text.endswith((".", ";", ",", ":")) and not _is_contact(p) \
        and not _LIST.match(text)


def _is_caption(p: Para) -> bool:
    return len(p.text) < 60 and not re.search(r"[.!?:]$", p.text.strip()) and not _LIST.match(p.text)


def _anchors(paras: list[Para], entries: list[Entry]) -> list[int]:
    """Index of the first paragraph of each entry (see the module docstring for the rules)."""
    starts: list[int] = []
    prev = 0
    for k, entry in enumerate(entries):
        lo = prev + 1 if starts else 0
        before = entries[k - 1] if k else None
        nxt = entries[k + 1] if k + 1 < len(entries) else None
        found = [i for i in range(lo, len(paras)) if _mentions(entry, paras[i].text)]
        next_first = next((i for i in range(lo, len(paras)) if nxt and _mentions(nxt, paras[i].text)),
                          len(paras))
        found = [i for i in found if i <= next_first] or found[:1]
        if not found:
            # never named: starts after the last paragraph naming the entry before it
            last = max((i for i in range(lo, next_first) if before and _mentions(before, paras[i].text)),
                       default=lo - 1)
            start = last + 1
            while start < next_first - 1 and _is_caption(paras[start]) and not _headingish_title(paras[start]):
                start += 1
        else:
            first = found[0]
            titled = [i for i in found if _headingish(paras[i])]
            if not _headingish(paras[first]) and titled and any(
                _is_contact(paras[j]) for j in range(first, titled[0])
            ):
                first = titled[0]  # the earlier mention was in the previous entry's text
            contacts = [j for j in range(lo, first) if _is_contact(paras[j])]
            if _headingish(paras[first]) or not contacts:
                start = first
                for _ in range(_BACK_STEPS):
                    # a titled entry reaches back over the captions of its pictures, an untitled
                    # one over the paragraphs before its first mention
                    j = start - 1
                    if j < lo or (before and _mentions(before, paras[j].text)) or _is_contact(paras[j]) \
                            or _LIST.match(paras[j].text) or \
                            (_headingish(paras[first]) and not _is_caption(paras[j])):
                        break
                    start = j
            else:
                start = contacts[-1] + 1  # right after the previous entry's contact details
                while start < first and (_LIST.match(paras[start].text) or _is_contact(paras[start]) or (
                        _is_caption(paras[start]) and not _headingish_title(paras[start]))):
                    start += 1
        start = max(start, lo)
        starts.append(start)
        prev = start
    return starts


def _headingish_title(p: Para) -> bool:
    """A caption-length line that is a real title ("Roma people"), not a logo ("Co-funded by")."""
    return bool(re.match(r"[A-Z][\w ]+:", p.text))


def _title_of(text: str) -> str:
    return text.split("\n", 1)[0].strip()[:100]


def build(doc: Document) -> tuple[str, list[Record]]:
    text = doc.text
    m = re.search(r"Good practices[^\n]+", text[:3000])
    title = f"Booklet: {m.group(0).strip()}" if m else doc.doc_id
    mk = Maker(doc, title)
    entries, toc_end = _entries(text)
    paras = [p for p in paragraphs(text) if p.start >= toc_end]
    if not entries or not paras:
        return title, []
    for p in paragraphs(text[:toc_end]):
        mk.add(Kind.PASSAGE, p.start, p.end, ("Contents",))
    starts = _anchors(paras, entries)
    for k, entry in enumerate(entries):
        i0 = starts[k]
        i1 = starts[k + 1] if k + 1 < len(entries) else len(paras)
        _entry_practices(mk, entry, paras[i0:i1])
    return title, mk.records


def _entry_practices(mk: Maker, entry: Entry, body: list[Para]) -> None:
    """Split an entry at its sub-headings into practices; short pieces join their neighbour."""
    if not body:
        return
    groups: list[list[Para]] = [[]]
    for p in body:
        if _headingish(p) and groups[-1] and sum(len(q.text) for q in groups[-1]) >= _MIN_PRACTICE:
            groups.append([])
        groups[-1].append(p)
    if len(groups) > 1 and sum(len(q.text) for q in groups[-1]) < _MIN_PRACTICE:
        groups[-2].extend(groups.pop())
    section = ("Organisations" if entry.organisation else "Cities and municipalities", entry.name)
    for g in groups:
        first = next((p for p in g if not _is_caption(p) or _headingish_title(p)), g[0])
        name = _title_of(first.text) if _headingish(first) else ""
        # a network's call on the EU is searchable, but it is not something anyone did
        statement = entry.organisation and policy_statement(mk.doc.text[g[0].start:g[-1].end])
        mk.add(Kind.PASSAGE if statement else Kind.PRACTICE, g[0].start, g[-1].end,
               (*section, name) if name else section,
               city=entry.name, country=entry.country, title=name or entry.name)
