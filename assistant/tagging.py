"""Area tagging of records that their document does not place in an ICC area.

Report sections and toolkit benchmark sections carry their areas from the structure step. Every
other practice or passage is scored against each area by the embedding model (the record
against the area's description) plus the area's keywords found in the record's title and text;
the areas within a margin of the best one, above a floor, are kept, with their scores.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np

from assistant.areas import AREAS
from corpus.records import Kind, Record
from index.embed import Embedder


@dataclass(frozen=True, slots=True)
class TagRule:
    keyword_weight: float = 0.06  # added per distinct keyword of the area found in the record
    keyword_cap: int = 3  # at most this many keywords count
    floor: float = 0.30  # a record whose best area scores less gets no area
    margin: float = 0.06  # areas this close to the best one are kept too
    max_areas: int = 3


def area_texts() -> list[str]:
    return [f"{a.name}: {a.description}" for a in AREAS]


def keyword_hits(text: str) -> np.ndarray:
    low = text.lower()
    hits = np.zeros(len(AREAS), dtype=np.float32)
    for j, a in enumerate(AREAS):
        found = {k for k in a.keywords if re.search(rf"(?<!\w){re.escape(k)}(?!\w)", low)}
        hits[j] = len(found)
    return hits


def area_scores(texts: list[str], embedder: Embedder, rule: TagRule = TagRule()) -> np.ndarray:
    """(n, 17) scores: cosine to the area description plus capped keyword evidence."""
    if not texts:
        return np.zeros((0, len(AREAS)), dtype=np.float32)
    area_vecs = embedder.embed_batch(area_texts())
    vecs = embedder.embed_batch([t[:2000] for t in texts])
    sims = vecs @ area_vecs.T
    kw = np.stack([np.minimum(keyword_hits(t), rule.keyword_cap) for t in texts])
    return np.asarray(sims + rule.keyword_weight * kw, dtype=np.float32)


def choose(scores: np.ndarray, rule: TagRule = TagRule()) -> tuple[tuple[str, ...], tuple[float, ...]]:
    best = float(scores.max())
    if best < rule.floor:
        return (), ()
    order = np.argsort(-scores)[: rule.max_areas]
    keep = [j for j in order if scores[j] >= best - rule.margin]
    return tuple(AREAS[j].slug for j in keep), tuple(round(float(scores[j]), 3) for j in keep)


def tag_records(records: list[Record], embedder: Embedder, rule: TagRule = TagRule()) -> list[Record]:
    """The records, those without areas now tagged (practices and passages of any document)."""
    todo = [i for i, r in enumerate(records)
            if not r.areas and r.kind in (Kind.PRACTICE, Kind.PASSAGE, Kind.GUIDE_QUESTION)]
    texts = [" ".join(x for x in (records[i].title, records[i].text) if x) for i in todo]
    scores = area_scores(texts, embedder, rule)
    out = list(records)
    for row, i in zip(scores, todo, strict=True):
        slugs, conf = choose(row, rule)
        out[i] = dataclasses.replace(records[i], areas=slugs, area_scores=conf)
    return out
