"""Hybrid search over a loaded index: dense windows + BM25 records, fused, filtered, boosted."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np

from corpus.places import fold
from corpus.records import Record
from index.backends import tokenize
from index.embed import Embedder, query_vector
from index.filtering import Filters, RecordColumns
from index.fusion import FUSIONS, RRF_K, FusionName, Signal
from index.language import Language, detect, gibberish, words_of
from index.store import LoadedIndex, check_compatible, term_words

T = TypeVar("T")
_STRUCTURAL = frozenset({"suggestions", "guide questions", "examples"})


def _unit(r: Record) -> tuple[str, ...]:
    """The part of a document a record belongs to: its heading trail up to the first structural
    heading ("Suggestions", "Guide questions", "Examples"), so that a benchmark's statement, its
    guide questions and its examples, or a report area's findings and suggested practices, are one
    unit."""
    trail: list[str] = [r.doc_id]
    for h in r.headings:
        if h.lower() in _STRUCTURAL:
            break
        trail.append(h)
    return tuple(trail) if len(trail) > 1 else (r.doc_id, r.id)


@dataclass(frozen=True, slots=True)
class Hit:
    rank: int
    score: float
    record: Record
    dense: float = 0.0  # best cosine similarity of the record's windows to the query (to its English reading)
    sparse: float = 0.0
    dense_ml: float = 0.0  # the same by the multilingual model (0 without one)

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "rank": self.rank, "score": round(self.score, 6), "text": r.text, "kind": r.kind.value,
            "doc_id": r.doc_id, "doc_title": r.doc_title, "page": r.page, "section": r.section,
            "city": r.city, "country": r.country, "areas": list(r.areas), "id": r.id, "title": r.title,
            "similarity": round(self.dense, 4),
        }


DEFAULT_KIND_WEIGHTS = {"practice": 1.0, "guide_question": 0.85, "passage": 0.8, "recommendation": 0.55,
                        "finding": 0.45}


@dataclass
class SearchParams:
    fusion: FusionName = "zscore"  # a name of index.fusion.FUSIONS
    rrf_k: int = RRF_K
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    area_boost: float = 0.15
    country_boost: float = 0.15
    depth: int = 200  # candidates taken from each backend before fusion
    # Officials ask how *others* do things: what a report says of its own city ranks below
    # practices, benchmarks and background, unless filtered for explicitly.
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    diversity: float = 0.75  # each further hit from the same section and kind is worth this much less
    # a hit whose words overlap this much (Jaccard) with a better hit is the same text again (a report's
    # conclusions repeat its findings; a toolkit prints one list of guide questions twice): left out
    duplicate: float = 0.8
    context: float = 0.35
    # the multilingual model's ranking is a third signal; its weight and the others' follow the question's
    # language: an English question is read by all three. BM25 and the English model see little but names
    # and shared words in a question in another language: they read its English reading instead (words of
    # the records the multilingual model finds best, those it places nearest the question: `english_reading`).
    # The weights are interpolated by the probability that the question is English (index.language).
    ml_weight: float = 0.25
    foreign_dense_weight: float = 1.0  # the English model, on the English reading
    foreign_sparse_weight: float = 1.0  # BM25, on the English reading
    foreign_ml_weight: float = 0.5
    reading_records: int = 10  # the English reading takes words from this many records...
    reading_words: int = 10  # ...and this many of them


def _document_words(searcher: Searcher) -> frozenset[str]:
    """Every word of the records, folded (index.language.words_of): what `detect` knows as English."""
    return frozenset(w for r in searcher.index.records for w in words_of(r.text))


def _record_terms(searcher: Searcher) -> list[np.ndarray]:
    """Each record's words, as positions in the index's `terms` (for the English reading)."""
    index = searcher.index
    position = {w: i for i, w in enumerate(index.terms)}
    return [np.fromiter((position[w] for w in term_words(r) if w in position), dtype=np.int64)
            for r in index.records]


class Searcher:
    def __init__(self, index: LoadedIndex, embedder: Embedder, params: SearchParams | None = None,
                 multilingual: Embedder | None = None) -> None:
        check_compatible(index.manifest, embedder.name, embedder.dim)
        self.index = index
        self.embedder = embedder
        # the multilingual signal needs both the model and the index's vectors of it
        self.multilingual = multilingual if (
            multilingual is not None and index.dense_ml is not None
            and index.manifest.multilingual == multilingual.name) else None
        self._ml_vectors: dict[str, np.ndarray | Future[np.ndarray]] = {}
        self._ml_pool: ThreadPoolExecutor | None = None
        self.params = params or SearchParams()
        if self.params.fusion not in FUSIONS:
            raise ValueError(f"unknown fusion {self.params.fusion!r}; valid: {', '.join(FUSIONS)}")
        self._columns: RecordColumns | None = None
        self._readings: dict[str, str] = {}
        self._words: dict[str, tuple[frozenset[str], frozenset[str]]] = {}  # record id → its word set, for _repeats
        self._derived: dict[Callable[[Searcher], Any], Any] = {}  # see derived()
        self._derived_from: LoadedIndex | None = None
        self._derived_lock = threading.Lock()

    def derived(self, make: Callable[[Searcher], T]) -> T:
        """What `make` derives from the loaded index (the assistant's look-ups: records by id, the cities, the
        vocabulary, the area vectors; assistant/facts.py), made once and kept with this searcher, so that no
        module keeps a cache of its own. Given another index, the searcher derives everything anew (nothing
        stale). Made under a lock: requests that the server runs in threads at once make it once."""
        with self._derived_lock:
            if self._derived_from is not self.index:
                self._derived, self._derived_from = {}, self.index
            if make not in self._derived:
                self._derived[make] = make(self)
            return cast(T, self._derived[make])

    def allowed(self, filters: Filters) -> np.ndarray:
        """Mask of the records `filters` accepts, from columns encoded once (not a loop per query)."""
        if self._columns is None or self._columns.records is not self.index.records:
            self._columns = RecordColumns(self.index.records)
        return self._columns.allowed(filters)

    @property
    def records(self) -> list[Record]:
        return self.index.records

    def ml_vector(self, query: str) -> np.ndarray | None:
        """The question's embedding by the multilingual model (None without one), kept for the next
        searches of the same question."""
        if self.multilingual is None:
            return None
        v = self._ml_vectors.get(query)
        if v is None:
            if len(self._ml_vectors) >= 256:
                self._ml_vectors.clear()
            v = self._ml_vectors[query] = query_vector(self.multilingual, query)
        return v.result() if isinstance(v, Future) else v

    def embed_ahead(self, query: str) -> None:
        """Start embedding `query` by the multilingual model in a background thread, so that it runs while
        the caller embeds it by the English model (both release the GIL: two cores, about half the wait);
        `ml_vector` then waits for it."""
        if self.multilingual is None or query in self._ml_vectors:
            return
        if self._ml_pool is None:
            self._ml_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="ml-query")
        if len(self._ml_vectors) >= 256:
            self._ml_vectors.clear()
        self._ml_vectors[query] = self._ml_pool.submit(query_vector, self.multilingual, query)

    @property
    def words(self) -> frozenset[str]:
        """Every word of the records (folded; index.language.words_of), made once per loaded index."""
        return self.derived(_document_words)

    def gibberish(self, text: str) -> bool:
        """Whether `text` is in no language the multilingual model knows (`index.language.gibberish`); False
        without that model."""
        pieces = getattr(self.multilingual, "pieces", None)
        return pieces is not None and gibberish(text, pieces(text))

    def language(self, text: str) -> Language:
        """The language of a question to this index: `index.language.detect`, knowing the documents' words."""
        return detect(text, self.words)

    def weights(self, language: Language) -> tuple[float, float, float, float, float]:
        """Weights for a question in `language` of the English model, BM25 and the multilingual model on the
        question, and of the English model and BM25 on its English reading."""
        p, en = self.params, language.english
        if self.multilingual is None:
            return p.dense_weight, p.sparse_weight, 0.0, 0.0, 0.0
        ml = en * p.ml_weight + (1 - en) * p.foreign_ml_weight
        # a question more likely English than not is read as it is (answers and areas decide so too); an index
        # built before its words had vectors has no English reading
        other = 1 - en if language.foreign and self.index.term_vectors is not None else 0.0
        return (en * p.dense_weight, en * p.sparse_weight, ml, other * p.foreign_dense_weight,
                other * p.foreign_sparse_weight)

    def reading(self, query: str) -> str:
        """The English reading of a question (`english_reading`) over the whole index; kept for the next
        calls with the same question."""
        known = self._readings.get(query)
        if known is None:
            mv = self.ml_vector(query)
            ml = self.index.dense_ml
            if mv is None or ml is None:
                return ""
            sims, ids = ml.search(mv, ml.size)
            if len(self._readings) >= 256:
                self._readings.clear()
            known = self._readings[query] = self.english_reading(
                query, self._best_windows(sims, ids, np.ones(len(self.index.records), dtype=bool)))
        return known

    def english_reading(self, query: str, ml_scores: Mapping[int, float]) -> str:
        """The question in English words, for BM25 and the English model when it is in another language:
        among the words of the `reading_records` records the multilingual model finds best (`ml_scores`: each
        record's best window), the `reading_words` it places nearest the question, each word embedded alone
        when the index was built. Pseudo-relevance feedback with a cross-lingual choice of terms: no lexicon,
        no rule of any language. "" when the index has no vectors of its words."""
        index, p = self.index, self.params
        mv = self.ml_vector(query)
        if mv is None or index.term_vectors is None or not ml_scores or not index.terms:
            return ""
        record_terms = self.derived(_record_terms)
        best = sorted(ml_scores, key=lambda i: -ml_scores[i])[: p.reading_records]
        words = np.unique(np.concatenate([record_terms[i] for i in best]))
        if not len(words):
            return ""
        sims = np.asarray(index.term_vectors[words] @ mv)
        return " ".join(index.terms[int(words[j])] for j in np.argsort(-sims, kind="stable")[: p.reading_words])

    def search(self, query: str, k: int = 10, filters: Filters | None = None,
               boost_areas: tuple[str, ...] = (), boost_countries: tuple[str, ...] = (),
               kind_weights: Mapping[str, float] | None = None, vector: np.ndarray | None = None) -> list[Hit]:
        """The k best records for `query`: records of `boost_areas` and of `boost_countries` are
        boosted (area_boost, country_boost); `kind_weights` overrides the kind prior of the params.
        `vector` is the query's embedding when the caller has it already (one question, several searches)."""
        query = query.strip()
        if not query:
            return []
        filters = filters or Filters()
        p = self.params
        records = self.index.records
        allowed = self.allowed(filters)
        if not allowed.any():
            return []
        # dense: best window of each record
        qv = vector if vector is not None else self.embedder.embed_batch([query])[0]
        if not allowed.all() and allowed.sum() < 2000:  # a selective filter: every allowed window scored
            sims, ids = self.index.dense.search_covering(qv, np.flatnonzero(allowed[self.index.unit_record]))
        else:
            sims, ids = self.index.dense.search(qv, min(self.index.dense.size, max(p.depth * 4, k * 8)))
        dense = self._best_windows(sims, ids, allowed)
        dense_ml: dict[int, float] = {}
        mv = self.ml_vector(query)
        if mv is not None and self.index.dense_ml is not None:
            ml = self.index.dense_ml
            if not allowed.all() and allowed.sum() < 2000:
                sims, ids = ml.search_covering(mv, np.flatnonzero(allowed[self.index.unit_record]))
            else:
                sims, ids = ml.search(mv, min(ml.size, max(p.depth * 4, k * 8)))
            dense_ml = self._best_windows(sims, ids, allowed)
        w_dense, w_sparse, w_ml, w_rdense, w_rsparse = self.weights(self.language(query))
        # sparse: every record scored, filtered, top `depth`
        bm = self.index.sparse.scores(query)
        bm = np.where(allowed, bm, 0.0)
        top = np.argsort(-bm)[: p.depth]
        sparse = {int(i): float(bm[i]) for i in top if bm[i] > 0}
        dense_rank = sorted(dense, key=lambda i: -dense[i])[: p.depth]
        ml_rank = sorted(dense_ml, key=lambda i: -dense_ml[i])[: p.depth]
        # a question in another language: BM25 and the English model read its English reading (the same
        # whatever the filters: it stands for the question)
        reading = self.reading(query) if w_rdense + w_rsparse > 0 else ""
        r_dense: dict[int, float] = {}
        r_bm = np.zeros(len(records), dtype=np.float32)
        if reading:
            rv = self.embedder.embed_batch([reading])[0]
            if not allowed.all() and allowed.sum() < 2000:
                sims, ids = self.index.dense.search_covering(rv, np.flatnonzero(allowed[self.index.unit_record]))
            else:
                sims, ids = self.index.dense.search(rv, min(self.index.dense.size, max(p.depth * 4, k * 8)))
            r_dense = self._best_windows(sims, ids, allowed)
            r_bm = np.where(allowed, self.index.sparse.scores(reading), 0.0)
        r_dense_rank = sorted(r_dense, key=lambda i: -r_dense[i])[: p.depth]
        r_sparse = {int(i): float(r_bm[i]) for i in np.argsort(-r_bm)[: p.depth] if r_bm[i] > 0}

        # BM25 scored every allowed record: its z-scores are over all of them, so a name that one record
        # alone has stands far out; a record BM25 did not return shares no term with the query (0),
        # unless the depth cut it off
        def unseen(scores: np.ndarray, kept: dict[int, float]) -> float:
            return 0.0 if int((scores > 0).sum()) <= len(kept) else min(kept.values(), default=0.0)

        def stats(scores: np.ndarray) -> tuple[float, float]:
            kept = scores[allowed]
            return float(kept.mean()), float(kept.std())

        fused = FUSIONS[p.fusion]([Signal({i: dense[i] for i in dense_rank}, w_dense),
                                   Signal(sparse, w_sparse, unseen(bm, sparse), stats(bm)),
                                   Signal({i: dense_ml[i] for i in ml_rank}, w_ml),
                                   Signal({i: r_dense[i] for i in r_dense_rank}, w_rdense),
                                   Signal(r_sparse, w_rsparse, unseen(r_bm, r_sparse), stats(r_bm))], p.rrf_k)
        if p.context:
            fused = self._with_context(fused)
        wanted = set(boost_areas)
        countries = {fold(c) for c in boost_countries}
        weights = {**p.kind_weights, **(kind_weights or {})}
        for i in fused:
            fused[i] *= weights.get(records[i].kind.value, 1.0)
            if wanted and p.area_boost and wanted & set(records[i].areas):
                fused[i] *= 1.0 + p.area_boost
            if countries and p.country_boost and fold(records[i].country) in countries:
                fused[i] *= 1.0 + p.country_boost
        order = self._diversify(fused, k)
        # a question read in English: the English model's similarity is that of its English reading
        english = r_dense if reading else dense
        return [Hit(n, score, records[i], english.get(i, 0.0), sparse.get(i, 0.0), dense_ml.get(i, 0.0))
                for n, (i, score) in enumerate(order, start=1)]

    def _best_windows(self, sims: np.ndarray, ids: np.ndarray, allowed: np.ndarray) -> dict[int, float]:
        """Each allowed record's best window score."""
        best: dict[int, float] = {}
        for s, u in zip(sims.tolist(), ids.tolist(), strict=True):
            rec = int(self.index.unit_record[u])
            if allowed[rec] and s > best.get(rec, -1.0):
                best[rec] = s
        return best

    def _with_context(self, fused: dict[int, float]) -> dict[int, float]:
        records = self.index.records
        best: dict[tuple[str, ...], float] = {}
        keys = {i: _unit(records[i]) for i in fused}
        for i, v in fused.items():
            if v > best.get(keys[i], -1e9):
                best[keys[i]] = v
        c = self.params.context
        return {i: v + c * best[keys[i]] for i, v in fused.items()}

    @staticmethod
    def _repeats(a: tuple[frozenset[str], frozenset[str]], b: tuple[frozenset[str], frozenset[str]],
                 share: float) -> bool:
        """Whether a record with words and figures `a` says what one with `b` says, near word for word
        (at least `share` of their words in common)."""
        (words_a, figures_a), (words_b, figures_b) = a, b
        if share >= 1.0 or not (words_a and words_b) or figures_a != figures_b:
            return False  # other figures ("stands at 38%" / "at 100%"): another finding in the same words
        if min(len(words_a), len(words_b)) < share * max(len(words_a), len(words_b)):
            return False  # |a ∩ b| ≤ the smaller, |a ∪ b| ≥ the larger: the share cannot reach it
        return len(words_a & words_b) >= share * len(words_a | words_b)

    def _word_set(self, i: int) -> tuple[frozenset[str], frozenset[str]]:
        """A record's words and, among them, its figures; computed once per record."""
        r = self.index.records[i]
        known = self._words.get(r.id)
        if known is None:
            if len(self._words) >= 20_000:  # a long-running server over a large corpus: bounded memory
                self._words.clear()
            words = frozenset(tokenize(r.text))
            known = self._words[r.id] = (words, frozenset(w for w in words if w.isdigit()))
        return known

    def _diversify(self, fused: dict[int, float], k: int) -> list[tuple[int, float]]:
        """Greedy re-ranking: a record's score shrinks by `diversity` for each record already
        chosen from the same document section and kind (ten guide questions of one section
        are worth less than a few of them and the section's examples)."""
        pool = sorted(fused, key=lambda i: -fused[i])[: max(k * 5, 50)]
        seen: dict[tuple[str, str, str], int] = {}
        out: list[tuple[int, float]] = []
        records = self.index.records
        keys = {i: (records[i].doc_id, records[i].headings[0] if records[i].headings else "",
                    records[i].kind.value) for i in pool}
        words = {i: self._word_set(i) for i in pool} if self.params.duplicate < 1.0 else {}
        while pool and len(out) < k:
            if out and words:
                last = words[out[-1][0]]
                pool = [i for i in pool if not self._repeats(words[i], last, self.params.duplicate)]
            if not pool:
                break
            def adjusted(i: int) -> float:
                return fused[i] * self.params.diversity ** seen.get(keys[i], 0)
            best = max(pool, key=adjusted)
            out.append((best, adjusted(best)))
            pool.remove(best)
            seen[keys[best]] = seen.get(keys[best], 0) + 1
        return out
