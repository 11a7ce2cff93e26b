"""Draft recommendation sections for the weak areas of a city profile, every statement cited.

Per area (the weakest first, or the ones chosen):
- what the report found, sorted: its gaps first (the ✗ line of the conclusions and the section's negative
  findings), then what the city already does in the area; each sentence once, none about the index itself;
- practices of *other* cities that show how, graded as answers are (assistant/grading.py): each practice is
  graded against the topics the area covers (its description in corpus/areas.py) and the gaps the report
  names, as if each were a question; direct ones first, related ones only to make up three, off-topic ones
  never; one practice per city, only cities (not organisations' statements), never the city's own, and only
  when a sentence of the practice says what it did;
- guide questions of the benchmark sections mapped to the area;
- a recommendation paragraph (templates/recommendation.md.j2) that turns each gap into an action in the
  report's own terms and names, for each, the practices that show how, quoting what they did (the wording
  of actions and quotes: assistant/wording.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.citations import Citation, place
from assistant.compose import Composer, Item, render, title_of
from assistant.facts import index_facts
from assistant.grading import FIRST_GRADING, Grade, GradeParams, Signals, grade
from assistant.inputs import BadInput
from assistant.profile import CityProfile, WeakArea, WeakRule, num, pct
from assistant.profile_io import ProfileFile, read_profile_file
from assistant.sentences import best_sentences, embedded, trimmed, unusable
from assistant.wording import clause, says_what_it_does, verb_phrase
from corpus.areas import BY_SLUG, SLUGS, Area
from corpus.places import fold, is_place, slug
from corpus.records import Document, Kind, Record
from corpus.sentences import Sentence, policy_statement
from index.search import Filters, Hit, Searcher


@dataclass(frozen=True, slots=True)
class DraftParams:
    areas: int = 5  # weak areas drafted, weakest first
    suggestions: int = 4  # practices of other cities per area, at most
    fill: int = 3  # related practices are added only to make up this many
    guide_questions: int = 4
    gaps: int = 4  # gap sentences of the report per area
    strengths: int = 2  # sentences on what the city already does
    actions: int = 3  # gaps turned into actions in the paragraph
    pool: int = 10  # candidates graded per topic (distinct cities, best first)
    # a practice illustrates an action when its quoted sentence is at least this similar to the action
    action_similarity: float = 0.3
    grading: GradeParams = FIRST_GRADING


class DraftError(BadInput):
    """A draft that cannot be made as asked (no weak area, an area the profile lacks): a message to show."""


@dataclass(frozen=True, slots=True)
class Practice:
    """A suggested practice: its cited item, its grade and the clause the paragraph quotes from it."""

    item: Item
    grade: str  # "direct" or "related"
    clause: str  # a piece of its action sentence, quoted in the paragraph


@dataclass(frozen=True, slots=True)
class Action:
    """A gap the report names, as something to do ("monitor how local media portray ..."), with the
    finding that names it and the practices that show how."""

    verb_phrase: str  # the report's own words after "does not"
    finding: Item
    practices: tuple[Practice, ...]


@dataclass
class AreaDraft:
    weak: WeakArea
    gaps: list[Item]  # the report's ✗ line and negative findings
    strengths: list[Item]  # what the city already does in the area
    suggestions: list[Item]
    guide_questions: list[Item]
    recommendation: Item | None  # the report's own recommendation for the area, if any
    text: str  # the composed recommendation paragraph, with citation markers
    practices: list[Practice] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def findings(self) -> list[Item]:
        return [*self.gaps, *self.strengths]

    @property
    def benchmarks(self) -> list[str]:
        """The benchmarks whose questions are listed, in order."""
        return list(dict.fromkeys(g.title for g in self.guide_questions if g.title))

    def to_json(self) -> dict[str, Any]:
        grades = {p.item.citation.record.id: p.grade for p in self.practices}

        def finding(i: Item, kind: str) -> dict[str, Any]:
            return {"text": i.quoted, "kind": kind, "citation": i.citation.ref()}

        return {
            "slug": self.weak.slug, "name": self.weak.name, "city_rate": self.weak.city,
            "sample_rate": self.weak.sample, "reason": self.weak.reason,
            "findings": [finding(i, "gap") for i in self.gaps] + [finding(i, "strength") for i in self.strengths],
            "suggestions": [{"city": i.city, "country": i.citation.record.country, "title": i.title,
                             "text": i.quoted, "grade": grades.get(i.citation.record.id, ""),
                             "citation": i.citation.ref()} for i in self.suggestions],
            "guide_questions": [{"text": i.quoted, "benchmark": i.title, "citation": i.citation.ref()}
                                for i in self.guide_questions],
            "report_recommendation": ({"text": self.recommendation.quoted,
                                       "citation": self.recommendation.citation.ref()}
                                      if self.recommendation else None),
            "actions": [{"action": a.verb_phrase, "finding": a.finding.n,
                         "practices": [p.item.n for p in a.practices]} for a in self.actions],
            "text": self.text,
        }


@dataclass
class Draft:
    profile: CityProfile
    rule: WeakRule
    areas: list[AreaDraft]
    citations: list[Citation] = field(default_factory=list)
    chosen: bool = False  # the areas were chosen by the user, not the weakest n

    @property
    def city(self) -> str:
        return self.profile.city

    @property
    def left_out(self) -> list[WeakArea]:
        """Weak areas of the profile that the draft does not cover."""
        drafted = {a.weak.slug for a in self.areas}
        return [w for w in self.profile.weak_areas(self.rule) if w.slug not in drafted]

    def file_stem(self) -> str:
        """'icc-draft-hameenlinna': the name a downloaded or written draft gets."""
        return f"icc-draft-{slug(self.city, 40) or 'city'}"

    def to_json(self) -> dict[str, Any]:
        """The `draft --format json` contract of ARCHITECTURE.md, plus the numbered sources."""
        return {"city": self.city, "year": self.profile.year, "source": self.profile.source,
                "areas": [a.to_json() for a in self.areas],
                "left_out": [w.slug for w in self.left_out],
                "sources": [c.to_json() for c in self.citations]}


def report_records(report: ProfileFile, searcher: Searcher) -> tuple[list[Record], dict[str, Document]]:
    """The records of an ICC report read with its profile (`read_profile_file(path, records=True)`). When
    the index holds the same document, its records are used, so citations open in the source reader."""
    doc = report.document
    if doc is None:  # rates: no report to cite
        return [], {}
    for known in searcher.index.documents.values():
        if known.fingerprint and known.fingerprint == doc.fingerprint:
            return [r for r in searcher.records if r.doc_id == known.doc_id], {}
    return list(report.records), {doc.doc_id: doc}


def draft_from_file(searcher: Searcher, path: Path, params: DraftParams = DraftParams(),
                    rule: WeakRule | None = None, areas: Sequence[str] = ()) -> Draft:
    """The draft for a profile file: an ICC report (whose own findings are then cited) or JSON/CSV rates,
    read once. Raises ProfileError or DocumentError for a file that is not a usable profile, DraftError
    when there is nothing to draft or an area chosen is not in the profile."""
    read = read_profile_file(path, records=True)
    report, documents = report_records(read, searcher)
    return draft(searcher, read.profile, params, rule, report, documents, areas=areas)


def closest_to_sample(profile: CityProfile, n: int = 3) -> list[str]:
    """Names of the areas where the city leads the sample least (or has the lowest rate), to offer when
    no area is weak."""
    rated = [s for s in profile.scores if s.city is not None]
    rated.sort(key=lambda s: (s.city or 0.0) - (s.sample if s.sample is not None else 50.0))
    return [s.slug for s in rated[:n]]


def chosen_areas(profile: CityProfile, rule: WeakRule, areas: Sequence[str] = (), limit: int = 5) -> list[WeakArea]:
    """The areas to draft: the ones asked for (any area the profile rates, weak or not), else the `limit`
    weakest. DraftError, with what to do, when an area is unknown or unrated, or nothing is weak."""
    weak = profile.weak_areas(rule)
    if not areas:
        if not weak:
            near = ", ".join(f"{BY_SLUG[s].name} ({s})" for s in closest_to_sample(profile))
            raise DraftError(
                "the profile has no weak area (none trails the sample or falls clearly below half of the "
                f"points), so there is nothing to draft. The areas closest to the sample are {near}: choose "
                "one or more of them to draft (--area SLUG)." if near else
                "the profile has no area with a rate, so there is nothing to draft.")
        return weak[:limit]
    by_slug = {w.slug: w for w in weak}
    out: list[WeakArea] = []
    for value in areas:
        area = BY_SLUG.get(value) or next((a for a in BY_SLUG.values() if fold(a.name) == fold(value)), None)
        if area is None:
            raise DraftError(f"unknown area {value!r}; the areas are: {', '.join(SLUGS)}")
        score = profile.score(area.slug)
        if score is None or score.city is None:
            rated = ", ".join(s.slug for s in profile.scores if s.city is not None) or "none"
            raise DraftError(f"the profile has no rate for {area.name} ({area.slug}), so it cannot be drafted; "
                             f"the areas it rates are: {rated}")
        if area.slug in {w.slug for w in out}:
            continue
        w = by_slug.get(area.slug)
        if w is None:  # chosen although not weak: say where it stands
            lead = "" if score.sample is None else \
                f" against a sample of {pct(score.sample)}" + (
                    f": {num(abs(score.city - score.sample))} points above" if score.city > score.sample else
                    f": {num(score.sample - score.city)} points below" if score.city < score.sample else ", level")
            w = WeakArea(area.slug, area.name, score.city, score.sample, score.gap, 0.0,
                         f"{pct(score.city)}{lead}; not among the weak areas, drafted as chosen")
        out.append(w)
    return out


def _city_records(searcher: Searcher, city: str, extra: Sequence[Record]) -> list[Record]:
    """Findings and recommendations about `city`, from the given report records or else the index."""
    wanted = (Kind.FINDING, Kind.RECOMMENDATION)
    own = [r for r in extra if r.kind in wanted]
    if own:
        return own
    if not city:
        return []
    return [r for r in searcher.records if r.kind in wanted and fold(r.about_city) == fold(city)]


def _area_query(weak: WeakArea, weakness: str) -> str:
    area = BY_SLUG[weak.slug]
    return " ".join(x for x in (f"{area.name}: {area.description}", weakness) if x)


def topics(area: Area) -> list[str]:
    """What an area covers, as short topics to grade practices against: the items its description lists
    ("Media and communication: monitoring how media portray minorities", ...)."""
    head, _, tail = area.description.partition(":")
    items = [x.strip(" .") for x in re.split(r",\s*(?:and\s+)?|;\s*", tail or head) if len(x.strip(" .")) > 3]
    return [f"{area.name}: {x}" for x in items] or [f"{area.name}: {area.description}"]


def draft(searcher: Searcher, profile: CityProfile, params: DraftParams = DraftParams(),
          rule: WeakRule | None = None, report: Sequence[Record] = (),
          documents: Mapping[str, Document] | None = None, limit: int | None = None,
          areas: Sequence[str] = ()) -> Draft:
    """Recommendation sections for the chosen `areas` of `profile`, or its `limit` (else `params.areas`)
    weakest. `report` may carry the records of the profile's own report (read from an uploaded file);
    otherwise the index's records about the profile's city are used for the findings, if there are any.
    Raises DraftError when there is nothing to draft or an area chosen is not in the profile."""
    rule = rule or WeakRule()
    docs = dict(searcher.index.documents)
    docs.update(documents or {})
    own = _city_records(searcher, profile.city, report)
    chosen = chosen_areas(profile, rule, areas, limit or params.areas)
    composer = Composer(searcher, profile.city)
    composer.citations.documents = docs
    sections = [_area(searcher, composer, profile, w, own, params, n) for n, w in enumerate(chosen)]
    return Draft(profile, rule, sections, composer.citations.items, chosen=bool(areas))


# --- what the report found ------------------------------------------------------------------------------

# a sentence that says what the city lacks or does not do
_GAP = re.compile(r"\b(does not|doesn't|do not|don't|did not|has not|have not|has no|have no|there is no|there are "
                  r"no|lacks?|lack of|lacking|absence of|not yet|nor|no longer|is not|are not|isn't|aren't|"
                  r"need for|needs to|room for improvement|limited|insufficient)\b", re.I)
_RATE = re.compile(r"\b(achieved? (a|an) (achievement )?rate|achievement rate|rate of (\d+|achievement)|\d+\s*%)",
                   re.I)


@dataclass(frozen=True, slots=True)
class _Said:
    record: Record
    sentence: Sentence
    gap: bool


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", fold(text)) if len(w) > 2}


def _same_point(a: str, b: str) -> bool:
    """Whether two sentences say the same (the ✗ line repeats the section's findings)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    inter = len(wa & wb)
    return inter / len(wa | wb) >= 0.5 or inter / min(len(wa), len(wb)) >= 0.8


def _about_the_city(text: str, city: str) -> bool:
    """A sentence that speaks of the city (not the report's general remarks about the index or the area)."""
    low = fold(text)
    names = (fold(city),) if city else ()
    return any(w in low for w in ("the city", "municipality", "the town", "the council", *names))


def _findings(composer: Composer, profile: CityProfile, in_area: Sequence[Record], qv: np.ndarray,
              params: DraftParams) -> tuple[list[Item], list[Item], list[tuple[str, Item]]]:
    """The report's gaps (✗ line first, then the section's negative findings) and what the city already
    does (✓ line, then positive findings most like the area), each sentence once; and the gaps that read
    as actions, with their items."""
    crosses = [r for r in in_area if r.kind == Kind.FINDING and r.title.lower() == "weakness"]
    ticks = [r for r in in_area if r.kind == Kind.FINDING and r.title.lower() == "strength"]
    section = [r for r in in_area if r.kind == Kind.FINDING and r.title.lower() not in {"weakness", "strength"}]
    city = profile.city
    said: list[_Said] = []
    for records, where in ((crosses, "cross"), (section, "section"), (ticks, "tick")):
        pairs = embedded(records, composer.searcher.index, composer.searcher.embedder)
        cands: list[tuple[float, _Said]] = []
        for r, (sents, vecs) in zip(records, pairs, strict=True):
            for j, s in enumerate(sents):
                s = trimmed(s)
                t = s.text
                if unusable(t) or _RATE.search(t) and len(t) < 260 or t.endswith("?") or len(t.split()) < 6:
                    continue
                gap = bool(_GAP.search(t)) and where != "tick"
                if not gap and (where == "cross" or not _about_the_city(t, city)):
                    continue
                sim = float(vecs[j] @ qv) if len(vecs) > j else 0.0
                cands.append((sim if where != "cross" else 1.0, _Said(r, s, gap)))
        if where == "section":  # the section's positive findings: the ones most about the area first
            cands.sort(key=lambda c: (not c[1].gap, -c[0] if not c[1].gap else 0.0))
        for _, c in cands:
            twin = next((k for k, old in enumerate(said) if _same_point(old.sentence.text, c.sentence.text)), None)
            if twin is None:
                said.append(c)
            elif c.gap and said[twin].gap and not verb_phrase(said[twin].sentence.text) \
                    and verb_phrase(c.sentence.text):
                said[twin] = c  # the same gap, in words that read as an action
    gaps = [c for c in said if c.gap][: params.gaps]
    strengths = [c for c in said if not c.gap][: params.strengths]

    def items(chosen: list[_Said]) -> list[Item]:
        by_record: dict[str, list[_Said]] = {}
        for c in chosen:
            by_record.setdefault(c.record.id, []).append(c)
        out = []
        for cs in by_record.values():
            r = cs[0].record
            texts = tuple(c.sentence.text for c in sorted(cs, key=lambda c: c.sentence.start))
            cite = composer.citations.cite(r, texts)
            out.append(Item(cite, place(r), r.title, r.city, texts))
        return out

    gap_items = items(gaps)
    actions: list[tuple[str, Item]] = []
    for c in gaps:
        vp = verb_phrase(c.sentence.text)
        if vp and not any(_same_point(vp, a) for a, _ in actions):
            item = next(i for i in gap_items if i.citation.record.id == c.record.id)
            actions.append((vp, Item(item.citation, item.place, item.title, item.city, (c.sentence.text,))))
    return gap_items, items(strengths), actions[: params.actions]


# --- practices that show how -----------------------------------------------------------------------------

# the openings of a sentence that leans on the one before it (which sentences say what: assistant/wording.py)
_PRONOUN = re.compile(r"(It|Its|This|These|Those|They|Their|There|He|She|Such|Both|Here|We \w+ (this|these|that|it))\b")


@dataclass(frozen=True, slots=True)
class _Candidate:
    hit: Hit
    grade: Grade
    p: float  # the probability behind the grade (direct or related)
    topic: str


def _candidates(searcher: Searcher, composer: Composer, weak: WeakArea, profile: CityProfile,
                questions: Sequence[str], params: DraftParams, direct_only: int = 0) -> list[_Candidate]:
    """Practices of other cities in the area, graded against each of `questions` as answers grade them; per
    city its best grade. Direct ones first, then related, each by probability. The first `direct_only`
    questions (the report's gaps, narrower than the area) count only for direct practices."""
    vocab = index_facts(searcher).vocabulary
    best: dict[str, _Candidate] = {}
    filters = Filters(kinds=(Kind.PRACTICE,), areas=(weak.slug,), exclude_city=profile.city)
    for n, q in enumerate(questions):
        composer.focus(q)
        qv = composer.qv()
        hits = searcher.search(q, k=30, filters=filters, boost_areas=(weak.slug,), vector=qv)
        pool: list[Hit] = []
        seen: set[str] = set()
        for h in hits:
            r = h.record
            key = fold(r.city)
            if key in seen or not is_place(r.city) or policy_statement(r.text) or fold(r.city) == fold(r.country):
                continue  # one per city; an organisation's statement or a country's law is not a city's practice
            if profile.city and (key == fold(profile.city) or fold(profile.city) in fold(r.text[:300])):
                continue
            seen.add(key)
            pool.append(h)
            if len(pool) >= params.pool:
                break
        if not pool:
            continue
        top = max(h.score for h in pool)
        sims = composer.sentences([h.record for h in pool])
        for h, (_, sim) in zip(pool, sims, strict=True):
            signals = Signals(h.dense, float(sim.max()) if len(sim) else 0.0, vocab.coverage(q, h.record),
                              h.score / top if top > 0 else 0.0)
            g, p_rel, p_dir = grade(signals, params.grading)
            if g == Grade.NONE or (n < direct_only and g != Grade.DIRECT):
                continue
            c = _Candidate(h, g, p_dir if g == Grade.DIRECT else p_rel, q)
            key = fold(h.record.city)
            old = best.get(key)
            if old is None or (c.grade == Grade.DIRECT, c.p) > (old.grade == Grade.DIRECT, old.p):
                best[key] = c
    return sorted(best.values(), key=lambda c: (c.grade != Grade.DIRECT, -c.p))


def _practice(composer: Composer, c: _Candidate) -> Practice | None:
    """The practice's item: the one or two sentences most about its topic among those that say what it
    does (with the sentence before one that leans on it); None when no sentence does."""
    r = c.hit.record
    composer.focus(c.topic)
    (sents, sims), = composer.sentences([r])
    # a sentence that opens on "It" or "This" leans on one the quote would not show
    keep = [j for j, s in enumerate(sents) if says_what_it_does(s.text, r.city) and not _PRONOUN.match(s.text)]
    if not keep:
        return None
    picked = best_sentences(c.topic, [[sents[j] for j in keep]], [np.asarray([sims[j] for j in keep])], 2,
                            cities=[r.city])[0]
    if not picked:
        return None
    texts = tuple(s.text for s in picked)
    cite = composer.citations.cite(r, texts, c.grade.value)
    action = next((t for t in texts if says_what_it_does(t, r.city)), texts[0])
    return Practice(Item(cite, place(r), title_of(r), r.city, texts), c.grade.value, clause(action))


# --- one area --------------------------------------------------------------------------------------------

def _area(searcher: Searcher, composer: Composer, profile: CityProfile, weak: WeakArea, own: Sequence[Record],
          params: DraftParams, position: int) -> AreaDraft:
    score = profile.score(weak.slug)
    area = BY_SLUG[weak.slug]
    in_area = [r for r in own if weak.slug in r.areas]
    crosses = [r for r in in_area if r.kind == Kind.FINDING and r.title.lower() == "weakness"]
    weakness = " ".join(r.text for r in crosses) or (score.weakness if score else "")
    query = _area_query(weak, weakness)
    composer.focus(query)
    qv = composer.qv()
    gaps, strengths, gap_actions = _findings(composer, profile, in_area, qv, params)

    # the Recommendations chapter's line for the area first; the section's own suggestions after it
    recs = [r for r in in_area if r.kind == Kind.RECOMMENDATION and not unusable(r.text)]
    rec_ranked = sorted(_rank(searcher, qv, recs), key=lambda r: not r.section.startswith("Recommendations"))
    recommendation = composer.without_label(composer.items(rec_ranked[:1], most=2)[0]) if rec_ranked else None

    # practices: graded against the gaps (as actions) and the area's topics, as answers grade a question
    questions = [f"{area.name}: {vp}" for vp, _ in gap_actions] + topics(area)
    ranked = _candidates(searcher, composer, weak, profile, questions, params, direct_only=len(gap_actions))
    practices: list[Practice] = []
    for c in ranked:
        if len(practices) >= params.suggestions or (c.grade != Grade.DIRECT and len(practices) >= params.fill):
            break
        p = _practice(composer, c)
        if p is not None:
            practices.append(p)
    actions = _match(searcher, gap_actions, practices, params)

    composer.focus(query)
    gq_hits = searcher.search(query, k=30, filters=Filters(kinds=(Kind.GUIDE_QUESTION,), areas=(weak.slug,)),
                              boost_areas=(weak.slug,), vector=qv)
    # a question that leans on the one before it ("Do these resources ...") cannot stand alone
    standalone = [h for h in gq_hits if not _LEANS.match(h.record.text)]
    gq_hits = standalone if len(standalone) >= 3 else sorted(gq_hits, key=lambda h: bool(_LEANS.match(h.record.text)))
    picked: list[Hit] = []
    for h in gq_hits:  # one per benchmark first, then the next best
        if h.record.benchmark not in {p.record.benchmark for p in picked}:
            picked.append(h)
    picked = picked[: params.guide_questions]
    picked += [h for h in gq_hits if h not in picked][: params.guide_questions - len(picked)]
    picked.sort(key=lambda h: gq_hits.index(h))
    guide = composer.items([h.record for h in picked], most=1)

    matched = {p.item.citation.record.id for a in actions for p in a.practices}
    others = [p for p in practices if p.item.citation.record.id not in matched]
    text = render("recommendation.md.j2", city=profile.city or "The city", weak=weak, area=area,
                  rate=num(weak.city), sample=num(weak.sample) if weak.sample is not None else None,
                  chosen=weak.score == 0.0, recommendation=recommendation, actions=actions, others=others,
                  guide=guide, benchmarks=list(dict.fromkeys(g.title for g in guide if g.title)),
                  gaps=gaps, strengths=strengths, v=position).strip()
    text = re.sub(r"\s+", " ", text).replace(" .", ".").replace(" ,", ",").strip()
    return AreaDraft(weak, gaps, strengths, [p.item for p in practices], guide, recommendation, text,
                     practices, actions)


def _match(searcher: Searcher, gap_actions: Sequence[tuple[str, Item]], practices: Sequence[Practice],
           params: DraftParams) -> list[Action]:
    """Each practice goes with the gap its quoted sentence is most like (when like enough)."""
    if not gap_actions:
        return []
    vps = searcher.embedder.embed_batch([vp for vp, _ in gap_actions])
    quotes = searcher.embedder.embed_batch([" ".join(p.item.sentences) for p in practices]) if practices else \
        np.zeros((0, vps.shape[1]), np.float32)
    sims = quotes @ vps.T if len(practices) else np.zeros((0, len(gap_actions)))
    shows: list[list[Practice]] = [[] for _ in gap_actions]
    for i, p in enumerate(practices):
        j = int(sims[i].argmax())
        if sims[i, j] >= params.action_similarity and len(shows[j]) < 2:
            shows[j].append(p)
    return [Action(vp, item, tuple(ps)) for (vp, item), ps in zip(gap_actions, shows, strict=True)]


_LEANS = re.compile(r"\W*(\w+ ){1,3}(these|this|they|those|such|it|its|their)\b", re.I)


def _rank(searcher: Searcher, query_vector: np.ndarray, records: Sequence[Record]) -> list[Record]:
    """`records` most similar to the query (its embedding) first."""
    if not records:
        return []
    sims = searcher.embedder.embed_batch([r.text[:2000] for r in records]) @ query_vector
    return [records[int(i)] for i in sims.argsort()[::-1]]
