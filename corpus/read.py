"""One reading path: any supported file → pages of paragraphs → one cleaned Document text.

Readers return pages whose paragraphs are separated by blank lines. `clean_pages` then drops
running headers and footers and joins paragraphs that a page break cut in two, so the
structure step sees the same kind of text whatever the file format was.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PdfReadError, PyPdfError

from corpus.errors import DocumentError, ReadTooLong, TooManyPages
from corpus.records import Page

log = logging.getLogger(__name__)
# pypdf's own warnings ("EOF marker not found", "invalid pdf header") repeat, in its words, what the reader
# reports as one clear line per unreadable file
logging.getLogger("pypdf").setLevel(logging.ERROR)

Reader = Callable[[Path], list[Page]]

_TERMINAL = tuple('.!?:;"”’)»…')


_LIST_ITEM = re.compile(r"(?:\d{1,2}[.)]|[-•●✓✗o])\s")
Row = tuple[float, float, str]  # y, font size, text of one printed line


def _pdf_page_rows(page: object) -> list[Row]:
    """The printed lines of one PDF page, top to bottom as drawn, with their height and size."""
    ys: list[float] = []
    sizes: list[float] = []
    texts: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text:
            return
        y = tm[5] * cm[3] + tm[4] * cm[1] + cm[5]
        if ys and abs(ys[-1] - y) < 1.5 and not texts[-1].endswith("\n"):
            texts[-1] += text  # more of the same printed line
        else:
            ys.append(float(y))
            sizes.append(float(size * (cm[3] if cm[3] else 1.0)))
            texts.append(text)

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return [(y, s, t.strip()) for y, s, t in zip(ys, sizes, texts, strict=True) if t.strip()]


def _line_spacing(pages: list[list[Row]]) -> float:
    steps = [a[0] - b[0] for rows in pages for a, b in zip(rows, rows[1:], strict=False) if 0 < a[0] - b[0] < 40]
    return statistics.median(steps) if steps else 12.0


def _rows_to_text(rows: list[Row], spacing: float) -> str:
    """Paragraphs from vertical gaps; a short line keeps its line break (a list, a table row)."""
    if not rows:
        return ""
    full = sorted(len(r[2]) for r in rows)[int(len(rows) * 0.9)]
    paragraphs: list[str] = [rows[0][2]]
    for prev, cur in zip(rows, rows[1:], strict=False):
        gap = prev[0] - cur[0]
        if gap <= 0 or gap > spacing * 1.25 or abs(cur[1] - prev[1]) > 0.5:
            paragraphs.append(cur[2])
        else:
            keep = len(prev[2]) < 0.6 * full or _LIST_ITEM.match(cur[2])
            joiner = "\n" if keep else " "
            paragraphs[-1] += joiner + cur[2]
    return "\n\n".join(paragraphs)


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Bounds on reading one file: pages (counted before any text is extracted) and a deadline (checked
    between pages, `time.monotonic()` seconds)."""

    max_pages: int | None = None
    deadline: float | None = None
    seconds: float = 0.0  # the budget the deadline came from, to name it in the message


_NO_LIMITS = ReadLimits()
_LIMITS: ContextVar[ReadLimits] = ContextVar("read_limits", default=_NO_LIMITS)  # noqa: B039 (frozen)


@contextmanager
def read_limits(max_pages: int | None = None, seconds: float | None = None) -> Iterator[ReadLimits]:
    """Bounds every read in this context (one thread's, one upload's): at most `max_pages` pages per
    PDF, and `seconds` in all from now (an upload read twice, for its profile and its records, shares
    them). Outside such a context nothing is bounded: the corpus build reads what it is given."""
    limits = ReadLimits(max_pages, None if seconds is None else time.monotonic() + seconds, seconds or 0.0)
    token = _LIMITS.set(limits)
    try:
        yield limits
    finally:
        _LIMITS.reset(token)


def _check_pages(path: Path, reader: PdfReader) -> None:
    limit = _LIMITS.get().max_pages
    if limit is not None:
        pages = len(reader.pages)  # the page tree only: no page's text is read yet
        if pages > limit:
            raise TooManyPages(str(path), pages, limit)


def _check_deadline(path: Path) -> None:
    limits = _LIMITS.get()
    if limits.deadline is not None and time.monotonic() > limits.deadline:
        raise ReadTooLong(str(path), limits.seconds)


def read_pdf(path: Path) -> list[Page]:
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                unlocked = bool(reader.decrypt(""))
            except (PyPdfError, NotImplementedError, ValueError):
                unlocked = False
            if not unlocked:
                raise DocumentError(
                    str(path), "the PDF is encrypted with a password; save an unprotected copy"
                )
        _check_pages(path, reader)
        rows: list[list[Row] | str] = []
        for number, page in enumerate(reader.pages, start=1):
            _check_deadline(path)
            try:
                rows.append(_pdf_page_rows(page))
            except (PyPdfError, KeyError, ValueError, TypeError) as exc:
                log.warning("%s page %d: layout extraction failed (%s), plain text used", path, number, exc)
                rows.append(page.extract_text() or "")
        spacing = _line_spacing([r for r in rows if isinstance(r, list)])
        pages = [Page(n, r if isinstance(r, str) else _rows_to_text(r, spacing))
                 for n, r in enumerate(rows, start=1)]
    except DocumentError:
        raise
    except LimitReachedError as exc:
        log.warning("%s: %r", path, exc)  # the library's words for the log; the user gets plain ones
        raise DocumentError(str(path), "not a readable PDF: a part of it unpacks to far more data than a report "
                                       "holds (a damaged or harmful file), so it was not read") from exc
    except (PdfReadError, PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("%s: %r", path, exc)
        raise DocumentError(str(path), "not a readable PDF: the file is damaged or incomplete (a download that "
                                       "stopped part-way?); download or export it again") from exc
    if not pages:
        raise DocumentError(str(path), "the PDF has no pages")
    if sum(len(p.text.strip()) for p in pages) < 20:
        raise DocumentError(
            str(path), "the PDF has no text layer (a scan?); run OCR on it and add the result"
        )
    return pages


def read_text(path: Path) -> list[Page]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(str(path), f"cannot be read ({exc})") from exc
    text = decode_text(raw)
    if not text.strip():
        raise DocumentError(str(path), "the file is empty")
    chunks = text.split("\f") if "\f" in text else [text]
    return [Page(i, chunk) for i, chunk in enumerate(chunks, start=1)]


# UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def text_encoding(raw: bytes) -> str | None:
    """The encoding a byte-order mark names, or None for text without one."""
    return next((enc for bom, enc in _BOMS if raw.startswith(bom)), None)


def decode_text(raw: bytes, errors: str = "strict") -> str:
    """Text from bytes: the encoding its byte-order mark names (UTF-8, UTF-16, UTF-32), else UTF-8, else
    Latin-1 (which decodes any bytes). The one decoding rule for text files, reports and rates alike."""
    encoding = text_encoding(raw)
    if encoding:
        try:
            return raw.decode(encoding, errors)
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8", errors)
    except UnicodeDecodeError:
        return raw.decode("latin-1")


READERS: dict[str, Reader] = {".pdf": read_pdf, ".txt": read_text, ".md": read_text}


def sniff_suffix(data: bytes, filename: str = "") -> str:
    """The reader suffix for uploaded bytes, judged by content, not by the name."""
    if data.lstrip()[:5] == b"%PDF-":
        return ".pdf"
    if text_encoding(data) is None and b"\x00" in data[:4096]:
        raise DocumentError(filename or "upload", "not a PDF or text file")
    return ".md" if filename.lower().endswith(".md") else ".txt"


def read_pages(path: Path) -> list[Page]:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DocumentError(str(path), f"unsupported file type {path.suffix!r}")
    return reader(path)


def _paras(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip("\n") for p in re.split(r"\n[ \t\u00a0]*\n", text) if p.strip()]


def _norm_line(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines that open or close most pages (document name, page numbers): running furniture."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for paras in pages:
        edge = paras[:2] + paras[-2:]
        counts.update({_norm_line(p) for p in edge if len(p) < 120})
    # on a short document furniture is what every page has; on a long one, what most pages have
    threshold = len(pages) if len(pages) < 6 else max(3, int(len(pages) * 0.5))
    return {line for line, n in counts.items() if n >= threshold}


def _ends_open(paragraph: str) -> bool:
    tail = paragraph.rstrip()
    return bool(tail) and not tail.endswith(_TERMINAL) and len(tail) > 60


def _continues(paragraph: str) -> bool:
    head = paragraph.lstrip()
    if not head or _LIST_ITEM.match(head):
        return False
    return head[0].islower() or head[0].isdigit() or head[0] in ",;)"


def _headingish(paragraph: str) -> bool:
    letters = [c for c in paragraph if c.isalpha()]
    return len(paragraph) < 100 and bool(letters) and all(c.isupper() for c in letters)


def clean_pages(pages: list[Page]) -> tuple[str, tuple[int, ...]]:
    """Full text and page start offsets, without running furniture, with cut paragraphs joined.

    A paragraph is joined to the next when it stops without closing punctuation and the next
    one starts in lower case (a sentence cut by a page break or by a lost image); at a page
    break the next paragraph may also start in upper case, unless it looks like a heading.
    """
    per_page = [_paras(p.text) for p in pages]
    furniture = _running_lines(per_page)
    out: list[str] = []
    starts: list[int] = []
    length = 0
    for paras in per_page:
        kept = [p for p in paras if _norm_line(p) not in furniture and not re.fullmatch(r"\s*\d{1,4}\s*", p)]
        page_start: int | None = None
        for i, para in enumerate(kept):
            para = re.sub(r"[ \t]+\n", "\n", para).strip()
            at_break = i == 0
            if out and _ends_open(out[-1]) and (
                _continues(para) or (at_break and not _headingish(para) and para[:1].isalpha())
            ):
                if page_start is None:
                    page_start = length + 1  # the page starts inside the joined paragraph
                out[-1] = out[-1] + " " + para
                length += 1 + len(para)
                continue
            if page_start is None:
                page_start = length + (2 if out else 0)
            length += (2 if out else 0) + len(para)
            out.append(para)
        if page_start is None:
            page_start = length
        starts.append(min(page_start, max(length, 0)))
    return "\n\n".join(out), tuple(starts)


def file_fingerprint(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()[:16]
