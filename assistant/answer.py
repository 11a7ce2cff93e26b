"""Cited answers: "how do other cities handle X?" answered from Practice records of named cities.

Retrieval prefers Practice records (never a report's findings about its own city), keeps one practice per
city and at most a few per document, adds benchmark guide questions when the question is about how to
approach a topic, and composes with a Jinja2 template over sentences selected from each record. Every
sentence of an answer that is not template framing is a sentence of a cited record.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.citations import Citation, place
from assistant.compose import Composer, Item, render
from assistant.conversation import Reading, cities_in, clean_history, content_words, read_question
from assistant.facts import index_facts
from assistant.grading import (
    FOREIGN_GRADING,
    GENERIC,
    Grade,
    GradeParams,
    Signals,
    best_grade,
    grade_all,
    says_together,
    says_topic,
    topic_terms,
)
from assistant.i18n import N_, SOURCE, pick_language, translations
from assistant.inputs import BadInput
from assistant.questions import areas_named, intent, search_question
from corpus.areas import AREAS, Area, resolve_area
from corpus.places import cities_elsewhere, fold, is_place, without_place
from corpus.records import Kind
from index.backends import tokenize
from index.search import Filters, Hit, Searcher

MAX_QUESTION = 500
# "How should our city …", "How can we …": a city asking how to go about something (an approach question, and a
# frame of its topic)
_HOW_WE = (r"how (?:should|can|could|might|would|shall|do|does) (?:we|i|our (?:city|municipality|town|council)|one|"
           r"a (?:municipality|town))")
_APPROACH = re.compile(
    rf"\b({_HOW_WE}|how (should|can|could|might|would|do|does) (a|the) city|how to|where to (start|begin)|"
    r"first steps?|approach|guide questions?|questions? (to ask|should)|checklist|benchmarks?|self[- ]?assess\w*|"
    r"plan(ning)? for|what should)\b", re.I)
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
    detail_sentences: int = 40  # "tell me more": the record's sentences, up to this many
    most: int = 8  # practices shown at most; how many follows their grades
    # a question naming several cities of the documents gets an answer for each, the first this many of them
    # (each is an answer of its own: seven cities took two seconds); the others are named, to ask about apart
    most_cities: int = 4
    # a guide question or a report's recommendation added to an answer without a direct practice must
    # be at least this similar to the question
    extra_similarity: float = 0.45
    grading: GradeParams = field(default_factory=GradeParams)
    # a question that asks for a country ("Do Finnish cities run anti-rumour campaigns?", "and in Italy?") or a
    # city ("What does Malmö do to diversify its workforce?") shows that place's closest practice as related from
    # this p_related on when nothing else is shown: the officer asked what that place has. Of the 11 country
    # questions of the five English judged sets, only one showed nothing before (Tampere, p 0.37, judged
    # related); no other answer changes (README, "Short questions")
    country_fallback: float = 0.3
    foreign_grading: GradeParams = FOREIGN_GRADING  # a question in another language than English
    # A question in another language than English is read by the multilingual model alone. Its off-topic
    # threshold is on the same mean (best practice, best area) of e5 similarities: the 16 multilingual dev
    # questions score 0.789 and above, 15 translated off-topic questions 0.798 and below, 14 of them under
    # 0.785 (README, "Answers").
    min_relevance_ml: float = 0.785
    # The grading models were fitted on MiniLM signals of English questions. For another language each
    # signal is its expected value given the e5 similarity: least squares over the first 10 practice
    # candidates of the answers-dev and dev questions in English (r = 0.71, 0.64, 0.49).
    ml_to_dense: tuple[float, float] = (3.276, -2.288)
    ml_to_sentence: tuple[float, float] = (3.398, -2.352)
    ml_to_coverage: tuple[float, float] = (4.706, -3.597)


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
    match: str = "none"  # the best grade among the practices shown: "direct", "related" or "none"
    language: str = SOURCE  # the language of the framing (assistant/i18n.py); quotes stay English

    def to_json(self) -> dict[str, Any]:
        """`ask --json`: {"answer", "citations"} plus what a follow-up needs ("query", "country", ...), and the
        framing's "language"."""
        return {"question": self.question, "answer": self.text,
                "citations": [c.to_json() for c in self.citations], "found": self.found,
                "nearest_areas": self.nearest_areas, "areas": self.areas, "query": self.reading.query,
                "topic": self.topic or self.reading.query, "country": self.reading.country, "city": self.reading.city,
                "match": self.match, "language": self.language}


def check_question(question: str) -> str:
    q = " ".join(question.split())
    if not q:
        raise BadInput("Ask a question, for example: How do other cities handle media monitoring?")
    if len(q) > MAX_QUESTION:
        raise BadInput(f"The question is {len(q)} characters long; keep it under {MAX_QUESTION}.")
    return q


def nearest_areas(searcher: Searcher, vector: np.ndarray, n: int = 3) -> list[Area]:
    """The ICC areas whose descriptions are closest to a text's `vector`, to suggest when nothing is found."""
    sims = index_facts(searcher).area_vectors() @ vector
    return [AREAS[int(j)] for j in np.argsort(-sims)[:n]]


_THE_CITY = N_("the city")  # what stands in for a city that is the subject of a question's verb


def _without_places(searcher: Searcher, text: str, reading: Reading) -> tuple[str, str]:
    """The question without the place it names ("Which Finnish cities help …" → "Which cities help …"; "What
    does Tampere do for …" → "What does the city do for …"): its topic, the place being a filter; searched,
    then as the answer quotes it. In other languages a city that is the verb's subject gives way to the words
    for "the city" only where it is quoted ("Que fait Genève contre …" → "Que fait la ville contre …"):
    searched, those words would only add "city" to the English reading."""
    asked_in = pick_language(None, without_place(text, city=reading.city), known=searcher.words) \
        if reading.city else SOURCE
    shown = without_place(text, reading.country, reading.city, stand_in=translations(asked_in).gettext(_THE_CITY),
                          subject_after_any_word=asked_in != SOURCE)
    return (shown if asked_in == SOURCE else without_place(text, reading.country, reading.city)), shown


def _reads_english(searcher: Searcher, question: str) -> bool:
    """Whether the English signals read the question (else the multilingual model's stand in for them)."""
    return searcher.multilingual is None or not searcher.language(question).foreign


def _scaled(pair: tuple[float, float], value: float, top: float = 1.0) -> float:
    return min(top, max(0.0, pair[0] * value + pair[1]))


def english_similarity(english: bool, hit: Hit, params: AskParams) -> float:
    """The hit's similarity on the English model's scale: its own for a question the English signals read
    (`english`), the expected one given the multilingual similarity for a question in another language."""
    return hit.dense if english else _scaled(params.ml_to_dense, hit.dense_ml)


def relevance(searcher: Searcher, topic: str, vector: np.ndarray | None, params: AskParams,
              english: bool) -> tuple[float, float]:
    """How much the corpus has to say on `topic` (places removed; `vector` its embedding, made here when
    needed and not given), see
    AskParams.min_relevance; and the similarity of the best practice anywhere (a yardstick for
    practices of one place). For a question in another language (not `english`): the same on the
    multilingual model, shifted so that AskParams.min_relevance remains the threshold."""
    if not english:
        from assistant.questions import area_similarities

        if searcher.gibberish(topic):  # "asdf qwerty", "blah blah": e5 finds every text a little similar
            return -1.0, 0.0
        hits = searcher.search(topic, k=10, filters=Filters(kinds=(Kind.PRACTICE,)))
        best_ml = max((h.dense_ml for h in hits), default=0.0)
        areas = area_similarities(searcher, topic)
        score = 0.5 * best_ml + 0.5 * (float(areas.max()) if areas is not None else 0.0)
        return (score - params.min_relevance_ml + params.min_relevance,
                max((english_similarity(english, h, params) for h in hits), default=0.0))
    if vector is None:
        vector = searcher.embedder.embed_batch([topic])[0]
    hits = searcher.search(topic, k=10, filters=Filters(kinds=(Kind.PRACTICE,)), vector=vector)
    best = max((h.dense for h in hits), default=0.0)
    bonus = params.area_named_bonus if areas_named(topic) else 0.0
    return 0.5 * best + 0.5 * float((index_facts(searcher).area_vectors() @ vector).max()) + bonus, best


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


# "How do other cities handle X?" → "X": the topic a "nothing fits" sentence names
_FRAME = re.compile(
    r"^(and |so |but |ok,? )?(please )?("
    r"how (do|does|did|can|could|should|have|has|are) (other |some |any |european |different )?"
    r"(cities|municipalities|towns|local authorities|city councils|councils|a city|the city|cities and "
    r"municipalities)( in [A-Z][\w-]+)?( (go about|deal with|approach|handle|use|manage|run|do|work on|tackle))? |"
    rf"{_HOW_WE}( best)?( (go about|deal with|approach|handle|manage|tackle))? (?!and |or |with |together )|"
    r"how (best )?to |"
    r"what (do|does|did|are|have|has) (other |some )?(cities|municipalities|towns|the city|a city)( in [A-Z][\w-]+)? "
    r"(do|doing|done)( to| about| with| for| against| on| in)? |"
    r"(has|have|do|does|did) any (\w+ )?(city|cities|municipality|municipalities|town|towns|council|councils) |"
    r"(do|did) (other |some |many |european )?(cities|municipalities|towns|councils) (have|offer|run|use|provide|"
    r"organi[sz]e|hold|support|fund) |"
    r"which (\w+ )?(cities|municipalities|towns) (have|has|are|do|run|offer|use|hold|organi[sz]e) |"
    r"(are there |any |give me |show me |i need |we need |what are )?(some |any |the )?(good |best )?(examples?|"
    r"practices?) of |"
    r"are there (any )?(cities|municipalities|examples|practices) (that|where|with|which) |"
    r"are there (any |some )?(?=\w+ \w+))", re.I)


# the same frames in the other languages answers are framed in, where the verb is one that says nothing of the
# topic ("Comment les autres villes gèrent-elles la surveillance des médias ?" → "la surveillance des médias");
# a question with its own verb ("Comment les villes accueillent-elles …") is quoted whole
_CITIES = (r"(?:les |las |los |le |i |gli |die |d'|d’)?(?:autres |otras |otros |altre |andere )?"
           r"(?:villes|communes|municipalit[ée]s|collectivit[ée]s(?: locales)?|ciudades|municipios|ayuntamientos|"
           r"citt[àa]|comuni|amministrazioni|st[äa]dte|kommunen|gemeinden)")
_FRAMES_ELSEWHERE = [re.compile(p, re.I) for p in (
    rf"^(?:comment|de quelle (?:mani[èe]re|fa[çc]on)) {_CITIES} "
    r"(?:g[èe]rent|traitent|abordent|organisent)-(?:elles|ils) ",
    rf"^que font {_CITIES} (?:en mati[èe]re d[e'’] ?|concernant |au sujet d[e'’] ?)?",
    r"^(?:y a-t-il |existe-t-il )?(?:des |d'autres )?(?:exemples|pratiques) d[e'’] ?",
    rf"^c[óo]mo (?:gestionan|abordan|tratan|organizan|manejan) {_CITIES} ",
    rf"^qu[ée] hacen {_CITIES} (?:en materia de |con |sobre )?",
    r"^(?:hay )?(?:ejemplos|pr[áa]cticas) de ",
    rf"^come (?:gestiscono|affrontano|trattano|organizzano) {_CITIES} ",
    rf"^cosa fanno {_CITIES} (?:in materia di |su )?",
    r"^(?:ci sono )?(?:esempi|pratiche) di ",
    rf"^wie (?:handhaben|organisieren|regeln) {_CITIES} ",
    rf"^was (?:tun|machen|unternehmen) {_CITIES} (?:im bereich )?",
    r"^(?:gibt es )?beispiele (?:für|von) ")]
# a frame typed after the topic, as in a search box: "One-stop shop for newcomers examples"
_EXAMPLES_AFTER = re.compile(r"\s*[-–:,]?\s*\b(?:(?:(?:any|some|good|best) )*(?:examples?|ideas)|"
                             r"(?:(?:any|some) )?(?:good|best) practices?)$", re.I)
# ... and where, said after it: "Are there intercultural festivals in (Italian) cities?"
_IN_CITIES_AFTER = re.compile(r"\s+in (?:other |european |our |their )?(?:cities|municipalities|towns)$|"
                              r"\s+in (?:a|the) (?:city|municipality|town)$", re.I)
_GERMAN_HANDLE = re.compile(rf"^wie gehen {_CITIES} mit (.+?) um$", re.I)  # "Wie gehen Städte mit X um?" → "X"


def topic_phrase(question: str) -> str:
    """The question without its frame ("How do other cities handle media monitoring?" → "media monitoring"),
    in English or one of the other languages answers are framed in."""
    q = question.strip().rstrip("?.! ").lstrip("¿¡")  # "¿Cómo …?": Spanish opens a question too
    phrase = _FRAME.sub("", q, count=1).strip(" ,")
    for frame in _FRAMES_ELSEWHERE:
        if phrase != q:
            break
        phrase = frame.sub("", q, count=1).strip(" ,")
    if phrase == q and (m := _GERMAN_HANDLE.match(q)):
        phrase = m.group(1)
    phrase = _EXAMPLES_AFTER.sub("", phrase) or phrase  # "Peer mediation in schools examples"
    phrase = _IN_CITIES_AFTER.sub("", phrase) or phrase  # "Are there intercultural festivals in cities"
    return phrase if len(phrase.split()) >= 1 and phrase != q.strip() else q


def _has_words(text: str) -> bool:
    """Whether a question has anything to search for beyond stop words."""
    return bool(content_words(text)) or bool(areas_named(text))


def candidates(hits: Sequence[Hit], params: AskParams, one_per_city: bool, exclude: Set[str] = frozenset(),
               exclude_cities: Set[str] = frozenset()) -> list[Hit]:
    """The hits to grade: the first `pool` of them (one per city unless told otherwise), best first."""
    pool: list[Hit] = []
    cities: set[str] = set()
    for h in hits:
        r = h.record
        key = fold(r.city or r.id)
        if r.id in exclude or key in exclude_cities or (one_per_city and key in cities):
            continue
        pool.append(h)
        cities.add(key)
        if len(pool) >= params.grading.pool:
            break
    return pool


def signals_of(composer: Composer, question: str, pool: Sequence[Hit], params: AskParams,
               english: bool) -> list[Signals]:
    """The grading signals of each candidate (assistant/grading.py) for `question`: the English ones when
    they read it (`english`), else estimates of them."""
    if not pool:
        return []
    # the yardstick of `relative`: the best candidate that could be direct (a place's practice, not an
    # organisation's), so that a network's programme ranked first does not lower every city under it
    top = max((h.score for h in pool if is_place(h.record.city)), default=max(h.score for h in pool))
    vocab = index_facts(composer.searcher).vocabulary
    sims = composer.sentences([h.record for h in pool])
    phrase = topic_phrase(question)
    terms, together = topic_terms(phrase), topic_terms(phrase, most=5)
    out: list[Signals] = []
    for h, (sents, sim) in zip(pool, sims, strict=True):
        relative = min(1.0, h.score / top) if top > 0 else 0.0
        organisation = not is_place(h.record.city)
        if english:
            texts = [x.text for x in sents]
            out.append(Signals(h.dense, float(sim.max()) if len(sim) else 0.0, vocab.coverage(question, h.record),
                               relative, says_topic(terms, texts), organisation,
                               apart=not says_together(together, texts)))
        else:  # the English signals cannot read the question: each is the mean of two estimates, one on its
            # English reading (composer.query; h.dense is the reading's similarity), one given the e5 similarity
            e5 = h.dense_ml
            out.append(Signals((h.dense + _scaled(params.ml_to_dense, e5)) / 2,
                               ((float(sim.max()) if len(sim) else 0.0) + _scaled(params.ml_to_sentence, e5)) / 2,
                               (vocab.coverage(composer.query, h.record) + _scaled(params.ml_to_coverage, e5)) / 2,
                               relative, organisation=organisation))
    return out


# what grading saw of a question: its candidates, their signals, and whether direct was allowed
Observer = Callable[[Sequence[Hit], Sequence[Signals], bool], None]


def _graded(composer: Composer, question: str, hits: Sequence[Hit], params: AskParams, one_per_city: bool,
            direct_allowed: bool, english: bool, exclude: Set[str] = frozenset(),
            exclude_cities: Set[str] = frozenset(), observe: Observer | None = None) -> list[tuple[Hit, Grade]]:
    """The candidates, each graded (by the English grading when `english`, else by the foreign one); off-topic
    ones dropped; direct ones first."""
    pool = candidates(hits, params, one_per_city, exclude, exclude_cities)
    signals = signals_of(composer, question, pool, params, english)
    if observe is not None:
        observe(pool, signals, direct_allowed)
    grading = params.grading if english else params.foreign_grading
    grades = grade_all(signals, grading, direct_allowed)
    out: list[tuple[Hit, Grade]] = [(h, g) for h, (g, _, _) in zip(pool, grades, strict=True) if g != Grade.NONE]
    out.sort(key=lambda t: 0 if t[1] == Grade.DIRECT else 1)  # stable: by score within each grade
    return out[: params.most]


def _listing(q: str, reading: Reading, lang: str, direct: Sequence[Item], **context: Any) -> str:
    """The template's answer that lists practices (mode "answer"): what `context` does not give is empty; the
    documents counted are those of the `direct` practices."""
    parts: dict[str, Any] = dict(where="", topic="", related=[], earlier=[], earlier_count=0, guide=[],
                                 recommendation=[], own=[], own_city="", elsewhere=[], area_names=[],
                                 approach=False, overview=False)
    return render("answer.md.j2", mode="answer", lang=lang, question=q, reading=reading, direct=direct,
                  n_docs=len({i.citation.record.doc_id for i in direct}), **{**parts, **context})


def _plain(q: str, reading: Reading, lang: str, mode: str, **context: Any) -> Answer:
    """An answer that cites nothing: one of the template's messages (`mode`)."""
    text = render("answer.md.j2", mode=mode, lang=lang, question=q, **context)
    return Answer(q, reading, False, text, [], language=lang)


def ask(searcher: Searcher, question: str, history: Sequence[Mapping[str, Any]] = (), area: str | None = None,
        params: AskParams = AskParams(), lang: str | None = None, observe: Observer | None = None) -> Answer:
    """Answer `question`, given the earlier turns (their `Answer.to_json()`, oldest first); framed in `lang`
    when it is a supported language, else in the question's own (assistant/i18n.py, pick_language).
    `observe` sees what the grading of its practices saw (assistant/evaluation/calibration.py)."""
    return _answer(searcher, check_question(question), history, area, params, lang, observe)


def _answer(searcher: Searcher, q: str, history: Sequence[Mapping[str, Any]], area: str | None, params: AskParams,
            lang: str | None, observe: Observer | None, about_others: bool = False,
            also_asked: Sequence[str] = ()) -> Answer:
    """`ask` of a checked question; `about_others`: the question about other cities than those the documents
    lack, asked by the answer that says so; `also_asked`: the other cities of a question that names several,
    answered beside this one (not named again as where practices on the topic come from)."""
    history = clean_history(list(history))
    facts = index_facts(searcher)
    reading = read_question(q, history, facts.practice_cities)
    # "What does Schwäbisch Gmünd do?" is English, whatever the name; "et en Italie ?" goes on in the French of
    # the answer before
    language = pick_language(lang, without_place(q, city=reading.city) if reading.city else q, known=searcher.words,
                             previous=history[-1]["language"] if reading.follow_up and history else "")
    if reading.orphan:
        return _plain(q, reading, language, "orphan")
    if reading.detail is not None:
        return _detail(searcher, q, reading, params, language)
    if reading.beyond is not None:
        wanted, count, what = reading.beyond
        return _plain(q, reading, language, "beyond", wanted=wanted, count=count, what=what)
    if not _has_words(reading.query) and not (reading.city or reading.country):
        return _plain(q, reading, language, "no_words")
    if not (reading.city or reading.country) and searcher.gibberish(reading.query):
        # "xqzv blorft wuppl" is in no language: said so in the one chosen, or English (its letters had read
        # as German), rather than sent to the nearest policy areas
        return _plain(q, reading, pick_language(lang), "no_words")
    several = [] if about_others or not reading.city or reading.follow_up else \
        [c for c in cities_in(reading.query, facts.practice_cities) if c != reading.city]
    # (German capitalises every noun: "die Lage von Geflüchteten" is no Lage; only the gazetteer's names count)
    unknown = [] if about_others or reading.country or reading.earlier else cities_elsewhere(
        q, facts.known_places, facts.lower_words, curated_only=searcher.language(q).code == "de")
    if unknown:  # "The documents have no practice from Lyon (France)."
        places = [f"{city} ({country})" if country else city for _, city, country in unknown]
        note = render("answer.md.j2", mode="elsewhere", lang=language, question=q, places=places, more=False)
    if several or (unknown and reading.city):
        # "How do Barcelona and Rotterdam fight rumours?": each city's answer, one after the other; "What do Tampere
        # and Lyon do for newcomers?": Tampere's, after saying that Lyon has none. Each is asked about its city
        # alone, as a question of its own (about_others: no further places read in it)
        rest = q
        for written, _, _ in unknown:
            rest = without_place(rest, city=written)
        named = [reading.city, *several]
        cities, left = named[: params.most_cities], named[params.most_cities:]
        answers = [_answer(searcher, _only_city(rest, city, named), history, area, params, language, observe,
                           about_others=True, also_asked=[c for c in cities if c != city]) for city in cities]
        # a city its question could not be cut down to ("Barcelona/Rotterdam") is not answered twice
        answers = [a for a, city in zip(answers, cities, strict=True) if a.reading.city == city] or answers[:1]
        theirs = _merged(q, answers) if len(answers) > 1 else answers[0]
        theirs.question = q
        notes = [note.rstrip()] if unknown else []
        if left:  # "The question names 6 cities: here are the first 4; ask about Oslo and Zurich on their own."
            notes.append(render("answer.md.j2", mode="many_places", lang=language, question=q,
                                count=len(cities), places=left).rstrip())
        if notes:
            theirs.text = "\n\n".join([*notes, theirs.text])
        return theirs
    if unknown:
        # "How does Lyon fight discrimination?": a city the documents do not have is said so, then what other
        # cities do (without it, the answer would look like Lyon's); a follow-up ("And in Lyon?") gets only that
        other_cities = _other_cities(q, [written for written, _, _ in unknown], _reads_english(searcher, q))
        fresh = None if reading.follow_up or not _has_words(other_cities) or not _names_a_topic(other_cities) \
            else _answer(searcher, other_cities, (), area, params, language, observe, about_others=True)
        if fresh is None or not fresh.found:  # nothing on it elsewhere either: that alone (a follow-up reads
            # its topic: "and in Germany?" after "What does Vienna do?")
            return Answer(q, reading, False, note, [], topic=other_cities, language=language)
        more = render("answer.md.j2", mode="elsewhere", lang=language, question=q, places=[], more=True)
        lead = f"{note.rstrip()} {more.strip()}" if fresh.practices else note.rstrip()
        fresh.question, fresh.text = q, f"{lead}\n\n{fresh.text}"
        return fresh
    named = [a.slug for a in areas_named(reading.query)]
    areas = (resolve_area(area).slug,) if area else ()
    area_names = [a.name for a in AREAS if a.slug in (areas or named)]
    searched, shown = _without_places(searcher, reading.query, reading)
    topic = searched or reading.query
    # the city a report assesses is no filter (its findings come first, then other cities' practices), nor
    # part of the topic: "What does Hämeenlinna do for sport and culture?" is about "sport and culture"
    own_named = cities_in(reading.query, facts.assessed_cities)
    if own_named and _names_a_topic(mine := without_place(topic, city=own_named[0], stand_in="the city")):
        topic = mine
    elif own_named and not (reading.city or reading.country or areas):  # "What does Hämeenlinna do?": every area
        return _plain(q, reading, language, "own_general", city=own_named[0], areas=AREAS)
    for text in dict.fromkeys((topic, reading.query)):  # the multilingual model's while the English one runs
        searcher.embed_ahead(text)
    # decided once, on the whole question: a topic without its place ("Integrationsrat in Deutschland?" →
    # "Integrationsrat") may be too short to tell
    english = _reads_english(searcher, reading.query)
    where = reading.city or reading.country
    if not _names_a_topic(topic) and (where or not (areas or reading.earlier)):
        # "What does Tampere do?", "What do Australian cities do for migrants?": every practice of the place (and
        # of the area chosen) answers it; without a place or an area ("migrants"), nothing can be chosen
        return _overview(searcher, q, reading, topic, areas, params, language) if where else _plain(
            q, reading, language, "general", areas=AREAS)
    # practices are searched, graded and quoted for the topic, the question without the place it names (a
    # filter): "Spanish municipalities" in the question would make every Spanish practice look close; sentences
    # are chosen (and graded) by their similarity to it, or to its English reading
    composer = Composer(searcher, topic if english else searcher.reading(topic) or topic)
    # one embedding of the topic, however many searches follow
    topic_vec = composer.qv() if english else searcher.embedder.embed_batch([topic])[0]
    score, _ = relevance(searcher, topic, topic_vec, params, english)
    # a place that filters: on the topic both without and with it ("Meilleurs restaurants en France")
    if where and topic != reading.query:
        score = min(score, relevance(searcher, reading.query, None, params, english)[0])
    if score < params.min_relevance:
        nearest = nearest_areas(searcher, topic_vec)
        text = render("answer.md.j2", mode="off_topic", lang=language, question=q, nearest=nearest)
        return Answer(q, reading, False, text, [], nearest_areas=[a.slug for a in nearest], topic=topic,
                      language=language)
    approach = bool(_APPROACH.search(q)) or intent(q) == "guide"

    earlier = _earlier_items(composer, reading)
    earlier_count = len(reading.earlier)

    # "and for young people?" after "How do cities welcome newcomers?": a practice that never says so answers the
    # earlier question, not this one (in English: the documents' words); the candidates are those that do, among
    # more hits
    narrowed = bool(reading.narrowing) and pick_language(None, q, known=searcher.words) == SOURCE
    practice_hits = search_question(searcher, topic, k=120 if narrowed else 40, vector=topic_vec, filters=Filters(
        areas=areas, kinds=(Kind.PRACTICE,), country=reading.country, city=reading.city))
    if narrowed:
        practice_hits = [h for h in practice_hits if facts.vocabulary.holds_some(reading.narrowing, h.record)][:40]
        composer.must = reading.narrowing
    # "and in Italy?" after an answer on festivals: the officer asks what that country (or city) has, so its
    # closest practice is shown, as related, rather than nothing (only English questions: the foreign grading has
    # its own) (the practices of the place only: what other places have is said on the usual grading, below)
    own_place = params
    if (reading.country or reading.city) and english and params.grading.fallback is None and not reading.earlier:
        own_place = dataclasses.replace(params, grading=dataclasses.replace(params.grading,
                                                                             fallback=params.country_fallback))
    graded = _graded(composer, topic, practice_hits, own_place, one_per_city=not reading.city,
                     direct_allowed=not approach, english=english, exclude={c["record_id"] for c in reading.earlier},
                     exclude_cities={fold(i.city) for i in earlier}, observe=observe)
    items = composer.items([h.record for h, _ in graded], grades=[g.value for _, g in graded])
    match = best_grade([Grade(i.grade) for i in (*earlier, *items) if i.grade])
    direct = [i for i in items if i.grade == Grade.DIRECT]
    related = [i for i in items if i.grade != Grade.DIRECT]

    guide: list[Item] = []
    recommendation: list[Item] = []

    def beside(h: Hit) -> bool:
        """Whether a recommendation or guide question is close enough to show beside the practices: similar,
        and sharing a distinctive word with the question ("sports clubs" is not answered by the media
        recommendation, similar as both are about involving migrants)."""
        return (english_similarity(english, h, params) >= params.extra_similarity
                and facts.vocabulary.coverage(composer.query, h.record) > 0)

    # numbered in reading order: the report's recommendation is shown before the guide questions
    if not where and match != Grade.DIRECT:
        rec_hits = [h for h in searcher.search(topic, k=5, filters=Filters(areas=areas, kinds=(Kind.RECOMMENDATION,)),
                                               vector=topic_vec) if beside(h)]
        recommendation = [composer.without_label(i) for i in composer.items([h.record for h in rec_hits[:1]], most=2)]
    if not where and (approach or match != Grade.DIRECT):
        asks_guide = bool(_ASKS_GUIDE.search(q))
        n_guide = 5 if asks_guide else params.guide_questions
        guide_hits = [h for h in search_question(searcher, topic, k=30, vector=topic_vec, filters=Filters(
            areas=areas, kinds=(Kind.GUIDE_QUESTION,))) if approach or beside(h)]
        chosen = _select(guide_hits, n_guide, params, n_guide, one_per_city=False)
        # an approach question gets the closest guide questions, unless none of them is on its topic ("How should
        # our city set property tax rates?": three guide questions on planning would pass for an answer) and it did
        # not ask for guide questions
        if asks_guide or any(beside(h) for h in chosen):
            guide = composer.items([h.record for h in chosen], most=1)
    own_city, own = _own_city_findings(searcher, q, topic, composer)

    elsewhere: list[str] = []
    # not the place asked about, nor the others of "What do Tampere and Barcelona do …?" (their answers follow)
    asked = {fold(c) for c in (reading.city, *also_asked) if c}
    if where and not direct and not earlier:  # (beside the related ones: what fits elsewhere)
        others = search_question(searcher, topic, k=20, filters=Filters(areas=areas, kinds=(Kind.PRACTICE,)),
                                 vector=topic_vec)
        elsewhere = list(dict.fromkeys(place(h.record) for h, _ in _graded(
            composer, topic, others, params, True, True, english, exclude_cities=asked)
            if fold(h.record.country) != fold(reading.country) or not reading.country))
    found = bool(items or earlier or guide or own or recommendation)
    quoted_topic = shown if topic == searched else topic  # (the report's own city taken out too: the topic)
    text = _listing(q, reading, language, direct, where=where, topic=topic_phrase(quoted_topic), related=related,
                    earlier=earlier, earlier_count=earlier_count, guide=guide, recommendation=recommendation,
                    own=own, own_city=own_city, elsewhere=elsewhere, area_names=area_names, approach=approach)
    text, citations = composer.citations.in_reading_order(text)
    return Answer(q, reading, found, text, citations, [*earlier, *items], guide, [],
                  list(areas or named), topic, match.value, language)


def _only_city(question: str, city: str, named: Sequence[str]) -> str:
    """The question about one of the cities it names: the others taken out ("How do Barcelona and Rotterdam fight
    rumours?" → "How do Barcelona fight rumours?")."""
    for other in named:
        if other != city:
            question = without_place(question, city=other)
    return question


_CITED = re.compile(r"\[(\d+)\]")


def _merged(question: str, answers: Sequence[Answer]) -> Answer:
    """Answers to the same question about several places, one after the other, their sources numbered on."""
    first = answers[0]
    texts: list[str] = []
    citations: list[Citation] = []
    practices: list[Item] = []
    for a in answers:
        offset = len(citations)

        def renumbered(m: re.Match[str], k: int = offset) -> str:
            return f"[{int(m.group(1)) + k}]"

        texts.append(_CITED.sub(renumbered, a.text).strip())
        citations += [dataclasses.replace(c, n=c.n + offset) for c in a.citations]
        practices += [dataclasses.replace(i, citation=dataclasses.replace(i.citation, n=i.citation.n + offset))
                      for i in a.practices]
    match = best_grade([Grade(a.match) for a in answers])
    return Answer(question, first.reading, any(a.found for a in answers), "\n\n".join(texts) + "\n", citations,
                  practices, [], [], sorted({x for a in answers for x in a.areas}), first.topic, match.value,
                  first.language)


_PLURAL = {"does": "do", "has": "have", "is": "are", "was": "were"}


def _other_cities(question: str, names: Sequence[str], english: bool) -> str:
    """The question about other cities than those it `names` ("How does Lyon welcome …" → "How do other
    cities welcome …"): what the documents can answer when they have none of them. In another language the
    names are left out ("Que fait Lyon pour …" → "Que fait pour …")."""
    if not english:
        for name in names:
            question = without_place(question, city=name)
        return question
    one = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    run = rf"\b(?:{one})(?:['’]s)?(?:\s*(?:,|and|or|&)\s*(?:{one})(?:['’]s)?)*\b"
    text = re.sub(rf"\b(does|has|is|was)(\s+)(?={run})", lambda m: _PLURAL[m.group(1).lower()] + m.group(2),
                  question, flags=re.I)
    return re.sub(run, "other cities", text)


# words that name no topic once the question's frame is gone: "What does Tampere do?", "What do cities do for
# migrants?", "Que fait Tampere ?", "integration" (GENERIC and the programme's own words: what every practice is
# about; content_words leaves out the function words of the five framing languages)
_NO_TOPIC = GENERIC | frozenset(tokenize("do does did doing done city cities town towns about integration diversity "
                                         "inclusion intercultural interculturalism compare comparison versus vs"))
_NO_TOPIC_ELSEWHERE = frozenset(
    "fait font faire fa fanno fare hace hacen hacer macht machen tut tun cosa was wie come comment como "
    "migranten migranti migrantes immigres immigrants gemeinde gemeinden comuni municipios communes".split())


def _names_a_topic(topic: str) -> bool:
    """Whether a question without its place asks about something ("media monitoring"), not about whatever a
    place does ("What does the city do?", "Que fait ?")."""
    return any(w not in _NO_TOPIC_ELSEWHERE and not set(tokenize(w)) <= _NO_TOPIC
               for w in content_words(topic_phrase(topic)))


def _earlier_items(composer: Composer, reading: Reading) -> list[Item]:
    """"Which of them are in Spain?": the practices of the previous answer from the place asked for, first."""
    if not reading.earlier:
        return []
    facts = index_facts(composer.searcher)
    known = [facts.by_id[c["record_id"]] for c in reading.earlier if c.get("record_id") in facts.by_id]
    inside = [r for r in known if (reading.country and fold(r.country) == fold(reading.country))
              or (reading.city and fold(r.city) == fold(reading.city))]
    grades = [str(c.get("grade") or "related") for c in reading.earlier if c.get("record_id") in
              {r.id for r in inside}]
    return composer.items(inside, grades=grades)


def _overview(searcher: Searcher, q: str, reading: Reading, topic: str, areas: tuple[str, ...],
              params: AskParams, lang: str) -> Answer:
    """The practices of the place a question names when it asks what the place does, no topic given (of
    `areas` when chosen): each one does what was asked (a country's: one per city, best first). Its `topic`
    (the question without its place) is what a follow-up reads: "and in Germany?" lists Germany's."""
    hits = search_question(searcher, reading.query, k=40, filters=Filters(
        areas=areas, kinds=(Kind.PRACTICE,), country=reading.country, city=reading.city))
    composer = Composer(searcher, reading.query)
    earlier = _earlier_items(composer, reading)  # after "What does Tampere do?": "which of them are in Finland?"
    pool = candidates(hits, params, one_per_city=not reading.city, exclude={c["record_id"] for c in reading.earlier},
                      exclude_cities={fold(i.city) for i in earlier})[: params.most]
    items = composer.items([h.record for h in pool], grades=[Grade.DIRECT.value] * len(pool))
    text = _listing(q, reading, lang, items, where=reading.city or reading.country, earlier=earlier,
                    earlier_count=len(reading.earlier), area_names=[a.name for a in AREAS if a.slug in areas],
                    overview=True)
    text, citations = composer.citations.in_reading_order(text)
    return Answer(q, reading, bool(items or earlier), text, citations, [*earlier, *items], [], [], list(areas), topic,
                  best_grade([Grade(i.grade) for i in (*earlier, *items) if i.grade]).value, lang)


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


def _detail(searcher: Searcher, q: str, reading: Reading, params: AskParams, lang: str) -> Answer:
    assert reading.detail is not None
    facts = index_facts(searcher)
    record = facts.by_id.get(str(reading.detail.get("record_id", "")))
    if record is None:  # the index changed since that answer: say so, then answer the topic afresh
        fresh = ask(searcher, reading.query or q, (), params=params, lang=lang) if _has_words(reading.query) else None
        if fresh is None or not fresh.found:
            return _plain(q, reading, lang, "reindexed", again=False)
        note = render("answer.md.j2", mode="reindexed", lang=lang, question=fresh.question, again=True)
        fresh.text = f"{note}\n{fresh.text}"
        return fresh
    composer = Composer(searcher, reading.query)
    grade_ = str(reading.detail.get("grade") or "")
    item = composer.detail(record, params.detail_sentences, grade_)
    text = render("answer.md.j2", mode="detail", lang=lang, question=q,
                  detail={"place": item.place, "title": item.title, "doc": record.doc_title,
                          "sentences": item.sentences, "n": item.n, "city": record.city})
    match = grade_ if grade_ in (Grade.DIRECT, Grade.RELATED) else Grade.RELATED.value
    return Answer(q, reading, True, text, composer.citations.items, [item], [], [], list(record.areas),
                  reading.query, match, lang)
