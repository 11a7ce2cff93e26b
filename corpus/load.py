"""A corpus folder → documents and records; unreadable files are reported and skipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.errors import CorpusError, DocumentError
from corpus.read import READERS, clean_pages, file_fingerprint, read_pages
from corpus.records import Document, Record
from corpus.structure import structure

log = logging.getLogger(__name__)

# When the same document is there as PDF and as text, the PDF is read: it has the pages that
# citations point to. The text twin is kept as a fallback if the PDF cannot be read.
_PREFERENCE = (".pdf", ".md", ".txt")


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    skipped: list[DocumentError] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        import hashlib

        h = hashlib.sha256()
        for d in sorted(self.documents, key=lambda d: d.doc_id):
            h.update(f"{d.doc_id}:{d.fingerprint}\n".encode())
        return h.hexdigest()[:16]


def discover(folder: Path) -> dict[str, list[Path]]:
    """Readable files under `folder`, grouped by document id (file stem), best format first."""
    if not folder.exists():
        raise CorpusError(f"corpus folder {folder} does not exist; set --corpus or ICC_CORPUS_DIR")
    if not folder.is_dir():
        raise CorpusError(f"corpus path {folder} is not a folder")
    groups: dict[str, list[Path]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in READERS and path.name.lower() != "readme.md" \
                and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            groups.setdefault(path.stem, []).append(path)
    for paths in groups.values():
        paths.sort(key=lambda p: _PREFERENCE.index(p.suffix.lower()))
    if not groups:
        raise CorpusError(f"corpus folder {folder} holds no PDF, .txt or .md file")
    return groups


def files_fingerprint(folder: Path) -> str:
    """A hash of every file the corpus would read (names and bytes), without parsing any: equal
    fingerprints mean an index built from this folder by the same code is up to date."""
    import hashlib

    h = hashlib.sha256()
    for doc_id, paths in sorted(discover(folder).items()):
        for path in paths:
            try:
                mark = file_fingerprint(path)
            except OSError as exc:  # unreadable: load_corpus reports and skips it; the index is not current
                mark = f"unreadable {type(exc).__name__}"
            h.update(f"{doc_id}:{path.name}:{mark}\n".encode())
    return h.hexdigest()[:16]


def read_document(doc_id: str, path: Path, sources: tuple[str, ...] = ()) -> Document:
    text, starts = clean_pages(read_pages(path))
    if not text.strip():
        raise DocumentError(str(path), "no text could be read from the file")
    return make_document(doc_id, path, text, starts, sources)


def make_document(doc_id: str, path: Path, text: str, page_starts: tuple[int, ...],
                  sources: tuple[str, ...] = ()) -> Document:
    """The Document of a file's cleaned text (`clean_pages`), read by the caller: an uploaded report is read
    once for its profile and its records."""
    return Document(doc_id=doc_id, path=str(path), title=doc_id, text=text, page_starts=page_starts,
                    fingerprint=file_fingerprint(path), sources=sources or (str(path),))


def load_document(doc_id: str, paths: list[Path]) -> tuple[Document, list[Record], list[DocumentError]]:
    """Read the first readable format of a document; errors of the formats tried come back too."""
    errors: list[DocumentError] = []
    for path in paths:
        try:
            doc = read_document(doc_id, path, tuple(str(p) for p in paths))
        except DocumentError as exc:
            errors.append(exc)
            continue
        doc, records = structure(doc)
        return doc, records, errors
    raise errors[-1] if errors else DocumentError(doc_id, "nothing to read")


def load_corpus(folder: Path, progress: Callable[[str], None] | None = None) -> Corpus:
    corpus = Corpus()
    for doc_id, paths in discover(folder).items():
        if progress:
            progress(doc_id)
        try:
            doc, records, errors = load_document(doc_id, paths)
        except DocumentError as exc:
            log.info("skipped %s", exc)  # reported to the user by the caller (Corpus.skipped)
            corpus.skipped.append(exc)
            continue
        corpus.skipped.extend(errors)  # a broken PDF whose text twin was read instead
        corpus.documents.append(doc)
        corpus.records.extend(records)
    if not corpus.documents:
        reasons = "; ".join(str(e) for e in corpus.skipped) or "no document"
        raise CorpusError(f"no readable document in {folder}: {reasons}")
    return corpus
