"""Area tagging of records that their document does not place in an ICC area.

Report sections and toolkit benchmark sections carry their areas from the structure step. Every
other practice, guide question or passage is scored against each of the 17 areas:

- meaning: the record, cut into windows the model reads whole, against the area's description,
  both the whole description and the best of its phrases ("a welcome unit or centre",
  "information packs in several languages", ...): a practice usually matches one thing an area
  covers rather than its whole description. A record's score for an area is its best window's.
- words: the area's keywords found in the record's title and text (a few everyday words that
  name an area in a question, like "meet" or "council", are ignored in documents).

The best area is kept if it scores above a floor, with the areas within a margin of it (a practice
about several things gets several areas), with their scores as confidence.
`python -m assistant.evaluation.tagging` measures this against a hand-labelled set.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np

from corpus.areas import AREAS, Area
from corpus.records import Kind, Record
from index.embed import Embedder

# Keywords that name an area in a question but are everyday words in a document
# ("City Council", "contact us", "children can participate").
DOCUMENT_STOPWORDS = frozenset({"meet", "contact", "council", "participate"})


@dataclass(frozen=True, slots=True)
class TagRule:
    keyword_weight: float = 0.06  # added per distinct keyword of the area found in the record
    keyword_cap: int = 3  # at most this many keywords count
    floor: float = 0.30  # a record whose best area scores less gets no area
    margin: float = 0.06  # areas this close to the best one are kept too
    max_areas: int = 3
    phrase_weight: float = 0.25  # share of the best description phrase (the rest: the whole description)
    window_words: int = 200  # about what the model reads of one text (256 word pieces)
    window_step: int = 150


def area_texts() -> list[str]:
    return [f"{a.name}: {a.description}" for a in AREAS]


def area_phrases(area: Area) -> list[str]:
    """The things an area's description lists, each led by the area's name."""
    parts = re.split(r"[:;,()]|\band\b(?= [a-z]+ing\b)", area.description)
    out = [f"{area.name}: {p}" for p in (q.strip(" .") for q in parts) if len(p.split()) >= 2]
    return out or [f"{area.name}: {area.description}"]


def windows(text: str, words: int, step: int) -> list[str]:
    tokens = text.split()
    if len(tokens) <= words:
        return [text]
    return [" ".join(tokens[i:i + words]) for i in range(0, len(tokens) - words + step, step)]


def _pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(keyword)}(?!\w)")


_KEYWORDS: list[list[re.Pattern[str]]] = [
    [_pattern(k) for k in a.keywords if k not in DOCUMENT_STOPWORDS] for a in AREAS
]


def keyword_hits(text: str) -> np.ndarray:
    """Per area, how many of its distinct keywords the text contains."""
    low = re.sub(r"\s+", " ", text.lower().replace("’", "'"))
    return np.array([sum(1 for p in pats if p.search(low)) for pats in _KEYWORDS], dtype=np.float32)


def area_scores(texts: list[str], embedder: Embedder, rule: TagRule = TagRule()) -> np.ndarray:
    """(n, 17) scores: similarity to the area description (best window) plus capped keyword evidence."""
    if not texts:
        return np.zeros((0, len(AREAS)), dtype=np.float32)
    phrases = [area_phrases(a) for a in AREAS]
    flat = [p for ps in phrases for p in ps]
    vecs = embedder.embed_batch(area_texts() + flat)
    whole, phrase_vecs = vecs[: len(AREAS)], vecs[len(AREAS):]
    owner = np.repeat(np.arange(len(AREAS)), [len(ps) for ps in phrases])
    pieces: list[str] = []
    of_text: list[int] = []
    for i, t in enumerate(texts):
        for w in windows(t, rule.window_words, rule.window_step):
            pieces.append(w)
            of_text.append(i)
    wv = embedder.embed_batch(pieces)
    by_phrase = wv @ phrase_vecs.T
    best_phrase = np.full((len(pieces), len(AREAS)), -1.0, dtype=np.float32)
    for j in range(len(AREAS)):
        best_phrase[:, j] = by_phrase[:, owner == j].max(axis=1)
    per_window = (1 - rule.phrase_weight) * (wv @ whole.T) + rule.phrase_weight * best_phrase
    sims = np.full((len(texts), len(AREAS)), -1.0, dtype=np.float32)
    np.maximum.at(sims, np.asarray(of_text), per_window)
    kw = np.stack([np.minimum(keyword_hits(t), rule.keyword_cap) for t in texts])
    return np.asarray(sims + rule.keyword_weight * kw, dtype=np.float32)


def choose(scores: np.ndarray, rule: TagRule = TagRule()) -> tuple[tuple[str, ...], tuple[float, ...]]:
    best = float(scores.max())
    if best < rule.floor:
        return (), ()
    order = np.argsort(-scores)[: rule.max_areas]
    keep = [j for j in order if scores[j] >= best - rule.margin]
    return tuple(AREAS[j].slug for j in keep), tuple(round(float(scores[j]), 3) for j in keep)


def record_text(r: Record) -> str:
    return " ".join(x for x in (r.title, r.text) if x)


def tag_records(records: list[Record], embedder: Embedder, rule: TagRule = TagRule()) -> list[Record]:
    """The records, those without areas now tagged (practices and passages of any document)."""
    todo = [i for i, r in enumerate(records)
            if not r.areas and r.kind in (Kind.PRACTICE, Kind.PASSAGE, Kind.GUIDE_QUESTION)]
    scores = area_scores([record_text(records[i]) for i in todo], embedder, rule)
    out = list(records)
    for row, i in zip(scores, todo, strict=True):
        slugs, conf = choose(row, rule)
        out[i] = dataclasses.replace(records[i], areas=slugs, area_scores=conf)
    return out
