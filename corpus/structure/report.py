"""ICC Index reports: per area its introduction, findings, other cities' practices, advice; the ✓/✗
conclusions and the recommendations; and what a report states of its city, read back from those records
(`statements`), which the city profile is made of (assistant/profile_io.py). The one reader of a report:
its layouts and wordings are read here only."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.areas import LENS_SLUGS, Area, find_area
from corpus.places import cities_called, known_cities_in
from corpus.records import Document, Kind, Record, fallback_title
from corpus.structure.base import (
    Maker,
    Para,
    clean_heading,
    display_text,
    is_caps_heading,
    paragraphs,
    title_case,
)

SIGNATURE = re.compile(r"intercultural cities index", re.I)
_RESOURCES = re.compile(r"^(?:lastly, )?ICC programme resources|resources on .* (?:are|is) (?:also )?available", re.I)
_LENS = re.compile(r"intercultural lens", re.I)
_CONCLUSIONS = re.compile(r"overall conclusions", re.I)
_RECOMMENDATIONS = re.compile(r"^recommendations$", re.I)
# a sentence that turns from another city's practice to advice for the assessed city
_ADVICE = re.compile(r"\b(?:the city|the municipality)\s+(?:may|might|could|should)\b|\bmay wish to\b|"
                     r"\bit (?:is|would be) (?:recommended|advisable|useful)\b", re.I)
_SENTENCE_START = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")
# the marks of the conclusions table: a strength, a weakness
STRENGTH, WEAKNESS = "✓✔", "✗✘"
MARKS = STRENGTH + WEAKNESS
_MARK = re.compile(rf"(?:^|\n)[ \t]*(?P<area>[^\W\d_][^\n{MARKS}]*?)?[ \t]*(?P<mark>[{MARKS}])[ \t]*")
_CAPS_ROW = re.compile(r"[A-Z][A-Z ,&/\-]*?[A-Z]")  # a row in capitals that names no area: still a row


def looks_like(text: str) -> bool:
    head = text[:6000]
    return bool(SIGNATURE.search(head)) and len(re.findall(r"(?m)^Suggestions\s*$", text)) >= 3


# who and when: the city is named in the introduction ("analysis for Hämeenlinna, Finland, in 2023"), else
# beside its aggregate, in the overview heading ("HÄMEENLINNA: AN OVERVIEW") or as the subject of the rate
# sentences; the year is the cover's ("INDEX ANALYSIS 2024"), else the imprint's, else the analysis's
_ANALYSIS_FOR = re.compile(r"analysis for ([A-ZÀ-Þ][\w'’\- ]+?), ([A-Z][\w ]+?),? in (\d{4})")
_ANALYSIS_OF = re.compile(r"Index analysis (?:for|of) (?:the (?:city|municipality) of )?"
                          r"([A-ZÀ-Þ][^\W\d_]+(?:[ -][A-ZÀ-Þ][^\W\d_]+)*)")
_AGGREGATE_OF = re.compile(r"([A-ZÀ-Þ][\w'’\-]+) has an aggregate Intercultural Cities Index")
_OVERVIEW = re.compile(r"(?m)^[ \t]*([^\W\d_][^:\n]{1,40}):[ \t]*AN OVERVIEW[ \t]*$")
# "Lakeside achieved", "Lakeside's achievement rate"; not "The achievement rate", "Its achievement rate"
_SUBJECT = re.compile(r"\b(?!(?i:the|this|that|its|their|our|your|a|an|each|every|overall|city|town|municipality)\b)"
                      r"([A-ZÀ-Þ][^\W\d_]+)(?:'s|’s)? (?:achievement rate|achieved)")
_YEARS = (re.compile(r"INDEX ANALYSIS\s*[-–:]?\s*((?:19|20)\d\d)\b", re.I),
          re.compile(r"©\s*Council of Europe,?\s*(?:[A-Z][a-z]+\s+)?((?:19|20)\d\d)\b"),
          re.compile(r"analysis for [^.]{0,80}? in ((?:19|20)\d\d)\b"))


def assessed_city(text: str) -> tuple[str, str, int | None]:
    """City, country and year of the analysis (what is not stated: "", "", None)."""
    city, country = "", ""
    if m := _ANALYSIS_FOR.search(text):
        city, country = m.group(1).strip(), m.group(2).strip()
    elif m := _ANALYSIS_OF.search(text) or _AGGREGATE_OF.search(text):
        city = m.group(1)
    elif m := _OVERVIEW.search(text):
        city = m.group(1).strip().title()
    elif subjects := _SUBJECT.findall(text):  # the most frequent; of equals, the first
        city = Counter(subjects).most_common(1)[0][0]
    year = next((int(m.group(1)) for pattern in _YEARS if (m := pattern.search(text))), None)
    return city, country, year


_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+", re.I)  # "1. ", "2.3 ", "IV. "


def _section_of(heading: str) -> Area | str | None:
    """What a section is, by its heading (as found, or title-cased in its records): the conclusions, the
    recommendations, the intercultural lens ("lens"), an area's section (the Area), or None."""
    name = _NUMBERING.sub("", heading)
    if _CONCLUSIONS.search(name):
        return "conclusions"
    if _RECOMMENDATIONS.match(name):
        return "recommendations"
    return find_area(name) or ("lens" if _LENS.search(name) else None)


def _sections(paras: list[Para]) -> list[tuple[str, int, int]]:
    """(heading, first paragraph index, end index) of every section. Headings are capitalised lines; an area
    name alone on its line counts too in a report whose capitals name no area. Area names inside the
    conclusions are the rows of its table, not headings."""
    heads = [i for i, p in enumerate(paras) if is_caps_heading(p)]
    if not any(isinstance(_section_of(clean_heading(paras[i].text)), Area) for i in heads):
        heads = sorted({*heads, *(i for i, p in enumerate(paras)
                                  if p.single_line and isinstance(_section_of(clean_heading(p.text)), Area))})
    kept: list[int] = []
    for i in heads:
        what = _section_of(clean_heading(paras[i].text))
        if kept and isinstance(what, Area) and _section_of(clean_heading(paras[kept[-1]].text)) == "conclusions":
            continue
        kept.append(i)
    ends = kept[1:] + [len(paras)]
    return [(clean_heading(paras[i].text), i + 1, end) for i, end in zip(kept, ends, strict=False)]


def _lines(text: str) -> list[Para]:
    """Every line with text a paragraph: for a text without blank lines between its paragraphs (as copied
    from a PDF viewer), where no heading stands alone."""
    return [Para(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S(?:[^\n]*\S)?", text)]


def _is_noise(p: Para) -> bool:
    """Chart labels and image captions: short and without a sentence."""
    return len(p.text) < 80 and not re.search(r"[.!?]\s*$", p.text) and not any(m in p.text for m in STRENGTH)


def _practice_segments(p: Para, own: str) -> list[tuple[int, int, str, str]]:
    """Split a paragraph where a sentence introduces another city's practice: (start, end, city, country)."""
    mentions = [m for m in cities_called(p.text) if m[1] != own]
    if not mentions:
        mentions = [m for m in known_cities_in(p.text) if m[1] != own][:1]
    segs: list[tuple[int, int, str, str]] = []
    for off, city, country in mentions:
        if segs and segs[-1][2] == city:
            continue
        sent = max(p.text.rfind(". ", 0, off), p.text.rfind("; ", 0, off))
        cut = 0 if sent < 0 else sent + 2
        if segs:
            s0 = segs[-1]
            segs[-1] = (s0[0], p.start + cut, s0[2], s0[3])
        segs.append((p.start + cut, p.end, city, country))
    return segs


def build(doc: Document) -> tuple[str, list]:  # type: ignore[type-arg]
    city, country, year = assessed_city(doc.text)
    title = f"Intercultural Cities Index analysis: {city}" + (f" {year}" if year else "")
    mk = Maker(doc, title)
    paras = paragraphs(doc.text)
    sections = _sections(paras) or _sections(paras := _lines(doc.text))
    toc_done = False
    for heading, i0, i1 in sections:
        body = paras[i0:i1]
        if not toc_done and not body:
            continue
        what = _section_of(heading)
        head = title_case(heading)
        if what == "conclusions":
            _conclusions(mk, body, city, head)
        elif what == "recommendations":
            _recommendations(mk, body, city, head)
        elif what is not None:
            areas = (what.slug,) if isinstance(what, Area) else LENS_SLUGS
            _area_section(mk, body, city, country, head, areas)
        else:
            for p in body:
                if not _is_noise(p):
                    mk.add(Kind.PASSAGE, p.start, p.end, (head,), about_city=city)
        toc_done = True
    return title, mk.records


def _area_section(
    mk: Maker, body: list[Para], city: str, country: str, head: str, areas: tuple[str, ...]
) -> None:
    split = next((n for n, p in enumerate(body) if p.text.strip() == "Suggestions"), len(body))
    before, after = body[:split], body[split + 1:]
    seen_rate = False
    for p in before:
        if _is_noise(p):
            continue
        if not seen_rate and city and city in p.text and states_rate(p.text):  # the city's rate: its findings
            seen_rate = True
        kind = Kind.FINDING if seen_rate else Kind.PASSAGE
        title = "Introduction" if kind is Kind.PASSAGE else ""
        mk.add(kind, p.start, p.end, (head,), title=title, areas=areas, about_city=city)
    heads = (head, "Suggestions")
    last = None
    for p in after:
        if _is_noise(p):
            continue
        if _RESOURCES.search(p.text):
            mk.add(Kind.PASSAGE, p.start, p.end, heads, title="ICC programme resources", areas=areas)
            last = None
            continue
        segs = _practice_segments(p, city)
        if not segs:
            if last is not None and city not in p.text and not _ADVICE.search(_first_sentence(p.text)):
                last = mk.extend(last, p.end)  # the practice goes on in this paragraph
            else:
                mk.add(Kind.RECOMMENDATION, p.start, p.end, heads, areas=areas, about_city=city)
                last = None
            continue
        if segs[0][0] > p.start:  # advice to the city before the first practice of the paragraph
            mk.add(Kind.RECOMMENDATION, p.start, segs[0][0], heads, areas=areas, about_city=city)
        for start, end, pcity, pcountry in segs:
            turn = _advice_start(mk.doc.text[start:end], pcity, city)
            stop = start + turn if turn is not None else end
            last = mk.add(Kind.PRACTICE, start, stop, heads, city=pcity, country=pcountry, areas=areas,
                          title=_practice_title(mk.doc.text[start:stop], pcity))
            if turn is not None:  # the rest of the paragraph is advice to the assessed city
                mk.add(Kind.RECOMMENDATION, stop, end, heads, areas=areas, about_city=city)
                last = None


def _first_sentence(text: str) -> str:
    return _SENTENCE_START.split(text, maxsplit=1)[0]


def _advice_start(text: str, practice_city: str, own: str) -> int | None:
    """Offset in `text` (a practice of `practice_city`) of the first later sentence that gives advice to
    the assessed city instead ("Apart from trainings for staff, the city may wish to consider ..."), if
    any. The first sentence is never advice: it introduces the practice, even as "Hämeenlinna could
    consider the example of Camden (UK)"."""
    for m in _SENTENCE_START.finditer(text):
        rest = text[m.end():]
        sentence = _first_sentence(rest)
        if practice_city not in sentence and (_ADVICE.search(sentence) or (own and own in sentence)):
            return m.end()
    return None


def _practice_title(text: str, city: str) -> str:
    """The name of the practice a suggestion opens with: a quoted name, or capitalised words after an article
    ("its Neighbourhood Plan"), in its first sentence, else a quoted name in the second or one the text gives
    as its name ('adopted under the title "Cultural Diversity and Anti-Racism Policy"'); never a name it only
    mentions later ("Trobada BCN Ciutat Diversa", an event of Barcelona's Neighbourhood Plan)."""
    text = display_text(text)
    first, *rest = _SENTENCE_START.split(text, maxsplit=2)
    named = re.search(r"\b(?:under the (?:title|name)|entitled|titled|called|named|known as) (?=[“\"])", text)
    return _quoted_name(first) or _article_name(first) or _city_name(first, city) or \
        (_quoted_name(rest[0]) if rest else "") or (_quoted_name(text[named.end():named.end() + 90]) if named else "") \
        or fallback_title(city, "report")


def _quoted_name(text: str) -> str:
    for quoted in re.finditer(r"[“\"]\[?([^”\"\]]{6,80})\]?(?:\(#\))?[”\"]", text):
        name = quoted.group(1).strip()
        # a name ("Espai Dones", "(Re)Writing our neighbourhood"), not a quoted word or phrase of the
        # text ("territorialisation", "this Plan reflects Bilbao's pride ...")
        if re.match(r"[(\[]?[A-Z0-9]", name) and (len(name.split()) > 1 or any(c.isupper() for c in name[1:])):
            return name
    return ""


def _city_name(text: str, city: str) -> str:
    """A name that opens with the city's own ("a network of Tampere Ambassadors")."""
    if not city:
        return ""
    named = re.search(rf"\b{re.escape(city)}((?:\s[A-Z][\w'’-]+){{1,4}})\b", text)
    if not named or set(named.group(1).split()) <= _ADMINISTRATION:  # "Ansan City" names the city, no practice
        return ""
    return f"{city}{named.group(1)}"


_ADMINISTRATION = frozenset({"City", "Council", "Municipality", "Region", "County", "Government", "Administration",
                             "Hall"})


def _article_name(text: str) -> str:
    # capitalised words, with the small words of names between them ("La Rosa dei Venti")
    word = r"[A-Z][\w'’-]*(?:\s(?:of|for|and|de|dei|del|della|di|du|des)\s[A-Z][\w'’-]*)*"
    named = re.search(rf"\b(?:the|its|a|an)\s+\[?((?:{word}\s?){{2,7}})\]?", text)
    return named.group(1).strip() if named else ""


def _table_rows(text: str) -> list[tuple[int, int, Area | None, bool]]:
    """The cells of the conclusions table: (where the cell's line starts, where its text starts, the area named
    on its line or alone on the line before, strength or not). A row reads "AREA ✓ text" then "✗ text"; the
    area name (in any case) may also stand on a line of its own, as PDF layouts put it."""
    rows: list[tuple[int, int, Area | None, bool]] = []
    for m in _MARK.finditer(text):
        head, cut = m.group("area"), m.start()
        area = find_area(head) if head else None
        if head and area is None and not _CAPS_ROW.fullmatch(head):
            continue  # a mark within a sentence: the cell goes on
        if not head:  # the area alone on the line before
            before = text[:m.start()].rstrip()
            line_start = before.rfind("\n") + 1
            line = before[line_start:]
            if not any(c in line for c in MARKS) and (above := find_area(line)) is not None:
                area, cut = above, max(line_start - 1, 0)
        rows.append((cut, m.end(), area, m.group("mark") in STRENGTH))
    return rows


def _conclusions(mk: Maker, body: list[Para], city: str, head: str) -> None:
    if not body:
        return
    start, end = body[0].start, body[-1].end
    text = mk.doc.text[start:end]
    rows = _table_rows(text)
    if rows:
        mk.add(Kind.FINDING, start, start + rows[0][0], (head,), about_city=city)
    current = None
    for n, (_, cell, area, strength) in enumerate(rows):
        current = area or current
        if n + 1 < len(rows):
            stop = rows[n + 1][0]
        else:  # the last line ends at its paragraph, or its sentence's line; what follows closes the analysis
            gap = re.search(r"(\n)\s*\n|[.!?][ \t]*(\n)", text[cell:])
            stop = cell + max(gap.start(1), gap.start(2)) if gap else len(text)
            if stop < len(text):
                mk.add(Kind.PASSAGE, start + stop, end, (head,), about_city=city)
        mk.add(
            Kind.FINDING, start + cell, start + stop, (head, current.name if current else ""),
            title="Strength" if strength else "Weakness", areas=(current.slug,) if current else (),
            about_city=city,
        )


def _recommendations(mk: Maker, body: list[Para], city: str, head: str) -> None:
    """The recommendations run from the first to the last paragraph that addresses the city (an area lead
    such as "Language:", the city named as the one to act, or advice); what comes before is the chapter's
    preamble, what follows the report's back matter (the programme, the publishers): passages, not advice."""
    body = [part for p in body for part in _lead_parts(p)]
    leads = [area_lead(p.text)[0] for p in body]
    # the city named as the one to act ("Hämeenlinna could …"), not as the subject of the report ("This report
    # was written within the framework of … Hämeenlinna")
    acts = re.compile(rf"\b{re.escape(city)}\s+(?:may|might|could|should|would|is encouraged)\b") if city else None
    addressing = [n for n, p in enumerate(body)
                  if leads[n] is not None or (acts and acts.search(p.text)) or _ADVICE.search(p.text)]
    back = addressing[-1] + 1 if addressing else 0
    first = addressing[0] if addressing else 0
    for n, p in enumerate(body):
        area = leads[n]
        if area is None and _is_noise(p):
            continue
        if n >= back:
            mk.add(Kind.PASSAGE, p.start, p.end, ("About the programme",))
            continue
        if n < first:  # the chapter's preamble ("The Council of Europe and its partner cities have developed …")
            mk.add(Kind.PASSAGE, p.start, p.end, (head,))
            continue
        mk.add(Kind.RECOMMENDATION, p.start, p.end, (head, area.name if area else ""),
               title=area.name if area else "", areas=(area.slug,) if area else (), about_city=city)


# "Media and communication: The city may ...", also with a dash
_AREA_LEAD = re.compile(r"(?P<label>[^\W\d_][^:–—\n]{2,79}?)[ \t]*(?::|–|—|[ \t]-[ \t])[ \t]*(?=\S)")


def area_lead(text: str) -> tuple[Area | None, int]:
    """The area a recommendation opens with and where the words after its lead start; (None, 0) without one."""
    m = _AREA_LEAD.match(text)
    area = find_area(m.group("label")) if m else None
    return (area, m.end()) if area and m else (None, 0)


def _lead_parts(p: Para) -> list[Para]:
    """A paragraph cut before each later line that opens with an area's lead: a layout may run the
    recommendations of several areas together without blank lines."""
    cuts = [m.end() for m in re.finditer(r"\n[ \t]*", p.text) if area_lead(p.text[m.end():])[0]]
    if not cuts:
        return [p]
    parts = []
    for a, b in zip([0, *cuts], [*cuts, len(p.text)], strict=True):
        text = p.text[a:b].rstrip()
        parts.append(Para(p.start + a, p.start + a + len(text), text))
    return parts


# --- what a rate is: the city's rate sets a section's findings apart, and the profile reads the rates --------

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d+)?)(?![\d])")
_PERCENT = re.compile(r"\s*(?:%|per ?cent\b|percent\b|points?\b|/\s*100\b|out of 100\b)", re.I)
# a bare number counts as a rate only right after words that announce one ("a rate of 40, which")
_LEAD = re.compile(
    r"(?:rate|achievement|score|result|level|average|stands?|stood|achieved|reached|scored|obtained"
    r"|of|at|is|was)\s*[(:]?\s*$", re.I)
RATE_TALK = re.compile(r"rate|achiev|score|result|%|per ?cent", re.I)
_SAMPLE = re.compile(r"sample|model city|average|other cities|comparison|benchmark|peer", re.I)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-ZÀ-Þ0-9])")


@dataclass(frozen=True, slots=True)
class Rate:
    value: str
    sample: bool  # the words before it talk about the comparison sample


def rates_in(sentence: str) -> list[Rate]:
    """The rate-like numbers of a sentence, each told apart as the city's or the sample's."""
    found: list[Rate] = []
    last = 0
    for m in _NUMBER.finditer(sentence):
        after = sentence[m.end():]
        if not (_PERCENT.match(after) or (_LEAD.search(sentence[max(0, m.start() - 40):m.start()]) and
                                           not re.match(r"\s*[^\W\d_]", after))):
            continue
        found.append(Rate(m.group(1), bool(_SAMPLE.search(sentence[last:m.start()]))))
        last = m.end()
    return found


def rate_pair(text: str, city_name: str = "") -> tuple[str, str | None] | None:
    """(city rate, sample rate) from the first sentences of a section that state the city's rate."""
    if city_name:  # a city name may contain a sample word ("Sampleton")
        text = text.replace(city_name, "The city")
    sentences = [s for s in SENTENCE.split(text) if RATE_TALK.search(s) and "aggregate" not in s.lower()]
    for i, sentence in enumerate(sentences):
        here = rates_in(sentence)
        city = next((r for r in here if not r.sample), None)
        if city is None:
            continue
        sample = next((r for r in here if r.sample), None)
        if sample is None and len(here) > 1:  # "25% compared with 52% for the sample": city first
            sample = here[here.index(city) + 1] if here.index(city) + 1 < len(here) else None
        if sample is None and i + 1 < len(sentences):
            sample = next((r for r in rates_in(sentences[i + 1]) if r.sample), None)
        return city.value, sample.value if sample else None
    return None


def states_rate(text: str) -> bool:
    """Whether a text states a rate: one of its sentences talks of rates and holds a number that is one."""
    return any(rates_in(s) for s in SENTENCE.split(text) if RATE_TALK.search(s))


# --- what a report states, read from its records: the city profile's source (assistant/profile_io.py) -------


@dataclass(frozen=True, slots=True)
class AreaStatement:
    """What a report states of one area: its section's heading, the city's and the sample's rates as written
    (the sample's may be missing), its ✓ and ✗ lines in the conclusions and its recommendation."""

    slug: str
    heading: str
    rate: str
    sample: str | None
    strength: str = ""
    weakness: str = ""
    recommendation: str = ""


@dataclass(frozen=True, slots=True)
class Statements:
    """What an ICC Index report states of its city, from its records (`build`) and its opening pages."""

    city: str
    year: int | None
    aggregate: str | None  # the published aggregate index
    lens: tuple[str, str | None] | None  # the intercultural lens: the city's rate and the sample's
    areas: tuple[AreaStatement, ...]  # the areas whose rate the report states, in the report's order


def statements(doc: Document, records: Sequence[Record]) -> Statements:
    """The statements of a report (the document and the records `build` made of it): per area the rate of
    the first section of that area that states one, the conclusions' cells and the recommendation."""
    city, _, year = assessed_city(doc.text)
    aggregate = next((r.value for s in SENTENCE.split(doc.text) if "aggregate" in s.lower()
                      for r in rates_in(s)[:1]), None)
    sections: list[tuple[str, Area | str, list[str]]] = []  # (heading, area or "lens", texts) of each section
    said: dict[tuple[str, str], list[str]] = {}  # (slug, "strength" | "weakness" | "recommendation") -> texts
    for r in records:
        what = _section_of(r.headings[0]) if r.headings else None
        if what == "conclusions" and r.kind is Kind.FINDING and r.areas and r.title in ("Strength", "Weakness"):
            said.setdefault((r.areas[0], r.title.lower()), []).append(r.text)
        elif what == "recommendations" and r.kind is Kind.RECOMMENDATION and r.areas:
            said.setdefault((r.areas[0], "recommendation"), []).append(r.text[area_lead(r.text)[1]:])
        elif isinstance(what, Area) or what == "lens":
            if sections and sections[-1][0] == r.headings[0]:
                sections[-1][2].append(r.text)
            else:
                sections.append((r.headings[0], what, [r.text]))
    lens: tuple[str, str | None] | None = None
    areas: dict[str, AreaStatement] = {}
    for heading, what, texts in sections:
        if (isinstance(what, Area) and what.slug in areas) or (what == "lens" and lens):
            continue
        if (pair := rate_pair("\n\n".join(texts), city)) is None:
            continue
        if isinstance(what, Area):
            strength, weakness, advice = (" ".join(said.get((what.slug, kind), ()))
                                          for kind in ("strength", "weakness", "recommendation"))
            areas[what.slug] = AreaStatement(what.slug, heading, *pair, strength, weakness, advice)
        else:
            lens = pair
    return Statements(city, year, aggregate, lens, tuple(areas.values()))
