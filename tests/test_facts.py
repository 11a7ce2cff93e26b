"""The facts derived from a loaded index: made once per index, shared by threads, made anew for another index."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from assistant.facts import IndexFacts, index_facts
from assistant.runtime import open_runtime
from assistant.settings import Settings
from corpus.records import Kind
from index.embed import HashEmbedder
from index.search import Searcher
from index.store import load_index
from web.catalog import Catalog


def _searcher(home: Settings) -> Searcher:
    return Searcher(load_index(home.index_dir, "hash"), HashEmbedder())


def test_facts_are_made_once_per_index_and_shared(hash_home: Settings) -> None:
    searcher = _searcher(hash_home)
    facts = index_facts(searcher)
    assert index_facts(searcher) is facts
    assert facts.by_id == {r.id: r for r in searcher.records}
    assert set(facts.practice_cities) == {r.city for r in searcher.records if r.kind is Kind.PRACTICE and r.city}
    assert facts.area_vectors() is facts.area_vectors()  # embedded once
    assert facts.area_vectors().shape[0] == 17
    catalog = Catalog(facts)  # the pages' look-ups are built on the same facts
    assert catalog.by_id is facts.by_id and catalog.records is facts.records


def test_the_runtime_makes_the_facts_when_the_index_loads(hash_home: Settings) -> None:
    rt = open_runtime(hash_home)
    assert rt.searcher._derived  # made in open_runtime, before any question
    assert rt.facts is index_facts(rt.searcher)


def test_threads_at_once_make_the_facts_once(hash_home: Settings) -> None:
    searcher = _searcher(hash_home)
    made: list[IndexFacts] = []
    gate = threading.Barrier(8)

    def slow_make(s: Searcher) -> IndexFacts:
        time.sleep(0.2)  # long enough for every other thread to ask meanwhile
        made.append(IndexFacts.of(s))
        return made[-1]

    def ask(_: int) -> IndexFacts:
        gate.wait()
        return searcher.derived(slow_make)

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(ask, range(8)))
    assert len(made) == 1 and all(f is made[0] for f in got)


def test_another_index_gets_its_own_facts(hash_home: Settings) -> None:
    searcher = _searcher(hash_home)
    old = index_facts(searcher)
    searcher.index = load_index(hash_home.index_dir, "hash")  # the index loaded again (after a rebuild, say)
    new = index_facts(searcher)
    assert new is not old and new.records is searcher.index.records
    assert index_facts(searcher) is new
