"""Heavy objects made from settings: the embedder, the index, the searcher and the facts derived from its
index. Built once per process."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from assistant import tagging
from assistant.answer import AskParams
from assistant.draft import DraftParams
from assistant.facts import IndexFacts, index_facts
from assistant.grading import GradeParams
from assistant.settings import Settings
from assistant.tagging import tag_records
from corpus import areas
from index.build import BuildReport, build_index, built_by_this_code
from index.embed import Embedder, make_embedder, make_multilingual
from index.language import detect
from index.search import Searcher, SearchParams
from index.store import load_index

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    embedder: Embedder
    searcher: Searcher

    @property
    def facts(self) -> IndexFacts:
        """The look-ups derived from the loaded index (assistant/facts.py), made when it loaded."""
        return index_facts(self.searcher)

    def warm_up(self) -> None:
        """Load what the first questions would otherwise load (the query networks of both models) and embed
        the area descriptions with each: a server does it before it takes requests, so that its first users
        wait for no loading and a burst of them does not load anything twice. (The CLI does not: one command
        loads only what it needs.)"""
        detect("Comment les villes accueillent-elles les nouveaux venus ?")  # the language model, loaded once
        self.embedder.embed_batch(["intercultural cities"])
        facts = self.facts
        facts.area_vectors()
        if self.searcher.multilingual is not None:
            self.searcher.ml_vector("intercultural cities")
            facts.ml_area_vectors()

    @property
    def ask_params(self) -> AskParams:
        return ask_params(self.settings)

    @property
    def draft_params(self) -> DraftParams:
        return draft_params(self.settings)


def search_params(settings: Settings) -> SearchParams:
    return SearchParams(fusion=settings.fusion, rrf_k=settings.rrf_k, dense_weight=settings.dense_weight,
                        sparse_weight=settings.sparse_weight, area_boost=settings.area_boost,
                        context=settings.section_context)


P = TypeVar("P", AskParams, DraftParams, GradeParams)


def _tuned(params: P, settings: Settings, prefix: str, **more: Any) -> P:
    """`params` with the fields that settings named `<prefix>_<field>` set (ICC_ASK_MOST sets AskParams.most)."""
    given = {name.removeprefix(prefix): value for name, value in settings if name.startswith(prefix)
             and value is not None}
    return dataclasses.replace(params, **given, **more)


def ask_params(settings: Settings) -> AskParams:
    """The parameters of answers: the built-in ones, with the ICC_ASK_* and ICC_GRADE_* settings given."""
    return _tuned(AskParams(), settings, "ask_", grading=_tuned(GradeParams(), settings, "grade_"),
                  foreign_grading=_tuned(AskParams().foreign_grading, settings, "grade_"))


def draft_params(settings: Settings) -> DraftParams:
    """The parameters of drafts: the built-in ones, with ICC_WEAK_LIMIT and the ICC_DRAFT_* and ICC_GRADE_*
    settings given."""
    return _tuned(DraftParams(), settings, "draft_", areas=settings.weak_limit,
                  grading=_tuned(DraftParams().grading, settings, "grade_"))


# the tagger's code shapes the records: a change to it makes the index stale
TAGGER_CODE = (Path(tagging.__file__).resolve(), Path(areas.__file__).resolve())


def build(settings: Settings, force: bool = False,
          progress: Callable[[str, int, int], None] | None = None) -> BuildReport:
    embedder = make_embedder(settings.embed_model, settings.embed_batch_size)
    return build_index(settings.corpus_dir, settings.index_dir, settings.cache_dir, embedder,
                       chunk_words=settings.chunk_words, chunk_overlap=settings.chunk_overlap,
                       tagger=tag_records, tagger_code=TAGGER_CODE, force=force, progress=progress,
                       multilingual=make_multilingual(settings.multilingual_model, settings.embed_model))


def open_runtime(settings: Settings) -> Runtime:
    """Load the index (checking it suits the settings before loading the model), then the model.
    An index built by older parsing or indexing code still loads, with a warning to rebuild."""
    index = load_index(settings.index_dir, settings.embed_model)
    if not built_by_this_code(index.manifest, TAGGER_CODE):
        log.warning("the index was built by an older version of the assistant; run `icc-assistant build` "
                    "to rebuild it with the current parsing and ranking")
    embedder = make_embedder(settings.embed_model, settings.embed_batch_size)
    multilingual = make_multilingual(settings.multilingual_model, settings.embed_model, threads=1)
    if multilingual is not None and index.manifest.multilingual != multilingual.name:
        log.warning("the index has no vectors of the multilingual model %s: questions in other languages than "
                    "English are answered poorly until `icc-assistant build` rebuilds it", multilingual.name)
    searcher = Searcher(index, embedder, search_params(settings), multilingual)
    facts = index_facts(searcher)  # the records by id, the cities, the vocabulary: made with the index, once
    _ = facts.known_places, facts.lower_words  # and what tells a city the documents lack, not on a first question
    return Runtime(settings, embedder, searcher)
