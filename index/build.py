"""Build the index: corpus folder → records → area tags → embedded windows → index folder."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from corpus.errors import CorpusError
from corpus.load import Corpus, files_fingerprint, load_corpus
from corpus.records import Record
from index.embed import Embedder, EmbeddingCache
from index.folder import remove_temporary, writer_lock
from index.store import (
    SCHEMA,
    IndexUnavailable,
    Manifest,
    index_complete,
    load_index,
    rewrite_manifest,
    sentence_spans,
    term_vocabulary,
    unit_texts,
    versions,
    write_index,
)

Tagger = Callable[[list[Record], Embedder], list[Record]]

_ROOT = Path(__file__).resolve().parents[1]
# code whose change changes the records or the index: a rebuild is due when it changes (the code of a tagger,
# which lives on the floor above, is named by the caller: `tagger_code`)
_RECORD_CODE = ("corpus", "index/store.py", "index/build.py", "index/backends.py")


def code_fingerprint(tagger_code: Sequence[Path] = ()) -> str:
    h = hashlib.sha256()
    for part in _RECORD_CODE:
        path = _ROOT / part
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and f.suffix in (".py", ".tsv"):
                h.update(f.relative_to(_ROOT).as_posix().encode())
                h.update(f.read_bytes())
    for f in sorted(tagger_code):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def built_by_this_code(manifest: Manifest, tagger_code: Sequence[Path] = ()) -> bool:
    """Whether the index was built by the current parsing and indexing code (else a rebuild is due)."""
    return manifest.corpus_fingerprint.endswith(f"-{code_fingerprint(tagger_code)}")


@dataclass(frozen=True, slots=True)
class BuildReport:
    manifest: Manifest
    embedded: int  # windows that had to be embedded (not in the cache)
    unchanged: bool  # the corpus and settings were those of the existing index: nothing rebuilt
    corpus: Corpus | None  # None when the files were those of the index: nothing was read
    embedded_sentences: int = 0  # sentences that had to be embedded (not in the cache)

    @property
    def skipped(self) -> list[str]:
        """The files skipped (unreadable, encrypted, no text), now or, if nothing was read, last time."""
        return [str(e) for e in self.corpus.skipped] if self.corpus is not None else list(self.manifest.skipped)


def build_index(
    corpus_dir: Path, index_dir: Path, cache_dir: Path, embedder: Embedder, *,
    chunk_words: int = 110, chunk_overlap: int = 30, tagger: Tagger | None = None, tagger_code: Sequence[Path] = (),
    force: bool = False, progress: Callable[[str, int, int], None] | None = None,
    multilingual: Embedder | None = None,
) -> BuildReport:
    """Build or refresh the index; an up-to-date index is left as it is unless `force`. `multilingual`:
    a second embedder whose vectors of the same windows serve questions in other languages. A missing or
    damaged file (its checksum differs) makes the index rebuilt. One build at a time (a lock); what a killed
    build left behind is removed first."""
    with writer_lock(index_dir):
        remove_temporary(index_dir)
        return _build_locked(corpus_dir, index_dir, cache_dir, embedder, chunk_words=chunk_words,
                             chunk_overlap=chunk_overlap, tagger=tagger, tagger_code=tagger_code, force=force,
                             progress=progress,
                             multilingual=multilingual)


def _build_locked(
    corpus_dir: Path, index_dir: Path, cache_dir: Path, embedder: Embedder, *,
    chunk_words: int, chunk_overlap: int, tagger: Tagger | None, tagger_code: Sequence[Path], force: bool,
    progress: Callable[[str, int, int], None] | None, multilingual: Embedder | None,
) -> BuildReport:
    t0 = time.perf_counter()
    files = files_fingerprint(corpus_dir)
    old = None
    if not force and index_complete(index_dir):  # a part missing: rebuilt, whatever the manifest says
        try:  # an index that does not load (damaged, cut short, another model) is simply rebuilt
            old = load_index(index_dir, embedder.name).manifest
        except IndexUnavailable:
            old = None
        if old is not None and not (old.schema == SCHEMA and old.model == embedder.name and
                                    old.chunk_words == chunk_words and old.chunk_overlap == chunk_overlap
                                    and old.multilingual == (multilingual.name if multilingual else "")):
            old = None
    code = code_fingerprint(tagger_code)
    if old is not None and old.files_fingerprint == files and old.corpus_fingerprint.endswith(f"-{code}"):
        return BuildReport(old, 0, True, None)  # same files, same code: no need to read them
    corpus = load_corpus(corpus_dir)
    fingerprint = f"{corpus.fingerprint}-{code}"
    if old is not None and old.corpus_fingerprint == fingerprint:
        skipped = [str(e) for e in corpus.skipped]
        if (old.files_fingerprint, old.skipped) != (files, skipped):  # so that next time nothing is read
            old = replace(old, files_fingerprint=files, skipped=skipped)
            rewrite_manifest(index_dir, old)
        return BuildReport(old, 0, True, corpus)
    if not corpus.records:
        raise CorpusError(f"nothing to index in {corpus_dir}: its documents hold no text beyond headings "
                          "and captions")
    records = tagger(corpus.records, embedder) if tagger else corpus.records
    texts: list[str] = []
    owners: list[int] = []
    for i, r in enumerate(records):
        for t in unit_texts(r, chunk_words, chunk_overlap):
            texts.append(t)
            owners.append(i)
    spans = sentence_spans(records)
    sentences = [records[i].text[a:b] for i, a, b in spans]
    cache = EmbeddingCache(cache_dir, embedder.name)
    # with a multilingual model, the windows again and every word of the records, each alone (index.search:
    # a question in another language is read in English through them)
    vocabulary = term_vocabulary(records) if multilingual is not None else []
    total = len(texts) + len(sentences) + (len(texts) + len(vocabulary) if multilingual is not None else 0)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embed", done, total)

    try:
        vectors, embedded = cache.embed(embedder, texts, progress=tick)
        done = len(texts)
        # every sentence too, so that an answer embeds only its question
        sentence_vectors, embedded_sentences = cache.embed(embedder, sentences, progress=tick)
    finally:
        cache.close()
    ml_vectors = None
    terms = None
    if multilingual is not None:
        done = len(texts) + len(sentences)
        ml_cache = EmbeddingCache(cache_dir, multilingual.name)
        try:
            ml_vectors, embedded_ml = ml_cache.embed(multilingual, texts, progress=tick)
            word_vectors, _ = ml_cache.embed(multilingual, vocabulary, progress=tick)
            embedded += embedded_ml
            terms = (vocabulary, word_vectors)
        finally:
            ml_cache.close()
    manifest = Manifest(
        schema=SCHEMA, model=embedder.name, dim=embedder.dim, chunk_words=chunk_words,
        chunk_overlap=chunk_overlap, corpus_dir=str(corpus_dir), corpus_fingerprint=fingerprint,
        records=len(records), units=len(texts), documents=len(corpus.documents),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - t0, 2), versions=versions(),
        skipped=[str(e) for e in corpus.skipped], files_fingerprint=files,
        multilingual=multilingual.name if multilingual is not None else "",
    )
    manifest = write_index(index_dir, manifest, records, corpus.documents, owners, vectors, spans, sentence_vectors,
                           ml_vectors, terms)
    return BuildReport(manifest, embedded, False, corpus, embedded_sentences)
