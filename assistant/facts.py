"""What answers, drafts and the pages look up in the loaded index, derived from it once.

`index_facts(searcher)` is the one `IndexFacts` of the searcher's loaded index: made when the index loads
(`assistant.runtime.open_runtime`), or on first use for a searcher made otherwise (tests, the evaluation), and
kept with the searcher (`Searcher.derived`), never in a module: a searcher given another index derives them
anew, and facts of an index that is gone go with it. The web app's catalog (web/catalog.py) is built on it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from assistant.grading import Vocabulary
from assistant.tagging import area_texts
from corpus.places import fold, names_of
from corpus.records import Document, Kind, Record
from index.embed import Embedder
from index.search import Searcher


@dataclass(frozen=True, eq=False)
class IndexFacts:
    """The loaded index's records seen the ways the assistant asks for them."""

    records: Sequence[Record]
    documents: Mapping[str, Document]
    by_id: Mapping[str, Record]
    practice_cities: tuple[str, ...]  # cities with a practice, for reading city names in questions
    assessed_cities: tuple[str, ...]  # cities a report assesses (their findings)
    practices_of: Mapping[str, tuple[Record, ...]]  # city -> its practices, in corpus order
    vocabulary: Vocabulary  # term frequencies over the practices, for grading
    embedder: Embedder  # the searcher's models, for the area vectors
    multilingual: Embedder | None
    _vectors: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def of(cls, searcher: Searcher) -> IndexFacts:
        records = searcher.records
        practices: dict[str, list[Record]] = {}
        for r in records:
            if r.kind == Kind.PRACTICE and r.city:
                practices.setdefault(r.city, []).append(r)
        return cls(records, searcher.index.documents, {r.id: r for r in records}, tuple(sorted(practices)),
                   tuple(sorted({r.about_city for r in records if r.about_city})),
                   {c: tuple(rs) for c, rs in practices.items()}, Vocabulary(records), searcher.embedder,
                   searcher.multilingual)

    @cached_property
    def known_places(self) -> frozenset[str]:
        """Folded names of the places and organisations the documents have practices or findings of, with the
        other names of corpus/data/cities.tsv ("San Sebastian" for Donostia-San Sebastian)."""
        known = {fold(c) for c in (*self.assessed_cities, *(r.city for r in self.records if r.city))}
        return frozenset(n for k in known for n in names_of(k))

    @cached_property
    def lower_words(self) -> frozenset[str]:
        """Folded words the documents use in lower case ("police", "nice"): not the name of a city when a
        question capitalises them."""
        written = {w for r in self.records for w in re.findall(r"(?<![\w'’-])[a-zà-ÿ][\w'’-]*", r.text)}
        return frozenset(fold(w) for w in written)  # each word folded once: a third of the time at start-up

    def area_vectors(self) -> np.ndarray:
        """The area descriptions' embeddings by the English model (computed on first use, then kept)."""
        return self._area_vectors("english", self.embedder)

    def ml_area_vectors(self) -> np.ndarray | None:
        """The same by the multilingual model (None without one): over a second of CPU, so only when a
        question in another language asks for it."""
        return None if self.multilingual is None else self._area_vectors("multilingual", self.multilingual)

    def _area_vectors(self, key: str, embedder: Embedder) -> np.ndarray:
        with self._lock:  # requests in threads at once: embedded once
            vecs = self._vectors.get(key)
            if vecs is None:
                vecs = self._vectors[key] = embedder.embed_batch(area_texts())
            return vecs


def index_facts(searcher: Searcher) -> IndexFacts:
    """The facts of the searcher's loaded index, made once per index (see the module's docstring)."""
    return searcher.derived(IndexFacts.of)
