"""`make bench`: build and search figures on the shared corpus, and search cost on a synthetic corpus.

    python -m assistant.evaluation.bench [--synthetic 100000] [--queries 200] [--skip-cold] [--no-corpus]
        [--cli-runs 5] [--json] [--out FILE]

Shared corpus (settings from ICC_* as everywhere; everything happens in a temporary ICC home, the
project's own `.icc/` is never touched):
  * cold build: `assistant.runtime.build` into an empty home (empty embedding cache; it loads the model
    from disk, the libraries being imported already);
  * warm build: the same, forced, with the embedding cache filled;
  * `open_runtime` (index + model), then search latency of every query through
    `assistant.questions.search_question` (the path of the CLI and the API), query embedding included,
    unfiltered and with an area filter; then the same searches with the query vector given (the cost of
    the index alone), and the query embedding alone, interleaved query by query;
  * cold CLI: `icc-assistant search`, `ask`, and two wrong inputs (an unknown area, a missing report), each
    in `--cli-runs` new processes against the index just built: the median wall time.

Synthetic corpus of N records: random texts whose words are drawn from the corpus's own word
frequencies, random cities, countries, areas, kinds (practice/passage) and document ids. Its vectors are
random unit vectors, not embeddings (the model embedding 100,000 texts on two CPU cores would take half an
hour or more), so only the cost of search is meaningful, not what it finds. The index is written and read by
the real `index.store.write_index` / `load_index` (FAISS: exact below 50,000 vectors, HNSW above; BM25
over every record), and queries go through the same `search_question` with the real model embedding the
query text.

Peak memory is the resident set's high-water mark (VmHWM of /proc/self/status), reset at the start of
each phase through /proc/self/clear_refs; where that is unavailable, the process peak so far
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`), which never goes down.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evaluation.workload import (
    Vocabulary,
    eval_questions,
    make_queries,
    synthetic_records,
    write_synthetic_index,
)
from corpus.records import Record
from index.backends import EXACT_LIMIT
from index.embed import Embedder
from index.search import Filters, Hit, Searcher, SearchParams
from index.store import versions

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


# --- measuring -----------------------------------------------------------------------------------


class PeakMemory:
    """Peak resident memory of a phase: VmHWM reset via /proc/self/clear_refs, else ru_maxrss."""

    def __init__(self) -> None:
        self.resettable = False

    @property
    def method(self) -> str:
        if self.resettable:
            return "peak RSS of the phase (VmHWM, reset at the phase start via /proc/self/clear_refs)"
        return "peak RSS of the process so far (getrusage ru_maxrss; it never goes down)"

    def reset(self) -> None:
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            self.resettable = self._status("VmHWM") is not None
        except OSError:
            self.resettable = False

    @staticmethod
    def _status(field: str) -> int | None:
        try:
            m = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
        except OSError:
            return None
        return int(m.group(1)) if m else None

    def peak_mib(self) -> float:
        kib = self._status("VmHWM") if self.resettable else None
        if kib is None:
            kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        return round(kib / 1024, 1)

    def current_mib(self) -> float | None:
        kib = self._status("VmRSS")
        return None if kib is None else round(kib / 1024, 1)


def latency(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean and max in milliseconds."""
    ms = np.asarray(seconds, dtype=np.float64) * 1000
    if not len(ms):
        return {"n": 0, "p50_ms": 0.0, "p95_ms": 0.0, "mean_ms": 0.0, "max_ms": 0.0}
    p50, p95 = np.percentile(ms, [50, 95])
    return {"n": len(ms), "p50_ms": round(float(p50), 3), "p95_ms": round(float(p95), 3),
            "mean_ms": round(float(ms.mean()), 3), "max_ms": round(float(ms.max()), 3)}


class _GivenVector:
    """An embedder that returns a vector computed beforehand: times the index without the model."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim
        self.vector = np.zeros(dim, dtype=np.float32)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return np.repeat(self.vector[None, :], len(texts), axis=0)


FilterFor = Callable[[int], Filters | None]


def time_searches(searcher: Searcher, queries: Sequence[str], cases: dict[str, FilterFor], k: int = 10,
                  warmup: int = 3) -> tuple[dict[str, dict[str, float]], dict[str, list[list[Hit]]]]:
    """Latency of `search_question` per case (a filter for each query number), query embedding
    included; of the same searches with the query vector given (`<case>_index_only`: the cost of the
    index, which is what grows with the corpus); and of embedding the query alone (`query_embedding`).
    The measurements are interleaved query by query, so that other work on the machine weighs on all
    of them alike. Returns the latencies and the hits of the full searches."""
    from assistant.questions import search_question

    given = _GivenVector(searcher.embedder.name, searcher.embedder.dim)
    index_only = Searcher(searcher.index, given, searcher.params)
    times: dict[str, list[float]] = {"query_embedding": []}
    hits: dict[str, list[list[Hit]]] = {name: [] for name in cases}
    for n, q in enumerate([*queries[:warmup], *queries]):
        timed = n >= warmup
        i = n - warmup if timed else 0
        t0 = time.perf_counter()
        given.vector = searcher.embedder.embed_batch([q])[0]
        t1 = time.perf_counter()
        if timed:
            times["query_embedding"].append(t1 - t0)
        for name, filters_for in cases.items():
            flt = filters_for(i)
            t0 = time.perf_counter()
            found = search_question(searcher, q, k, flt)
            t1 = time.perf_counter()
            search_question(index_only, q, k, flt)
            t2 = time.perf_counter()
            if timed:
                times.setdefault(name, []).append(t1 - t0)
                times.setdefault(f"{name}_index_only", []).append(t2 - t1)
                hits[name].append(found)
    return {name: latency(t) for name, t in times.items()}, hits


def bench_synthetic(n: int, queries: Sequence[str], embedder: Embedder, vocab: Vocabulary, folder: Path, *,
                    params: SearchParams | None = None, k: int = 10, seed: int = 1,
                    log: Log = _quiet) -> tuple[dict[str, Any], Searcher]:
    """Build a synthetic index of `n` records in `folder` and time searches on it."""
    mem = PeakMemory()
    mem.reset()
    fig: dict[str, Any] = {"records": n, "queries": len(queries),
                           "vectors": f"random unit vectors ({embedder.dim} dimensions), not embeddings of the "
                                      "texts; queries are embedded by the model",
                           "texts": "random words drawn with the shared corpus's word frequencies"}
    log(f"synthetic: making {n:,} records")
    t0 = time.perf_counter()
    records = synthetic_records(n, vocab, seed)
    fig["generate_seconds"] = round(time.perf_counter() - t0, 2)
    log("synthetic: writing the index (FAISS + BM25) and loading it")
    built, index = write_synthetic_index(folder, records, embedder, seed=seed + 1)
    fig.update(built)
    fig["build_seconds"] = round(fig["generate_seconds"] + built["vectors_seconds"] + built["write_seconds"], 2)
    del records
    fig["build_peak_memory_mib"] = mem.peak_mib()
    mem.reset()
    searcher = Searcher(index, embedder, params)
    rng = np.random.default_rng(seed + 2)
    areas = sorted({a for r in index.records for a in r.areas})
    area_of = [areas[int(j)] for j in rng.integers(0, len(areas), len(queries))]
    cities = sorted({r.city for r in index.records})
    city_of = [cities[int(j)] for j in rng.integers(0, len(cities), len(queries))]
    # what the filter mask costs: the per-record loop over Filters.accepts against the encoded columns
    probe = [Filters(areas=(a,)) for a in area_of[:5]]
    t0 = time.perf_counter()
    loop = [np.fromiter((f.accepts(r) for r in index.records), dtype=bool, count=len(index.records)) for f in probe]
    loop_s = (time.perf_counter() - t0) / len(probe)
    searcher.allowed(Filters())  # encodes the columns once
    t0 = time.perf_counter()
    masks = [searcher.allowed(f) for f in probe]
    mask_s = (time.perf_counter() - t0) / len(probe)
    assert all(np.array_equal(a, b) for a, b in zip(loop, masks, strict=True))
    fig["filter_mask_ms"] = {"per_record_loop": round(loop_s * 1000, 2), "columns": round(mask_s * 1000, 3)}
    log(f"synthetic: {len(queries)} queries, unfiltered, area filter, city filter")
    lat, hits = time_searches(searcher, queries, {
        "search": lambda i: None, "search_area": lambda i: Filters(areas=(area_of[i],)),
        "search_city": lambda i: Filters(city=city_of[i])}, k)
    fig.update(lat)
    area_hits, city_hits = hits["search_area"], hits["search_city"]
    fig["area_filter_violations"] = sum(area_of[i] not in h.record.areas
                                        for i, hs in enumerate(area_hits) for h in hs)
    fig["city_filter_violations"] = sum(h.record.city != city_of[i] for i, hs in enumerate(city_hits) for h in hs)
    fig["records_per_area"] = round(float(np.mean([m.sum() for m in masks])))
    fig["search_peak_memory_mib"] = mem.peak_mib()
    fig["memory_method"] = mem.method
    return fig, searcher


# --- the shared corpus ---------------------------------------------------------------------------


def bench_corpus(settings: Any, n_queries: int, *, skip_cold: bool = False, k: int = 10, cli_runs: int = 0,
                 log: Log = _quiet) -> tuple[dict[str, Any], Searcher, list[Record], list[str]]:
    """Builds (cold, warm) and search latency on the configured corpus, in a temporary ICC home."""
    from assistant.runtime import build, open_runtime

    mem = PeakMemory()
    mem.reset()
    fig: dict[str, Any] = {"corpus_dir": str(settings.corpus_dir), "model": settings.embed_model,
                           "fusion": settings.fusion, "k": k}
    with tempfile.TemporaryDirectory(prefix="icc-bench-") as tmp:
        s = settings.model_copy(update={"home": Path(tmp) / "home"})
        if skip_cold:
            if settings.cache_dir.is_dir():  # a copy of the user's embedding cache, read only
                shutil.copytree(settings.cache_dir, s.cache_dir)
            fig["cold_build"] = None
            log("corpus: filling the embedding cache (not timed: --skip-cold)")
            build(s)
        else:
            log("corpus: cold build (empty embedding cache)")
            t0 = time.perf_counter()
            report = build(s)
            fig["cold_build"] = {"seconds": round(time.perf_counter() - t0, 2), "embedded": report.embedded}
        log("corpus: warm build (embedding cache filled, forced)")
        t0 = time.perf_counter()
        report = build(s, force=True)
        fig["warm_build"] = {"seconds": round(time.perf_counter() - t0, 2), "embedded": report.embedded}
        fig["build_peak_memory_mib"] = mem.peak_mib()
        mem.reset()
        m = report.manifest
        fig.update(documents=m.documents, records=m.records, units=m.units)
        log("corpus: loading index and model")
        t0 = time.perf_counter()
        runtime = open_runtime(s)
        fig["open_seconds"] = round(time.perf_counter() - t0, 2)
        searcher = runtime.searcher
        records = searcher.records
        questions = eval_questions(settings.corpus_dir.parent / "eval" / "dev.jsonl")
        queries = make_queries(records, n_queries, questions)
        fig["queries"] = len(queries)
        fig["distinct_queries"] = len(set(queries))
        fig["queries_from"] = (f"{min(len(questions), len(queries))} dev questions, record titles (also "
                               "rephrased), record openings")
        areas = sorted({a for r in records for a in r.areas})
        log(f"corpus: {len(queries)} queries")
        lat, hits = time_searches(searcher, queries, {
            "search": lambda i: None, "search_area": lambda i: Filters(areas=(areas[i % len(areas)],))}, k)
        fig.update(lat)
        fig["area_filter_violations"] = sum(areas[i % len(areas)] not in h.record.areas
                                            for i, hs in enumerate(hits["search_area"]) for h in hs)
        fig.update(time_answers(searcher, settings.corpus_dir, queries, log))
        if cli_runs:
            log(f"corpus: cold CLI, {cli_runs} new processes per command")
            fig["cold_cli"] = time_cold_cli(s, cli_runs)
    fig["search_peak_memory_mib"] = mem.peak_mib()
    fig["memory_method"] = mem.method
    return fig, searcher, list(records), queries


# the shared corpus's cold build on this 2-core machine before the sentence vectors (answers) and the multilingual
# model's windows and words (issue 13), for comparison
COLD_BUILD_BEFORE = 23.2

# what a user types: a search, a question, and two wrong inputs that must fail before any model loads
COLD_COMMANDS: dict[str, list[str]] = {
    "search": ["search", "How do other cities handle media monitoring?", "-k", "5"],
    "ask": ["ask", "How do other cities handle media monitoring?"],
    "search, unknown area": ["search", "media", "--area", "no-such-area"],
    "draft, missing file": ["draft", "no-such-report.pdf"],
}


def time_cold_cli(settings: Any, runs: int = 5) -> dict[str, dict[str, Any]]:
    """Wall time of `icc-assistant` commands, each in `runs` new processes (interpreter start, imports, index
    and model loading included) against the index of `settings.home`: median, min, max, and the exit codes."""
    env = {**os.environ, "ICC_HOME": str(settings.home), "ICC_CORPUS_DIR": str(settings.corpus_dir),
           "ICC_EMBED_MODEL": settings.embed_model, "ICC_MULTILINGUAL_MODEL": settings.multilingual_model}
    out: dict[str, dict[str, Any]] = {}
    for name, argv in COLD_COMMANDS.items():
        times, codes = [], set()
        for _ in range(runs):
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", *argv], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - t0)
            codes.add(done.returncode)
        out[name] = {"median_s": round(statistics.median(times), 2), "min_s": round(min(times), 2),
                     "max_s": round(max(times), 2), "runs": runs, "exit_codes": sorted(codes)}
    return out


def time_answers(searcher: Searcher, corpus_dir: Path, queries: Sequence[str], log: Log = _quiet,
                 n: int = 60) -> dict[str, Any]:
    """`ask` through the library with the index loaded (the judged answer questions, then dev questions
    and record titles), and a five-area draft of the ICC report of the corpus, if it has one."""
    from assistant.answer import ask
    from assistant.draft import draft, report_records
    from assistant.profile_io import read_profile_file

    judged = corpus_dir.parent / "eval" / "answers-dev.json"
    asked = [q["query"] for q in json.loads(judged.read_text(encoding="utf-8"))] if judged.is_file() else []
    asked = (asked + list(queries))[:n]
    log(f"corpus: {len(asked)} answers")
    ask(searcher, asked[0])  # first call: per-index views (vocabulary, area vectors) are built once
    times = []
    for q in asked:
        t0 = time.perf_counter()
        ask(searcher, q)
        times.append(time.perf_counter() - t0)
    out: dict[str, Any] = {"ask": latency(times)}
    reports = sorted(corpus_dir.rglob("icc-index-*.pdf")) or sorted(corpus_dir.rglob("icc-index-*.txt"))
    if reports:
        read = read_profile_file(reports[0], records=True)
        profile = read.profile
        records, documents = report_records(read, searcher)
        draft(searcher, profile, report=records, documents=documents, limit=5)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            draft(searcher, profile, report=records, documents=documents, limit=5)
            times.append(time.perf_counter() - t0)
        out["draft_five_areas"] = latency(times)
    return out


# --- report --------------------------------------------------------------------------------------


def _lat_row(name: str, lat: dict[str, float]) -> str:
    return f"  {name:<44}{lat['p50_ms']:>9.1f}{lat['p95_ms']:>9.1f}{lat['mean_ms']:>9.1f}{lat['max_ms']:>9.1f}"


def format_report(figures: dict[str, Any]) -> str:
    out = [f"ICC bench, {figures['when']}: {figures['cpus']} CPU cores, Python {figures['python']}, "
           f"model {figures['model']}, fusion {figures['fusion']}, k={figures['k']}"
           + (f", torch threads {figures['torch_threads']}"
              f"{' (--torch-threads)' if figures.get('torch_threads_set') else ' (its default)'}"
              if figures.get("torch_threads") else "")]
    head = f"  {'search_question latency (ms)':<44}{'p50':>9}{'p95':>9}{'mean':>9}{'max':>9}"
    c = figures.get("corpus")
    if c:
        out += ["", f"Shared corpus {c['corpus_dir']}: {c['documents']} documents, {c['records']:,} records, "
                    f"{c['units']:,} embedded windows"]
        if c["cold_build"]:
            out.append(f"  build, cold (empty cache, model load incl.)  {c['cold_build']['seconds']:>8.1f} s   "
                       f"{c['cold_build']['embedded']:,} windows embedded (was {COLD_BUILD_BEFORE} s before the "
                       "sentence vectors and the multilingual model; budget 120 s)")
        out.append(f"  build, warm (cache filled, forced)           {c['warm_build']['seconds']:>8.1f} s   "
                   f"{c['warm_build']['embedded']:,} windows embedded")
        out.append(f"  open index + load model                      {c['open_seconds']:>8.1f} s")
        out += [f"  {c['queries']} queries ({c['distinct_queries']} distinct): {c['queries_from']}", head,
                _lat_row("unfiltered", c["search"]),
                _lat_row("  index only (query vector given)", c["search_index_only"]),
                _lat_row("area filter", c["search_area"]),
                _lat_row("  index only (query vector given)", c["search_area_index_only"]),
                _lat_row("query embedding alone", c["query_embedding"]),
                _lat_row(f"ask, whole answer ({c['ask']['n']} questions)", c["ask"]),
                *([_lat_row("draft of five areas (5 runs)", c["draft_five_areas"])] if "draft_five_areas" in c else []),
                *[f"  cold CLI {'`' + name + '`':<24} median {t['median_s']:5.2f} s (min {t['min_s']:.2f}, max "
                  f"{t['max_s']:.2f}; {t['runs']} new processes, exit {'/'.join(map(str, t['exit_codes']))})"
                  for name, t in c.get("cold_cli", {}).items()],
                f"  peak memory: builds {c['build_peak_memory_mib']:,.0f} MiB, open + search "
                f"{c['search_peak_memory_mib']:,.0f} MiB ({c['memory_method']})"]
    s = figures.get("synthetic")
    if s:
        out += ["", f"Synthetic corpus: {s['records']:,} records, {s['units']:,} windows, FAISS {s['dense_index']} "
                    f"(exact up to {EXACT_LIMIT:,} vectors) + BM25",
                f"  texts: {s['texts']}; vectors: {s['vectors']}",
                f"  build (records, vectors, write_index)       {s['build_seconds']:>8.1f} s   "
                f"(write_index {s['write_seconds']:.1f} s)",
                f"  load_index                                  {s['load_seconds']:>8.1f} s",
                f"  filter mask (one area): per-record loop {s['filter_mask_ms']['per_record_loop']:.1f} ms, "
                f"encoded columns {s['filter_mask_ms']['columns']:.2f} ms",
                f"  {s['queries']} queries (the corpus queries above)", head,
                _lat_row("unfiltered", s["search"]),
                _lat_row("  index only (query vector given)", s["search_index_only"]),
                _lat_row(f"area filter (~{s['records_per_area']:,.0f} records)", s["search_area"]),
                _lat_row("  index only (query vector given)", s["search_area_index_only"]),
                _lat_row("city filter (~1/300 of the records)", s["search_city"]),
                _lat_row("  index only (query vector given)", s["search_city_index_only"]),
                _lat_row("query embedding alone", s["query_embedding"]),
                f"  filtered hits outside their filter: {s['area_filter_violations'] + s['city_filter_violations']}",
                f"  peak memory: generate + build + load {s['build_peak_memory_mib']:,.0f} MiB, search "
                f"{s['search_peak_memory_mib']:,.0f} MiB ({s['memory_method']})"]
    out.append(f"\ntotal {figures['total_seconds']:.0f} s; process peak RSS {figures['process_peak_mib']:,.0f} MiB")
    if figures.get("load_average_start") and figures.get("load_average_end"):
        out.append(f"load average (1/5/15 min) at start {figures['load_average_start']}, "
                   f"at end {figures['load_average_end']}: other work on the machine slows every figure")
    return "\n".join(out)


def _load() -> list[float] | None:
    """1-, 5- and 15-minute load averages: other work on the machine slows every figure."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assistant.evaluation.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--synthetic", type=int, default=100_000, metavar="N",
                    help="records of the synthetic corpus (0: skip it)")
    ap.add_argument("--queries", type=int, default=200, metavar="N", help="queries timed per case")
    ap.add_argument("--skip-cold", action="store_true",
                    help="no cold build: the temporary cache starts as a copy of the user's cache")
    ap.add_argument("--no-corpus", action="store_true", help="skip the shared-corpus builds and searches")
    ap.add_argument("--torch-threads", type=int, metavar="N",
                    help="torch.set_num_threads(N) before anything runs (default: torch's own choice)")
    ap.add_argument("-k", type=int, default=10, help="hits per search")
    ap.add_argument("--cli-runs", type=int, default=5, metavar="N",
                    help="new `icc-assistant` processes timed per command (0: none)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object, not the table")
    ap.add_argument("--out", type=Path, help="also write the JSON figures to this file")
    args = ap.parse_args(argv)

    from assistant.runtime import search_params
    from assistant.settings import Settings
    from corpus.load import load_corpus
    from index.embed import make_embedder

    def log(msg: str) -> None:
        print(f"[bench {time.perf_counter() - start:6.1f}s] {msg}", file=sys.stderr, flush=True)

    start = time.perf_counter()
    settings = Settings()
    torch_threads = None
    if settings.embed_model != "hash" or args.torch_threads:
        import torch

        if args.torch_threads:
            torch.set_num_threads(args.torch_threads)
        torch_threads = torch.get_num_threads()
    figures: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
        "python": sys.version.split()[0], "model": settings.embed_model, "fusion": settings.fusion, "k": args.k,
        "torch_threads": torch_threads, "torch_threads_set": bool(args.torch_threads),
        "versions": versions(), "load_average_start": _load()}
    if args.no_corpus:
        records = load_corpus(settings.corpus_dir).records
        embedder = make_embedder(settings.embed_model, settings.embed_batch_size)
        queries = make_queries(records, args.queries, eval_questions(settings.corpus_dir.parent / "eval" /
                                                                     "dev.jsonl"))
    else:
        figures["corpus"], searcher, records, queries = bench_corpus(
            settings, args.queries, skip_cold=args.skip_cold, k=args.k, cli_runs=args.cli_runs, log=log)
        embedder = searcher.embedder
        del searcher
    if args.synthetic > 0:
        vocab = Vocabulary.from_texts([r.text for r in records])
        with tempfile.TemporaryDirectory(prefix="icc-bench-synthetic-") as tmp:
            figures["synthetic"], _ = bench_synthetic(args.synthetic, queries, embedder, vocab, Path(tmp) / "index",
                                                      params=search_params(settings), k=args.k, log=log)
    figures["total_seconds"] = round(time.perf_counter() - start, 1)
    figures["load_average_end"] = _load()
    figures["process_peak_mib"] = max([PeakMemory().peak_mib()] + [
        figures[p][f"{w}_peak_memory_mib"] for p in ("corpus", "synthetic") if p in figures
        for w in ("build", "search")])
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(figures, indent=2, ensure_ascii=False) if args.json else format_report(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
