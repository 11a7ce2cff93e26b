"""Cited answers: "how do other cities handle X?" answered from Practice records of named cities.

Retrieval prefers Practice records (never a report's findings about its own city), keeps one practice per
city and at most a few per document, adds benchmark guide questions when the question is about how to
approach a topic, and composes with a Jinja2 template over sentences selected from each record. Every
sentence of an answer that is not template framing is a sentence of a cited record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

import jinja2
import numpy as np

from assistant.areas import AREAS, Area, resolve_area
from assistant.citations import Citation, Citations, lead, place
from assistant.conversation import Reading, cities_in, clean_history, read_question
from assistant.questions import areas_named, search_question
from assistant.sentences import best_sentences, flawed, split_sentences
from assistant.tagging import area_texts
from corpus.records import Kind, Record, is_fallback_title
from index.embed import Embedder
from index.search import Filters, Hit, Searcher
from index.store import LoadedIndex

MAX_QUESTION = 500
_APPROACH = re.compile(
    r"\b(how (should|can|could|might|would|do|does) (we|i|a city|the city|our city|our municipality|one|a "
    r"municipality)|how to|where to (start|begin)|first steps?|approach|guide questions?|questions? (to ask|"
    r"should)|checklist|benchmarks?|self[- ]?assess\w*|plan(ning)? for|what should)\b", re.I)
_ASKS_GUIDE = re.compile(r"\b(guide questions?|benchmarks?|checklist|questions? (to ask|should))\b", re.I)


@dataclass(frozen=True, slots=True)
class AskParams:
    practices: int = 5
    guide_questions: int = 3
    per_document: int = 3  # at most this many practices from one document
    # calibrated on the default model (README, "Answers"): relevance = mean of the best practice's
    # similarity and the best area description's similarity to the question (+ area_named_bonus when
    # the question names an area); under min_relevance the question is off-topic
    min_relevance: float = 0.32
    area_named_bonus: float = 0.05
    item_similarity: float = 0.2  # a practice below this similarity is never shown...
    item_drop: float = 0.2  # ...nor one this much less similar than the best
    off_area: float = 0.85  # share of the best similarity a practice outside the named areas needs
    detail_sentences: int = 8


@dataclass(frozen=True, slots=True)
class Item:
    citation: Citation
    place: str
    title: str
    city: str
    sentences: tuple[str, ...]

    @property
    def n(self) -> int:
        return self.citation.n

    @property
    def lead(self) -> str:
        return lead(self.citation.record)


@dataclass
class Answer:
    question: str
    reading: Reading
    found: bool
    text: str
    citations: list[Citation]
    practices: list[Item] = field(default_factory=list)
    guide_questions: list[Item] = field(default_factory=list)
    nearest_areas: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    topic: str = ""

    def to_json(self) -> dict[str, Any]:
        """`ask --json`: {"answer", "citations"} plus what a follow-up needs ("query", "country", ...)."""
        return {"question": self.question, "answer": self.text,
                "citations": [c.to_json() for c in self.citations], "found": self.found,
                "nearest_areas": self.nearest_areas, "areas": self.areas, "query": self.reading.query,
                "topic": self.topic or self.reading.query, "country": self.reading.country, "city": self.reading.city}


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("assistant", "templates"), autoescape=False,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                              undefined=jinja2.StrictUndefined)


def render(template: str, **context: Any) -> str:
    text = _templates().get_template(template).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def check_question(question: str) -> str:
    q = " ".join(question.split())
    if not q:
        raise ValueError("Ask a question, for example: How do other cities handle media monitoring?")
    if len(q) > MAX_QUESTION:
        raise ValueError(f"The question is {len(q)} characters long; keep it under {MAX_QUESTION}.")
    return q


_AREA_VECTORS: WeakKeyDictionary[Embedder, np.ndarray] = WeakKeyDictionary()


def area_vectors(embedder: Embedder) -> np.ndarray:
    """The area descriptions' embeddings, computed once per embedder (not once per question)."""
    vecs = _AREA_VECTORS.get(embedder)
    if vecs is None:
        vecs = _AREA_VECTORS[embedder] = embedder.embed_batch(area_texts())
    return vecs


@dataclass(frozen=True, slots=True)
class IndexFacts:
    """What `ask` looks up in the records on every call, computed once per loaded index."""

    practice_cities: tuple[str, ...]  # cities with a practice, for reading city names in questions
    assessed_cities: tuple[str, ...]  # cities a report assesses (their findings)
    by_id: Mapping[str, Record]
    practices_of: Mapping[str, tuple[Record, ...]]  # city -> its practices, in corpus order


_FACTS: WeakKeyDictionary[Searcher, tuple[LoadedIndex, IndexFacts]] = WeakKeyDictionary()


def index_facts(searcher: Searcher) -> IndexFacts:
    known = _FACTS.get(searcher)
    facts = known[1] if known is not None and known[0] is searcher.index else None
    if facts is None:
        records = searcher.records
        practices: dict[str, list[Record]] = {}
        for r in records:
            if r.kind == Kind.PRACTICE and r.city:
                practices.setdefault(r.city, []).append(r)
        facts = IndexFacts(
            tuple(sorted(practices)), tuple(sorted({r.about_city for r in records if r.about_city})),
            {r.id: r for r in records}, {c: tuple(rs) for c, rs in practices.items()})
        _FACTS[searcher] = (searcher.index, facts)
    return facts


def nearest_areas(searcher: Searcher, vector: np.ndarray, n: int = 3) -> list[Area]:
    """The ICC areas whose descriptions are closest to a text's `vector`, to suggest when nothing is found."""
    sims = area_vectors(searcher.embedder) @ vector
    return [AREAS[int(j)] for j in np.argsort(-sims)[:n]]


def _without_places(text: str, reading: Reading) -> str:
    for name in (reading.country, reading.city):
        if name:
            text = re.sub(re.escape(name), " ", text, flags=re.I)
    return " ".join(text.split())


def relevance(searcher: Searcher, topic: str, vector: np.ndarray, params: AskParams) -> tuple[float, float]:
    """How much the corpus has to say on `topic` (places removed; `vector` its embedding), see
    AskParams.min_relevance; and the similarity of the best practice anywhere (a yardstick for
    practices of one place)."""
    hits = searcher.search(topic, k=10, filters=Filters(kinds=(Kind.PRACTICE,)), vector=vector)
    best = max((h.dense for h in hits), default=0.0)
    bonus = params.area_named_bonus if areas_named(topic) else 0.0
    return 0.5 * best + 0.5 * float((area_vectors(searcher.embedder) @ vector).max()) + bonus, best


def _select(hits: list[Hit], most: int, params: AskParams, per_doc: int, one_per_city: bool,
            best: float | None = None, areas: Sequence[str] = ()) -> list[Hit]:
    """Hits worth showing, several cities and documents rather than one; `best` is the yardstick
    similarity (by default the best of `hits`). When the question names `areas`, a record of none of
    them must come close to the best to be shown."""
    chosen: list[Hit] = []
    cities: set[str] = set()
    docs: dict[str, int] = {}
    top = best if best is not None else max((h.dense for h in hits), default=0.0)
    floor = max(params.item_similarity, top - params.item_drop)
    for h in hits:
        r = h.record
        if h.dense < floor or docs.get(r.doc_id, 0) >= per_doc:
            continue
        if areas and not set(areas) & set(r.areas) and h.dense < params.off_area * top:
            continue
        key = (r.city or r.benchmark or r.id).lower()
        if one_per_city and key in cities:
            continue
        chosen.append(h)
        cities.add(key)
        docs[r.doc_id] = docs.get(r.doc_id, 0) + 1
        if len(chosen) >= most:
            break
    return chosen


def _title(r: Record) -> str:
    """The record's title when it names the practice (not 'Example from X', not a stray word)."""
    t = r.title.strip()
    if not t or len(t) > 90 or t.lower() == r.city.lower() or is_fallback_title(t, r.city):
        return ""
    if t.isupper():  # "VILNIUS: OPEN TO CULTURES" reads as shouting
        t = t.capitalize()
    if not t[:1].isupper() and not t[:1].isdigit():
        return ""
    if len(t.split()) == 1 and not (t[:1].isupper() and any(c.isupper() for c in t[1:])):
        return ""  # a single ordinary word ("Although") is a heading the reader guessed wrong
    return t


class Composer:
    """Turns selected hits into items with citations, then into the answer text."""

    def __init__(self, searcher: Searcher, query: str) -> None:
        self.searcher = searcher
        self.query = query
        self.citations = Citations(searcher.index.documents)
        self._qv: np.ndarray | None = None

    def focus(self, query: str) -> None:
        """Select sentences for another query from now on (citations keep their numbers)."""
        self.query, self._qv = query, None

    def qv(self) -> np.ndarray:
        if self._qv is None:
            self._qv = self.searcher.embedder.embed_batch([self.query])[0]
        return self._qv

    def items(self, records: Sequence[Record], most: int = 2) -> list[Item]:
        picked = best_sentences(self.query, [r.text for r in records], self.searcher.embedder, self.qv(), most,
                                cities=[r.city if r.kind == Kind.PRACTICE else "" for r in records])
        out = []
        for r, sents in zip(records, picked, strict=True):
            if r.kind == Kind.PRACTICE and any(flawed(s.text, r.city) for s in sents):
                continue  # nothing in the record says what this city does: advice, or another city
            texts = tuple(s.text for s in sents) or (r.text.strip(),)
            c = self.citations.cite(r, texts)
            title = _title(r) if r.kind == Kind.PRACTICE else (r.benchmark or r.section).split(":")[0]
            out.append(Item(c, place(r), title, r.city, texts))
        return out

    def detail(self, record: Record, most: int) -> Item:
        sents = split_sentences(record.text)
        if len(sents) > most:
            best = best_sentences(self.query, [record.text], self.searcher.embedder, self.qv(), most=1)[0]
            at = next((i for i, s in enumerate(sents) if best and s.start == best[0].start), 0)
            lo = max(0, min(at - most // 2, len(sents) - most))
            sents = sents[lo:lo + most]
        texts = tuple(s.text for s in sents) or (record.text.strip(),)
        c = self.citations.cite(record, texts)
        return Item(c, place(record), _title(record), record.city, texts)


def ask(searcher: Searcher, question: str, history: Sequence[Mapping[str, Any]] = (), area: str | None = None,
        params: AskParams = AskParams()) -> Answer:
    """Answer `question`, given the earlier turns (their `Answer.to_json()`, oldest first)."""
    q = check_question(question)
    history = clean_history(list(history))
    reading = read_question(q, history, index_facts(searcher).practice_cities)
    if reading.detail is not None:
        return _detail(searcher, q, reading, params)
    named = [a.slug for a in areas_named(reading.query)]
    areas = (resolve_area(area).slug,) if area else ()
    area_names = [a.name for a in AREAS if a.slug in (areas or named)]
    topic = _without_places(reading.query, reading) or reading.query
    composer = Composer(searcher, reading.query)
    # one embedding each for the question and its topic, however many searches follow
    topic_vec = composer.qv() if topic == reading.query else searcher.embedder.embed_batch([topic])[0]
    score, best = relevance(searcher, topic, topic_vec, params)
    if score < params.min_relevance:
        nearest = nearest_areas(searcher, topic_vec)
        text = render("answer.md.j2", found=False, question=q, topic=topic, reading=Reading(topic), nearest=nearest,
                      elsewhere=[], detail=None, others=[], practices=[], guide=[], area_names=[], n_docs=0,
                      own=[], own_city="")
        return Answer(q, reading, False, text, [], nearest_areas=[a.slug for a in nearest], topic=topic)
    practice_hits = search_question(searcher, reading.query, k=40, filters=Filters(
        areas=areas, kinds=(Kind.PRACTICE,), country=reading.country, city=reading.city), vector=composer.qv())
    n_practices, n_guide = params.practices, params.guide_questions
    if _ASKS_GUIDE.search(q):
        n_practices, n_guide = 3, 5
    practices = _select(practice_hits, n_practices, params, params.per_document, one_per_city=not reading.city,
                        best=best, areas=areas or named)
    guide: list[Hit] = []
    if _APPROACH.search(q) and not (reading.country or reading.city):
        guide_hits = search_question(searcher, reading.query, k=30, vector=composer.qv(),
                                     filters=Filters(areas=areas, kinds=(Kind.GUIDE_QUESTION,)))
        guide = _select(guide_hits, n_guide, params, n_guide, one_per_city=False)
    own_city, own = _own_city_findings(searcher, q, topic, composer)
    items = composer.items([h.record for h in practices])
    guide_items = composer.items([h.record for h in guide], most=1)
    elsewhere: list[str] = []
    if not items and not guide_items:
        others = search_question(searcher, topic, k=20, filters=Filters(areas=areas, kinds=(Kind.PRACTICE,)),
                                 vector=topic_vec)
        chosen = _select(others, 8, params, 8, True, best=best, areas=areas or named)
        elsewhere = list(dict.fromkeys(place(h.record) for h in chosen
                                       if h.record.country != reading.country and h.record.city != reading.city))
    found = bool(items or guide_items or own)
    text = render("answer.md.j2", found=found, question=q, topic=topic, reading=reading, nearest=[],
                  elsewhere=elsewhere, detail=None, others=[], practices=items, guide=guide_items,
                  own=own, own_city=own_city,
                  area_names=area_names, n_docs=len({i.citation.record.doc_id for i in items}))
    return Answer(q, reading, found, text, composer.citations.items, items, guide_items, [],
                  list(areas or named), topic)


def _own_city_findings(searcher: Searcher, question: str, topic: str,
                       composer: Composer) -> tuple[str, list[Item]]:
    """When a question names a report's own city ("What does Hämeenlinna do ..."): the report's findings
    about it on the topic, to show as findings before other cities' practices."""
    named = cities_in(question, index_facts(searcher).assessed_cities)
    if not named:
        return "", []
    city = named[0]
    hits = searcher.search(topic.replace(city, " "), k=30, filters=Filters(kinds=(Kind.FINDING,)))
    # the section's findings; the conclusions (✓/✗ lines) repeat them
    mine = [h.record for h in hits if h.record.about_city == city
            and h.record.title.lower() not in ("weakness", "strength")][:2]
    return city, composer.items(mine)


def _detail(searcher: Searcher, q: str, reading: Reading, params: AskParams) -> Answer:
    assert reading.detail is not None
    facts = index_facts(searcher)
    record = facts.by_id.get(str(reading.detail.get("record_id", "")))
    if record is None:  # the index changed since that answer: answer the question afresh
        return ask(searcher, q, (), params=params)
    composer = Composer(searcher, reading.query)
    item = composer.detail(record, params.detail_sentences)
    same_city = [r for r in facts.practices_of.get(record.city, ()) if r.id != record.id][:4]
    others = composer.items(same_city, most=1)
    text = render("answer.md.j2", found=True, question=q, topic=reading.query, reading=reading, nearest=[],
                  elsewhere=[], detail={"place": item.place, "title": item.title, "doc": record.doc_title,
                                        "sentences": item.sentences, "n": item.n, "city": record.city},
                  others=[{"title": _title(o.citation.record) or o.citation.record.section.split(" > ")[-1],
                           "sentences": o.sentences, "n": o.n} for o in others],
                  practices=[], guide=[], area_names=[], n_docs=1, own=[], own_city="")
    return Answer(q, reading, True, text, composer.citations.items, [item, *others], [], [], list(record.areas))
