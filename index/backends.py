"""The two retrieval backends: FAISS for vectors, BM25 for terms (their fusion: index/fusion.py)."""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache
from pathlib import Path

import bm25s
import faiss
import numpy as np
import Stemmer

from corpus.places import fold

logging.getLogger("bm25s").setLevel(logging.WARNING)  # its DEBUG lines would cut through the progress bar
EXACT_LIMIT = 50_000  # above this many vectors an approximate (HNSW) index is built

_STOP = frozenset(
    "a an and are as at be by can do does for from has have how i in into is it its of on or our other others "
    "that the their them there these they this to was we what when where which who why will with you your "
    "cities city".split()
)


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


# British and American spellings of a word are one term: "anti-rumour" finds the "Anti-Rumors Network",
# "neighborhood" the "neighbourhoods", "organization" the "organisations", "center" the "centres". -our and -ize
# are read before stemming ("scour" is no "scor"), the other pairs on their stems, where every form of the word
# meets ("programming" and "programmes" alike)
_OUR = re.compile(r"(?<=[a-z]{2})(?<!sc)our(?=(?:s|hoods?|ed|ing|ites?|ful|able|ers?)?$)")  # labour → labor
_IZE = re.compile(r"(?<=[a-z]{3})([iy])z(?=(?:e|es|ed|ing|ations?|ational|ers?)$)")  # organize → organise
_STEMS = {"programm": "program", "centr": "center", "licenc": "licens", "defenc": "defens", "offenc": "offens",
          "fibr": "fiber", "catalogu": "catalog", "theatr": "theater", "dialogu": "dialog", "practis": "practic"}


@lru_cache(maxsize=1 << 16)
def one_spelling(word: str) -> str:
    """The word in the spelling its British and American forms share before stemming ("rumours" → "rumors")."""
    return _IZE.sub(r"\1s", _OUR.sub("or", word)) if len(word) > 5 else word


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens without accents or stop words, one spelling for British and American English,
    Snowball-stemmed, so that "mediators" finds "mediation", "surveys" finds "survey" and "rumours" "Rumors"."""
    words = [one_spelling(w) for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in _STOP and len(w) >= 2]
    return [_STEMS.get(t, t) for t in _stemmer().stemWords(words)]


class DenseIndex:
    """Inner product on normalised vectors: exact below EXACT_LIMIT, HNSW above."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> DenseIndex:
        dim = vectors.shape[1]
        index: faiss.Index
        if len(vectors) > EXACT_LIMIT:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 128
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.index.ntotal)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores, ids = self.index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    @property
    def exact(self) -> bool:
        return isinstance(self.index, faiss.IndexFlat)

    def search_covering(self, query: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores and ids, best first, of a set that includes every vector of `ids` (the windows a
        selective filter allows). An exact index searches all its vectors (the scores of `search`); HNSW
        returns only a fraction of its vectors however deep it is searched, so the vectors of `ids` are
        scored exactly instead."""
        if self.exact:
            return self.search(query, self.size)
        if not len(ids):
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        scores = np.asarray(self.index.reconstruct_batch(ids) @ np.asarray(query, dtype=np.float32), np.float32)
        order = np.argsort(-scores, kind="stable")
        return scores[order], ids[order]

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        return cls(faiss.read_index(str(path)))

    @property
    def size(self) -> int:
        return int(self.index.ntotal)


class SparseIndex:
    """BM25 (bm25s) over tokenised texts; scores every document, so filters can apply after."""

    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self.model = model
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> SparseIndex:
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index([tokenize(t) or ["__empty__"] for t in texts], show_progress=False)
        return cls(model, len(texts))

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query) if t in self.model.vocab_dict]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.model.get_scores(tokens), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self.model.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> SparseIndex:
        return cls(bm25s.BM25.load(str(folder)), size)
