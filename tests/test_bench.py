"""The bench on small inputs with the hash embedder: its figures are sane and its filtered searches right."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, TOOLKIT

from assistant.evaluation.bench import PeakMemory, bench_corpus, bench_synthetic, format_report, latency
from assistant.evaluation.workload import Vocabulary, make_queries, synthetic_records
from assistant.settings import Settings
from index import backends
from index.embed import HashEmbedder
from index.search import Filters

TEXT = """The welcome desk gives newcomers information in six languages and refers them to language courses,
housing advice and a doctor. Volunteers accompany newcomers to the town hall, the job centre and the school.
Every spring the mayor hosts a reception for new residents; local associations present their work. The
city trains its staff in intercultural competence, monitors the media for stereotypes and runs an
anti-rumour network with libraries, schools, sports clubs and neighbourhood centres. Mediation services
help neighbours in conflict; the council consults migrant associations on its diversity strategy."""


def lat_ok(lat: dict[str, float], n: int) -> bool:
    return lat["n"] == n and lat["max_ms"] >= lat["p95_ms"] >= lat["p50_ms"] > 0 and lat["mean_ms"] > 0


def test_latency_and_queries() -> None:
    assert latency([0.001, 0.002, 0.003]) == {"n": 3, "p50_ms": 2.0, "p95_ms": 2.9, "mean_ms": 2.0, "max_ms": 3.0}
    vocab = Vocabulary.from_texts([TEXT])
    records = synthetic_records(50, vocab, seed=3)
    queries = make_queries(records, 40, ["How to welcome newcomers?"])
    assert len(queries) == len(set(queries)) == 40 and queries[0] == "How to welcome newcomers?"
    assert len(make_queries(records[:2], 10)) == 10  # too few records: queries repeat


def test_synthetic_bench_on_an_hnsw_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2,000 records in an HNSW index, as 100,000 would be: the approximate index and its filters are tested
    monkeypatch.setattr(backends, "EXACT_LIMIT", 1000)
    vocab = Vocabulary.from_texts([TEXT])
    queries = make_queries(synthetic_records(200, vocab, seed=9), 20)
    fig, searcher = bench_synthetic(2000, queries, HashEmbedder(), vocab, tmp_path / "index")
    index = searcher.index
    assert fig["records"] == len(index.records) == 2000 and fig["units"] == index.dense.size >= 2000
    assert fig["dense_index"] == "IndexHNSWFlat" and not index.dense.exact
    for case in ("search", "search_area", "search_city", "search_index_only", "search_area_index_only",
                 "search_city_index_only", "query_embedding"):
        assert lat_ok(fig[case], 20), (case, fig[case])
    assert fig["area_filter_violations"] == fig["city_filter_violations"] == 0
    assert 0 <= fig["filter_mask_ms"]["columns"] <= fig["filter_mask_ms"]["per_record_loop"]
    # the process holds the vectors while it searches: a peak below their size is a broken measurement
    vector_mib = index.dense.size * index.dense.index.d * 4 / 2**20
    assert fig["search_peak_memory_mib"] >= vector_mib and fig["build_peak_memory_mib"] >= vector_mib
    assert "Synthetic corpus: 2,000 records" in format_report(
        {"when": "now", "cpus": 2, "python": "3", "model": "hash", "fusion": "convex", "k": 10,
         "synthetic": fig, "total_seconds": 1.0, "process_peak_mib": 1.0})

    vectors = index.dense.index.reconstruct_n(0, index.dense.size)
    for q in queries[:5]:
        area_hits = searcher.search(q, k=10, filters=Filters(areas=("media",)))
        assert area_hits and all("media" in h.record.areas for h in area_hits)
        city = index.records[0].city
        hits = searcher.search(q, k=10, filters=Filters(city=city))
        assert hits and all(h.record.city == city for h in hits)
        # a selective filter on HNSW: every allowed record scored exactly, not only those HNSW returns
        qv = searcher.embedder.embed_batch([q])[0]
        position = {r.id: i for i, r in enumerate(index.records)}
        for h in hits:
            exact = float((vectors[index.unit_record == position[h.record.id]] @ qv).max())
            assert h.dense == pytest.approx(exact, abs=1e-5)


def test_corpus_bench_uses_a_temporary_home(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc_id in (TOOLKIT, "icc-programme-brochure"):
        shutil.copy(CORPUS / f"{doc_id}.txt", corpus / f"{doc_id}.txt")
    home = tmp_path / "user-home"
    settings = Settings(corpus_dir=corpus, home=home, embed_model="hash")
    fig, searcher, records, queries = bench_corpus(settings, 20, cli_runs=1)
    assert not home.exists()  # the user's index and cache are never touched
    assert fig["records"] == len(records) == len(searcher.records) > 100 and fig["documents"] == 2
    assert 0 < fig["cold_build"]["embedded"] <= fig["units"] and fig["warm_build"]["embedded"] == 0
    assert len(queries) == fig["queries"] == 20
    for case in ("search", "search_area", "search_index_only", "search_area_index_only", "query_embedding"):
        assert lat_ok(fig[case], 20), (case, fig[case])
    assert fig["area_filter_violations"] == 0
    assert lat_ok(fig["ask"], len(queries))  # no judged answers beside this corpus: the queries are asked
    assert "draft_five_areas" not in fig  # this corpus has no ICC report to draft from
    cli = fig["cold_cli"]  # new processes against the temporary index: the questions answered, wrong input refused
    assert cli["search"]["exit_codes"] == cli["ask"]["exit_codes"] == [0]
    assert 0 not in cli["search, unknown area"]["exit_codes"] and 0 not in cli["draft, missing file"]["exit_codes"]


def test_peak_memory_sees_an_allocation() -> None:
    mem = PeakMemory()
    mem.reset()
    before = mem.peak_mib()
    # 64 MiB above the peak so far, touched: seen whether the reset lowered the peak to the resident memory
    # or not (in a long test run it may not: the process's earlier peak then stands)
    rss = (PeakMemory._status("VmRSS") or 0) / 1024
    mib = 64 + max(0.0, before - rss)
    block = np.ones(int(mib * 2**20) // 8)
    # the kernel's resident-memory counters may lag the page faults a little: read again for up to a second
    for _ in range(20):
        if mem.peak_mib() >= before + 60:
            break
        time.sleep(0.05)
    assert mem.peak_mib() >= before + 60 and block[-1] == 1.0
    del block
