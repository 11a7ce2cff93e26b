"""Benchmark toolkits: sections with a statement, rationale, guide questions and city examples."""

from __future__ import annotations

import re

from corpus.places import city_country
from corpus.records import Document, Kind, Record, fallback_title
from corpus.structure.base import Maker, Para, clean_heading, is_caps_heading, paragraphs, title_case

# "●●● GENOA", "- • • TAMPERE -----", "- **MADRID** -----" (the bullets are lost in some renderings)
_NAME = r"\**\s*(?P<city>[A-ZÀ-Þ][A-ZÀ-Þ '’\-]*?[A-ZÀ-Þ])\s*\**"
_EXAMPLE = re.compile(
    rf"^-?\s*(?:(?:[●•]\s*){{2,3}}{_NAME}\s*-*|(?:[●•]\s*){{0,3}}{_NAME.replace('city', 'c2')}\s*-{{3,}})\s*$"
)
_SUBHEADS = {"GUIDE QUESTIONS", "EXAMPLES"}
_END = re.compile(r"^CONTEXT FACTORS?$|^ABOUT THE |^ACKNOWLEDGEMENTS$")

# Reviewed mapping of each benchmark section of the Integrating Cities toolkits to ICC areas:
# the key is a word sequence of the section heading, the value the areas its practices serve.
SECTION_AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("public commitment", ("commitment", "media")),
    ("planning and strategy", ("commitment", "anti_discrimination")),
    ("coordination and governance", ("commitment", "leadership")),
    ("needs assessment", ("competence",)),
    ("raising awareness", ("media", "anti_discrimination")),
    ("involvement of local communities", ("participation", "neighbourhoods")),
    ("engagement of non-governmental stakeholders", ("media", "participation")),
    ("shared activities and shared spaces", ("interaction", "public_space", "cultural")),
    ("defusing tensions", ("mediation", "anti_discrimination")),
    ("staff development", ("competence", "public_services")),
    ("migrants' roles in providing key services", ("public_services", "business")),
    ("diversity in the workforce", ("public_services", "business")),
    ("participation", ("participation",)),
    ("language", ("language",)),
    ("welcome", ("welcoming",)),
    ("anti-discrimination", ("anti_discrimination",)),
)


def section_areas(heading: str) -> tuple[str, ...]:
    key = heading.lower().replace("’", "'")
    for words, areas in SECTION_AREAS:
        if words in key:
            return areas
    return ()


def looks_like(text: str) -> bool:
    return len(re.findall(r"(?m)^GUIDE QUESTIONS\s*$", text)) >= 2


def _title(text: str) -> str:
    m = re.search(r"Integrating Cities [Tt]oolkit\s*\n+\s*(.+)", text[:3000])
    return f"Integrating Cities toolkit: {m.group(1).strip()}" if m else "Integrating Cities toolkit"


def _split_markers(p: Para) -> list[Para]:
    """A paragraph cut before and after every example-marker line inside it."""
    out: list[Para] = []
    pos = 0
    for m in re.finditer(r"[^\n]+", p.text):
        if _EXAMPLE.match(m.group(0).strip()):
            if p.text[pos:m.start()].strip():
                out.append(_sub(p, pos, m.start()))
            out.append(_sub(p, m.start(), m.end()))
            pos = m.end()
    if p.text[pos:].strip():
        out.append(_sub(p, pos, len(p.text)))
    return out


def _sub(p: Para, a: int, b: int) -> Para:
    chunk = p.text[a:b]
    lead = len(chunk) - len(chunk.lstrip())
    text = chunk.strip()
    return Para(p.start + a + lead, p.start + a + lead + len(text), text)


def _example_city(p: Para) -> str | None:
    m = _EXAMPLE.match(p.text.strip())
    return (m.group("city") or m.group("c2") or "").strip(" -*") if m else None


def _question_lines(mk: Maker, p: Para) -> list[tuple[int, int]]:
    """Each "- question" line of a paragraph, as document offsets."""
    spans = []
    for m in re.finditer(r"(?m)^[ \t]*[-•][ \t]*(.+?)[ \t]*$", p.text):
        spans.append((p.start + m.start(1), p.start + m.end(1)))
    if not spans:
        spans.append((p.start, p.end))
    return spans


def build(doc: Document) -> tuple[str, list[Record]]:
    title = _title(doc.text)
    mk = Maker(doc, title)
    paras = [q for p in paragraphs(doc.text) for q in _split_markers(p)]
    section, areas = "", ()  # type: tuple[str, tuple[str, ...]]
    mode = "intro"  # intro | statement | questions | examples | end
    example: Record | None = None
    statement_start: int | None = None
    statement_end = 0
    pending: tuple[str, str] | None = None  # city of the example being read

    def flush_statement() -> None:
        nonlocal statement_start
        if statement_start is not None and section:
            mk.add(Kind.PASSAGE, statement_start, statement_end, (section,), title=f"Benchmark: {section}",
                   areas=areas, benchmark=section)
        statement_start = None

    for p in paras:
        text = p.text.strip()
        bare = clean_heading(text)
        marker = _example_city(p)
        if marker is not None and mode in ("examples", "questions"):
            mode = "examples"
            pending = city_country(title_case(marker))
            example = None
            continue
        if is_caps_heading(p, max_len=200) and bare in _SUBHEADS:
            flush_statement()
            mode = "questions" if bare == "GUIDE QUESTIONS" else "examples"
            example = None
            continue
        if is_caps_heading(p, max_len=200) and _END.search(bare):
            flush_statement()
            mode, section, areas = "end", "", ()
            example = None
            continue
        if is_caps_heading(p, max_len=200):
            flush_statement()
            section, areas = title_case(bare), section_areas(bare)
            mode = "statement"
            example = None
            continue
        if mode == "statement":
            statement_start = p.start if statement_start is None else statement_start
            statement_end = p.end
        elif mode == "questions":
            for s, e in _question_lines(mk, p):
                mk.add(Kind.GUIDE_QUESTION, s, e, (section, "Guide questions"), areas=areas, benchmark=section,
                       title=section)
        elif mode == "examples" and pending is not None:
            c, country = pending
            if example is None:
                c = _acting_city(text, c)
                example = mk.add(Kind.PRACTICE, p.start, p.end, (section, "Examples", c), city=c,
                                 country=country, areas=areas, benchmark=section,
                                 title=_example_title(text, c))
            else:
                example = mk.extend(example, p.end)
        else:
            mk.add(Kind.PASSAGE, p.start, p.end, (section,) if section else ("Introduction",), areas=areas)
    flush_statement()
    return title, mk.records


def _acting_city(text: str, heading: str) -> str:
    """The city whose practice an example is: "The police in Fuenlabrada, near Madrid, ..." under the
    heading Madrid is Fuenlabrada's."""
    first = text.split(".", 1)[0]
    m = re.search(rf"\b(?:in|of) ([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?),? near {re.escape(heading)}\b", first)
    return m.group(1) if m else heading


def _example_title(text: str, city: str) -> str:
    first = text.split("\n", 1)[0].strip()
    if len(first) < 60 and not first.endswith("."):
        return first  # "Lublin for all": the example has its own title line
    label = re.match(r"([A-Z][^:.]{2,58}):\s", first)
    if label:
        return label.group(1).strip()  # "Supporting Group: Due to the nature of diversity ..."
    # a name the example opens with ("Tampere City Library actively ...", "The Centro Studi 'Medi' is"):
    # two or more capitalised words, not one ordinary word that starts a sentence ("Although", "Community")
    lead = re.match(r"(?:The )?((?:['‘]?[A-Z][\w'’-]*(?:\s|$)){2,6})", first)
    return lead.group(1).strip() if lead else fallback_title(city, "toolkit")
