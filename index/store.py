"""The index folder: records, documents, vectors, BM25 and a manifest, replaced atomically.

Layout of `<ICC_HOME>/index/`:
  manifest.json   model, dimensions, chunking, corpus and files fingerprints, versions, counts
  records.jsonl   one record a line (the `corpus --json` shape)
  documents.json  every document's cleaned text and page offsets (for the source reader)
  units.json      embedded windows: record index of each vector
  dense.faiss     the vectors
  bm25/           the BM25 index over records
  sentences.json  every record's sentences: [record position, start, end] (offsets into its text)
  sentences.npy   their vectors, in the same order, so an answer embeds only the question
  dense-ml.faiss  the same windows embedded by the multilingual model (when one is configured)
  terms-ml.json   with it: the records' words (`term_words`), and terms-ml.npy their vectors by that model,
                  each word embedded alone (a question in another language is read in English through them)

The manifest records the sha256 of every other file and one of its own fields (`manifest_sha256`): a file
missing, cut or changed by one byte is named (IndexDamaged) before anything is parsed, and a build repairs
it. `index` is a link to one complete version; index/folder.py swaps versions and keeps writers apart.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from corpus.records import Document, Family, Record, is_fallback_title
from corpus.sentences import Sentence, list_item, split_sentences
from index.backends import DenseIndex, SparseIndex, tokenize
from index.folder import checksums, current_version, damaged_file, new_temp_dir, remove_old_versions, swap_in

SCHEMA = 4


class IndexUnavailable(RuntimeError):
    """No usable index: missing, or built with other settings."""


class IndexDamaged(IndexUnavailable):
    """A file of the index is missing or is not what the build wrote (cut, zeroed, a byte changed)."""

    def __init__(self, folder: Path, name: str, how: str = "damaged") -> None:
        why = {"damaged": " (its bytes are not those the build wrote)", "unreadable": " (not a manifest)"}
        super().__init__(f"the index file {name} in {folder} is {how}{why.get(how, '')}; run `icc-assistant build` "
                         "to repair it")
        self.file = name
        self.how = how


class IndexMissing(IndexUnavailable):
    """No index at all yet (as opposed to one that is there but unusable, which must not be overwritten
    without the user asking for a build)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    schema: int
    model: str
    dim: int
    chunk_words: int
    chunk_overlap: int
    corpus_dir: str
    corpus_fingerprint: str
    records: int
    units: int
    documents: int
    built_at: str
    build_seconds: float
    versions: dict[str, str]
    skipped: list[str]
    files_fingerprint: str = ""  # corpus.load.files_fingerprint of the folder it was built from
    multilingual: str = ""  # the multilingual model of dense-ml.faiss, "" when there is none
    checksums: dict[str, str] = field(default_factory=dict)  # sha256 of every other file, by relative path
    manifest_sha256: str = ""  # sha256 of the other fields (see `sealed`)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def digest(self) -> str:
        data = {k: v for k, v in self.to_json().items() if k != "manifest_sha256"}
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def sealed(self) -> Manifest:
        """This manifest with the checksum of its own fields, so a changed byte in manifest.json is seen."""
        return replace(self, manifest_sha256=self.digest())


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in ("faiss", "bm25s", "numpy", "sentence_transformers", "torch", "pypdf"):
        try:
            mod = __import__(name)
            out[name] = str(getattr(mod, "__version__", "?"))
        except ImportError:
            continue
    return out


def _informative_title(record: Record) -> str:
    """The record's title, unless it is the section's or a fallback that only repeats the city
    ("Example from Genoa", "Practice of Vaasa")."""
    t = record.title
    section = record.headings[0] if record.headings else ""
    return "" if not t or t == section or is_fallback_title(t, record.city) else t


def unit_texts(record: Record, words: int, overlap: int) -> list[str]:
    """What is embedded for a record: windows of its text, each led by who and where it is from."""
    who = ", ".join(x for x in (record.city, record.country) if x)
    section = record.headings[0] if record.headings else ""
    title = _informative_title(record)
    lead = " — ".join(x for x in (who, section, title) if x)
    tokens = record.text.split()
    step = max(1, words - overlap)
    windows = [" ".join(tokens[i:i + words]) for i in range(0, max(1, len(tokens) - overlap), step)]
    return [f"{lead}: {w}" if lead else w for w in windows or [record.text]]


def sparse_text(record: Record) -> str:
    # each name once: a booklet entry's city is also its title and a heading, and three copies of
    # "Council of Europe" would make the entry the best match for any question about a council
    labels = dict.fromkeys(x for x in (record.city, record.country, _informative_title(record), *record.headings) if x)
    return " ".join([*labels, record.text])


_WORD = re.compile(r"[^\W\d_]{3,}")


def term_words(record: Record) -> list[str]:
    """The words of a record as BM25 reads it (its labels and text), lower-cased, letters only, three or more
    of them, no stop words, each once: the vocabulary through which a question in another language is read
    in English (index.search, `english_reading`)."""
    return [w for w in dict.fromkeys(_WORD.findall(sparse_text(record).lower())) if tokenize(w)]


def term_vocabulary(records: list[Record]) -> list[str]:
    return sorted({w for r in records for w in term_words(r)})


def sentence_spans(records: list[Record]) -> list[tuple[int, int, int]]:
    """(record position, start, end) of every sentence of every record, in record order."""
    return [(i, s.start, s.end) for i, r in enumerate(records) for s in split_sentences(r.text)]


@dataclass
class LoadedIndex:
    manifest: Manifest
    records: list[Record]
    documents: dict[str, Document]
    unit_record: np.ndarray  # record position of each vector
    dense: DenseIndex
    sparse: SparseIndex
    sentence_spans: np.ndarray  # (n, 3): record position, start, end of each sentence, in record order
    sentence_vectors: np.ndarray  # (n, dim), normalised, same order
    position: dict[str, int] = field(default_factory=dict)  # record id -> position in `records`
    dense_ml: DenseIndex | None = None  # the same windows, embedded by the multilingual model
    terms: tuple[str, ...] = ()  # the records' words (term_vocabulary), with the multilingual model
    term_vectors: np.ndarray | None = None  # (len(terms), dim): each word embedded alone by it

    def __post_init__(self) -> None:
        if not self.position:
            self.position = {r.id: i for i, r in enumerate(self.records)}
        # where each record's sentences start and end in sentence_spans
        rec = self.sentence_spans[:, 0] if len(self.sentence_spans) else np.zeros(0, dtype=np.int64)
        self._first = np.searchsorted(rec, np.arange(len(self.records)), side="left")
        self._last = np.searchsorted(rec, np.arange(len(self.records)), side="right")

    def sentences(self, record: Record) -> tuple[list[Sentence], np.ndarray] | None:
        """The record's sentences and their vectors as built, or None for a record not in this index
        (an uploaded report's) or one whose text changed."""
        i = self.position.get(record.id)
        if i is None or self.records[i].text != record.text:
            return None
        a, b = int(self._first[i]), int(self._last[i])
        spans = self.sentence_spans[a:b]
        return ([Sentence(int(s), int(e), record.text[int(s):int(e)], list_item(record.text, int(s)))
                 for _, s, e in spans],
                self.sentence_vectors[a:b])


def write_index(
    target: Path, manifest: Manifest, records: list[Record], documents: list[Document],
    unit_record: list[int], vectors: np.ndarray, sentences: list[tuple[int, int, int]],
    sentence_vectors: np.ndarray, ml_vectors: np.ndarray | None = None,
    terms: tuple[list[str], np.ndarray] | None = None,
) -> Manifest:
    """Write everything to a new temporary folder, record every file's checksum in the manifest, then swap
    it in (index/folder.py): until the swap the existing index is untouched, so a failure half-way leaves it
    usable. Returns the manifest as written (with the checksums). Call it holding `writer_lock(target)`."""
    tmp = new_temp_dir(target)
    try:
        with (tmp / "records.jsonl").open("w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
        docs = [{"doc_id": d.doc_id, "path": d.path, "title": d.title, "family": d.family.value,
                 "fingerprint": d.fingerprint, "sources": list(d.sources),
                 "page_starts": list(d.page_starts), "text": d.text} for d in documents]
        (tmp / "documents.json").write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
        (tmp / "units.json").write_text(json.dumps(unit_record))
        DenseIndex.build(vectors).save(tmp / "dense.faiss")
        if ml_vectors is not None:
            DenseIndex.build(ml_vectors).save(tmp / "dense-ml.faiss")
        if terms is not None:
            (tmp / "terms-ml.json").write_text(json.dumps(terms[0], ensure_ascii=False), encoding="utf-8")
            np.save(tmp / "terms-ml.npy", np.ascontiguousarray(terms[1], dtype=np.float32))
        (tmp / "sentences.json").write_text(json.dumps(sentences))
        np.save(tmp / "sentences.npy", np.ascontiguousarray(sentence_vectors, dtype=np.float32))
        SparseIndex.build([sparse_text(r) for r in records]).save(tmp / "bm25")
        manifest = replace(manifest, checksums=checksums(tmp)).sealed()
        (tmp / "manifest.json").write_text(json.dumps(manifest.to_json(), indent=2), encoding="utf-8")
        previous = current_version(target)
        swap_in(target, tmp)
        remove_old_versions(target, keep_previous=previous)
        return manifest
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def rewrite_manifest(folder: Path, manifest: Manifest) -> None:
    """Replace an index's manifest (same index, new bookkeeping) atomically."""
    tmp = folder / f".manifest.json.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(manifest.sealed().to_json(), indent=2), encoding="utf-8")
    os.replace(tmp, folder / "manifest.json")


def read_manifest(folder: Path) -> Manifest:
    path = folder / "manifest.json"
    if not path.exists():
        if folder.is_dir() and any(folder.iterdir()):  # the rest is there: a damaged index, not none
            raise IndexDamaged(folder, "manifest.json", "missing")
        raise IndexMissing(f"no index in {folder}; run `icc-assistant build` first")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise IndexDamaged(folder, "manifest.json", "unreadable") from exc
    if manifest.manifest_sha256 and manifest.manifest_sha256 != manifest.digest():
        raise IndexDamaged(folder, "manifest.json")
    return manifest


def verify_index(folder: Path, manifest: Manifest) -> None:
    """IndexDamaged naming the first file that is missing or not as the build wrote it (an index built
    before checksums were recorded is only checked for its parts)."""
    for name in INDEX_FILES:
        if not (folder / name).exists():
            raise IndexDamaged(folder, name, "missing")
    found = damaged_file(folder, manifest.checksums)
    if found is not None:
        raise IndexDamaged(folder, *found)


def check_compatible(manifest: Manifest, model: str, dim: int | None = None) -> None:
    if manifest.schema != SCHEMA:
        raise IndexUnavailable(f"the index was built by another version (schema {manifest.schema}, this one reads "
                          f"{SCHEMA}); rebuild it with `icc-assistant build`")
    if manifest.model != model:
        raise IndexUnavailable(f"the index was built with embedding model {manifest.model!r}, but the configured "
                          f"model is {model!r}; rebuild it with `icc-assistant build` (or set "
                          f"ICC_EMBED_MODEL={manifest.model})")
    if dim is not None and manifest.dim != dim:
        raise IndexUnavailable(f"the index has {manifest.dim}-dimensional vectors, the model gives {dim}; "
                          "rebuild it with `icc-assistant build`")


INDEX_FILES = ("manifest.json", "records.jsonl", "documents.json", "units.json", "dense.faiss", "bm25",
               "sentences.json", "sentences.npy")


def index_complete(folder: Path) -> bool:
    """Whether every part of an index is there (not whether each is sound: load_index tells that)."""
    return all((folder / name).exists() for name in INDEX_FILES)


def load_index(folder: Path, model: str) -> LoadedIndex:
    """The index at `folder` (a link to one version: resolved once, so every file comes from that version),
    checked against its manifest's checksums before anything is parsed."""
    named = folder
    folder = folder.resolve() if folder.is_symlink() else folder
    try:
        manifest = read_manifest(folder)
        check_compatible(manifest, model)
        verify_index(folder, manifest)
    except IndexDamaged as exc:  # named by the path the user knows, not the version behind the link
        raise IndexDamaged(named, exc.file, exc.how) from None
    except IndexMissing:
        raise IndexMissing(f"no index in {named}; run `icc-assistant build` first") from None
    try:
        records = [Record.from_json(json.loads(line))
                   for line in (folder / "records.jsonl").read_text(encoding="utf-8").splitlines() if line]
        docs = {}
        for d in json.loads((folder / "documents.json").read_text(encoding="utf-8")):
            docs[d["doc_id"]] = Document(
                doc_id=d["doc_id"], path=d["path"], title=d["title"], text=d["text"],
                page_starts=tuple(d["page_starts"]), family=Family(d["family"]),
                fingerprint=d["fingerprint"], sources=tuple(d.get("sources", ())))
        units = np.asarray(json.loads((folder / "units.json").read_text()), dtype=np.int64)
        dense = DenseIndex.load(folder / "dense.faiss")
        sparse = SparseIndex.load(folder / "bm25", len(records))
        spans = np.asarray(json.loads((folder / "sentences.json").read_text()), dtype=np.int64).reshape(-1, 3)
        # mapped, not read: the workers of one server share these pages (the file is never written again)
        svecs = np.load(folder / "sentences.npy", allow_pickle=False, mmap_mode="r")
        dense_ml = DenseIndex.load(folder / "dense-ml.faiss") if manifest.multilingual else None
        terms: tuple[str, ...] = ()
        term_vectors = None
        if manifest.multilingual and (folder / "terms-ml.json").exists():  # not in an index built before them
            terms = tuple(json.loads((folder / "terms-ml.json").read_text(encoding="utf-8")))
            term_vectors = np.load(folder / "terms-ml.npy", allow_pickle=False, mmap_mode="r")
    # RuntimeError: what faiss raises; EOFError: numpy on a cut file (which click would call "Aborted.")
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError, RuntimeError) as exc:
        raise IndexUnavailable(f"the index in {named} is incomplete or damaged ({exc}); run "
                               "`icc-assistant build` to repair it") from exc
    if dense.size != len(units) or manifest.records != len(records) or len(spans) != len(svecs) or \
            (len(spans) and (spans[:, 0].max() >= len(records) or bool((np.diff(spans[:, 0]) < 0).any()))):
        raise IndexUnavailable(f"the index in {named} is inconsistent; run `icc-assistant build` to repair it")
    if (dense_ml is not None and dense_ml.size != len(units)) or \
            (term_vectors is not None and term_vectors.shape != (len(terms), dense_ml.index.d if dense_ml else 0)):
        raise IndexUnavailable(f"the index in {named} is inconsistent; run `icc-assistant build` to repair it")
    return LoadedIndex(manifest, records, docs, units, dense, sparse, spans, svecs, dense_ml=dense_ml, terms=terms,
                       term_vectors=term_vectors)
