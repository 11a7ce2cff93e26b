"""ICC Index reports: per area its introduction, findings, other cities' practices, advice."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.areas import LENS_SLUGS, Area, find_area
from corpus.places import cities_called, known_cities_in
from corpus.records import Document, Kind, fallback_title
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
# the marks of the conclusions table: a strength, a weakness (the profile reader's too)
STRENGTH, WEAKNESS = "✓✔", "✗✘"
MARKS = STRENGTH + WEAKNESS
_MARK = re.compile(rf"(?:^|\n)[ \t]*(?P<area>[A-Z][A-Z ,&/\-]*?[A-Z])?[ \t]*(?P<mark>[{MARKS}])[ \t]*")


def looks_like(text: str) -> bool:
    head = text[:6000]
    return bool(SIGNATURE.search(head)) and len(re.findall(r"(?m)^Suggestions\s*$", text)) >= 3


def assessed_city(text: str) -> tuple[str, str, int | None]:
    """City, country and year of the analysis, from its opening pages."""
    city, country, year = "", "", None
    m = re.search(r"analysis for ([A-ZÀ-Þ][\w'’\- ]+?), ([A-Z][\w ]+?),? in (\d{4})", text)
    if m:
        city, country = m.group(1).strip(), m.group(2).strip()
    else:
        m2 = re.search(r"([A-ZÀ-Þ][\w'’\-]+) has an aggregate Intercultural Cities Index", text)
        if m2:
            city = m2.group(1)
    y = re.search(r"INDEX ANALYSIS\s*(\d{4})", text[:3000], re.I)
    if y:
        year = int(y.group(1))
    elif m:
        year = int(m.group(3))
    return city, country, year


def _sections(paras: list[Para]) -> list[tuple[str, int, int]]:
    """(heading, first paragraph index, end index) of every capitalised heading after the contents."""
    heads = [i for i, p in enumerate(paras) if is_caps_heading(p)]
    out = []
    for n, i in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(paras)
        out.append((clean_heading(paras[i].text), i + 1, end))
    return out


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
    toc_done = False
    for heading, i0, i1 in _sections(paras):
        body = paras[i0:i1]
        if not toc_done and not body:
            continue
        area = find_area(heading)
        head = title_case(heading)
        if _CONCLUSIONS.search(heading):
            _conclusions(mk, body, city, head)
        elif _RECOMMENDATIONS.match(heading):
            _recommendations(mk, body, city, head)
        elif area is not None or _LENS.search(heading):
            areas = (area.slug,) if area else LENS_SLUGS
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
    text = display_text(text)
    for quoted in re.finditer(r"[“\"]\[?([^”\"\]]{6,80})\]?(?:\(#\))?[”\"]", text):
        name = quoted.group(1).strip()
        # a name ("Espai Dones", "(Re)Writing our neighbourhood"), not a quoted word or phrase of the
        # text ("territorialisation", "this Plan reflects Bilbao's pride ...")
        if re.match(r"[(\[]?[A-Z0-9]", name) and (len(name.split()) > 1 or any(c.isupper() for c in name[1:])):
            return name
    # capitalised words, with the small words of names between them ("La Rosa dei Venti")
    word = r"[A-Z][\w'’-]*(?:\s(?:of|for|and|de|dei|del|della|di|du|des)\s[A-Z][\w'’-]*)*"
    named = re.search(rf"\b(?:the|its|a|an)\s+\[?((?:{word}\s?){{2,7}})\]?", text)
    if named:
        return named.group(1).strip()
    return fallback_title(city, "report")


def _conclusions(mk: Maker, body: list[Para], city: str, head: str) -> None:
    if not body:
        return
    start, end = body[0].start, body[-1].end
    text = mk.doc.text[start:end]
    marks = list(_MARK.finditer(text))
    if marks:
        mk.add(Kind.FINDING, start, start + marks[0].start(), (head,), about_city=city)
    current = None
    for n, m in enumerate(marks):
        if m.group("area"):
            current = find_area(m.group("area")) or current
        if n + 1 < len(marks):
            stop = marks[n + 1].start()
        else:  # the last line ends at its paragraph; what follows closes the whole analysis
            gap = re.search(r"\n\s*\n", text[m.end():])
            stop = m.end() + gap.start() if gap else len(text)
            if stop < len(text):
                mk.add(Kind.PASSAGE, start + stop, end, (head,), about_city=city)
        strength = m.group("mark") in STRENGTH
        mk.add(
            Kind.FINDING, start + m.end(), start + stop, (head, current.name if current else ""),
            title="Strength" if strength else "Weakness", areas=(current.slug,) if current else (),
            about_city=city,
        )


def _recommendations(mk: Maker, body: list[Para], city: str, head: str) -> None:
    """The recommendations run to the last paragraph that addresses the city (an area lead such as
    "Language:", the city's name, or advice); what follows is the report's back matter (the
    programme, the publishers)."""
    leads = [_area_lead(p) for p in body]
    addressing = [n for n, p in enumerate(body)
                  if leads[n] is not None or (city and city in p.text) or _ADVICE.search(p.text)]
    back = addressing[-1] + 1 if addressing else 0
    for n, p in enumerate(body):
        area = leads[n]
        if area is None and _is_noise(p):
            continue
        if n >= back:
            mk.add(Kind.PASSAGE, p.start, p.end, ("About the programme",))
            continue
        mk.add(Kind.RECOMMENDATION, p.start, p.end, (head, area.name if area else ""),
               title=area.name if area else "", areas=(area.slug,) if area else (), about_city=city)


def _area_lead(p: Para) -> Area | None:
    lead = re.match(r"([A-Z][\w ,&/\-]{2,60}):\s", p.text)
    return find_area(lead.group(1)) if lead else None


# --- the rules both readers of a report go by: this structure step, and the profile reader
# (assistant/profile_io.py), which reads the rates, conclusions and recommendations of the same reports -----

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
