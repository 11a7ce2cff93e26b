"""What the bench searches with and searches in: queries made from records (and the dev questions), and a
synthetic corpus of N records (random texts with the corpus's word frequencies, random cities, countries,
areas and kinds) written with random unit vectors as a real index (see assistant/evaluation/bench.py)."""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evaluation.retrieval import read_questions
from corpus.areas import SLUGS
from corpus.records import Kind, Record, record_id
from index.embed import Embedder
from index.store import SCHEMA, LoadedIndex, Manifest, load_index, unit_texts, write_index

_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def eval_questions(path: Path) -> list[str]:
    """The queries of a retrieval evaluation file (read by the `eval` command's reader); none if it is missing."""
    return [q.query for q in read_questions(path)] if path.is_file() else []


_FRAMES = ("how do other cities organise {}", "examples of {}", "{} in practice", "which cities have {}",
           "{} for newcomers", "good practice: {}")


def make_queries(records: Sequence[Record], n: int, questions: Sequence[str] = (), seed: int = 7) -> list[str]:
    """`n` distinct queries: the given questions, record titles in a few phrasings, and the opening
    words of records (what an officer might paste); repeated only if the corpus has too few."""
    rng = np.random.default_rng(seed)
    titles = sorted({r.title.strip() for r in records if len(r.title.split()) >= 2})
    openings = []
    for r in records:
        words = r.text.split()
        if len(words) >= 4:
            openings.append(" ".join(words[: int(rng.integers(4, 11))]))
    phrased = [_FRAMES[i % len(_FRAMES)].format(t.lower()) for i, t in enumerate(titles)]
    pool = list(dict.fromkeys([*titles, *phrased, *openings]))
    order = [pool[i] for i in rng.permutation(len(pool))]
    out = list(dict.fromkeys([q for q in questions if q.strip()]))
    seen = set(out)
    out += [q for q in order if q not in seen]
    if not out:
        raise ValueError("no queries can be made from these records")
    while len(out) < n:
        out += out[: n - len(out)]
    return out[:n]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    words: list[str]
    probs: np.ndarray

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> Vocabulary:
        counts = Counter(w for t in texts for w in _WORD.findall(t))
        if not counts:
            raise ValueError("no words to make a vocabulary of")
        words = sorted(counts)
        freq = np.asarray([counts[w] for w in words], dtype=np.float64)
        return cls(words, freq / freq.sum())


def synthetic_records(n: int, vocab: Vocabulary, seed: int = 1, *, cities: int = 300, countries: int = 30,
                      documents: int = 500, areas: Sequence[str] = SLUGS) -> list[Record]:
    """`n` records of random text (corpus word frequencies, lengths like the corpus's: median ~45
    words, long tail), each with a random document, kind (practice or passage), city, country and 1-3
    areas, so that every filter has work to do."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(math.log(45), 0.9, n).astype(np.int64), 8, 400)
    ids = rng.choice(len(vocab.words), size=int(lengths.sum()), p=vocab.probs)
    words = np.asarray(vocab.words, dtype=object)[ids]
    city_of = rng.integers(0, cities, n)
    country_of_city = rng.integers(0, countries, cities)
    doc_of = rng.integers(0, documents, n)
    practice = rng.random(n) < 0.4
    n_areas = rng.integers(1, 4, n)
    area_pick = np.argsort(rng.random((n, len(areas))), axis=1)
    out: list[Record] = []
    pos = 0
    for i in range(n):
        text = " ".join(words[pos:pos + lengths[i]])
        pos += int(lengths[i])
        kind = Kind.PRACTICE if practice[i] else Kind.PASSAGE
        doc_id = f"synthetic-doc-{doc_of[i]:04d}"
        start = i * 1000
        c = int(city_of[i])
        out.append(Record(
            id=record_id(doc_id, kind, start, text), kind=kind, doc_id=doc_id,
            doc_title=f"Synthetic document {doc_of[i]}", page=1 + i % 50, page_end=1 + i % 50, start=start,
            end=start + len(text), headings=(f"Section {i % 40}",), text=text,
            title=" ".join(text.split()[:6]) if kind is Kind.PRACTICE else "",
            city=f"Synthcity {c:03d}", country=f"Synthland {country_of_city[c]:02d}",
            areas=tuple(areas[j] for j in area_pick[i, : n_areas[i]]),
            area_scores=tuple(1.0 for _ in range(n_areas[i]))))
    return out


def random_unit_vectors(n: int, dim: int, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def write_synthetic_index(folder: Path, records: list[Record], embedder: Embedder, *, chunk_words: int = 110,
                          chunk_overlap: int = 30, seed: int = 2) -> tuple[dict[str, Any], LoadedIndex]:
    """Windows as the real build makes them, one random unit vector per window, written by the real
    `write_index` and read back by `load_index`; returns the timings and the loaded index."""
    figures: dict[str, Any] = {}
    t0 = time.perf_counter()
    owners = [i for i, r in enumerate(records) for _ in unit_texts(r, chunk_words, chunk_overlap)]
    vectors = random_unit_vectors(len(owners), embedder.dim, seed)
    figures["vectors_seconds"] = round(time.perf_counter() - t0, 2)
    manifest = Manifest(
        schema=SCHEMA, model=embedder.name, dim=embedder.dim, chunk_words=chunk_words,
        chunk_overlap=chunk_overlap, corpus_dir="(synthetic)", corpus_fingerprint=f"synthetic-{len(records)}",
        records=len(records), units=len(owners), documents=0,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"), build_seconds=0.0,
        versions={}, skipped=[])  # versions() would import torch, for nothing here
    t0 = time.perf_counter()
    # no sentence vectors: the synthetic corpus is for search cost, and `ask` is measured on the real one
    write_index(folder, manifest, records, [], owners, vectors, [], np.zeros((0, embedder.dim), np.float32))
    figures["write_seconds"] = round(time.perf_counter() - t0, 2)
    del vectors
    t0 = time.perf_counter()
    index = load_index(folder, embedder.name)
    figures["load_seconds"] = round(time.perf_counter() - t0, 2)
    figures["units"] = len(owners)
    figures["dense_index"] = type(index.dense.index).__name__
    return figures, index
