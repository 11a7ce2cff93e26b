"""Bounded cost of one user (issue 15, item 2): a page limit counted before any page is read, a time limit
per upload, and heavy work on its own bounded pool that answers 503 with Retry-After when full, while
questions go on. And a state folder that is read-only or full (item 5): clear errors, nothing half-written.
"""

from __future__ import annotations

import builtins
import errno
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, REPORT, SmallFiles
from fastapi.testclient import TestClient

from assistant.settings import Settings
from corpus.errors import ReadTooLong, TooManyPages
from corpus.read import read_limits, read_pages
from web.app import create_app
from web.heavy import Busy, HeavyPool
from web.state import FULL, READ_ONLY

REPORT_TXT = (CORPUS / f"{REPORT}.txt").read_bytes()


def many_pages(path: Path, pages: int) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, pages + 1):
        c.drawString(72, 700, f"Page {n} of a long annex that says the same thing on every page.")
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def pdf_301(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return many_pages(tmp_path_factory.mktemp("long") / "annex.pdf", 301)


def own_home(hash_home: Settings, tmp_path: Path, **update: Any) -> Settings:
    """A state folder of its own holding a copy of the hash index (uploads and the database start empty)."""
    shutil.copytree(hash_home.index_dir, tmp_path / "home" / "index")
    return hash_home.model_copy(update={"home": tmp_path / "home", **update})


# --- pages and time --------------------------------------------------------------------------------


def test_the_page_limit_is_checked_before_any_page_is_read(small_files: SmallFiles) -> None:
    path = small_files.three_page()
    with read_limits(max_pages=2), pytest.raises(TooManyPages) as caught:
        read_pages(path)
    assert caught.value.pages == 3 and "3 pages; the limit is 2" in str(caught.value)
    with read_limits(max_pages=3):
        assert len(read_pages(path)) == 3
    assert len(read_pages(path)) == 3  # outside the context (the corpus build) nothing is bounded


def test_the_time_limit_stops_reading_between_pages(small_files: SmallFiles) -> None:
    with read_limits(seconds=1e-9), pytest.raises(ReadTooLong) as caught:
        read_pages(small_files.three_page())
    assert "longer than the limit" in str(caught.value)


def test_a_301_page_pdf_is_refused_with_413_and_a_plain_message(hash_home: Settings, pdf_301: Path) -> None:
    data = pdf_301.read_bytes()
    with TestClient(create_app(hash_home)) as c:
        api = c.post("/api/profile", files={"file": ("annex.pdf", data)})
        assert api.status_code == 413
        assert api.json()["detail"] == ("annex.pdf: the PDF has 301 pages; the limit is 300. Upload the ICC report "
                                        "itself, or only the pages of its area profiles.")
        page = c.post("/profile/upload", files={"file": ("annex.pdf", data)})
        assert page.status_code == 413 and "301 pages; the limit is 300" in page.text and 'role="alert"' in page.text
        draft = c.post("/api/draft", files={"file": ("annex.pdf", data)})
        assert draft.status_code == 413
    assert not [p for p in hash_home.upload_dir.glob("upload-*")]
    # with a higher limit the same file is read (and found not to be an ICC report)
    with TestClient(create_app(hash_home.model_copy(update={"max_pages": 301}))) as c:
        r = c.post("/api/profile", files={"file": ("annex.pdf", data)})
        assert r.status_code == 422 and "pages" not in r.json()["detail"]


def test_an_upload_that_takes_too_long_to_read_is_refused(hash_home: Settings, pdf_301: Path) -> None:
    with TestClient(create_app(hash_home.model_copy(update={"max_pages": 1000, "parse_seconds": 0.001}))) as c:
        r = c.post("/api/profile", files={"file": ("annex.pdf", pdf_301.read_bytes())})
    assert r.status_code == 413 and "longer than the limit of 0.001 seconds" in r.json()["detail"]


# --- the heavy pool -----------------------------------------------------------------------------------


def test_the_heavy_pool_refuses_at_once_beyond_its_queue() -> None:
    pool = HeavyPool(workers=1, queue=1, retry_after=7)
    release = threading.Event()
    try:
        running = pool.submit(release.wait, 10)
        waiting = pool.submit(release.wait, 10)
        with pytest.raises(Busy) as caught:
            pool.submit(release.wait, 10)
        assert caught.value.retry_after == 7 and "Try again in 7 seconds" in caught.value.message
        release.set()
        assert running.result(5) and waiting.result(5)
        pool.submit(int).result(5)  # room again once the jobs are done
        assert pool.pending == 0
    finally:
        release.set()
        pool.close()


def test_a_full_heavy_pool_answers_503_while_questions_go_on(hash_home: Settings) -> None:
    settings = hash_home.model_copy(update={"heavy_workers": 1, "heavy_queue": 0})
    release = threading.Event()
    with TestClient(create_app(settings)) as c:
        heavy: HeavyPool = c.app.state.heavy  # type: ignore[attr-defined]
        busy = heavy.submit(release.wait, 30)  # a long draft, say
        try:
            r = c.post("/api/profile", files={"file": ("r.txt", REPORT_TXT)})
            assert r.status_code == 503 and int(r.headers["retry-after"]) > 0
            assert "busy" in r.json()["detail"] and "Try again in" in r.json()["detail"]
            page = c.post("/profile/upload", files={"file": ("r.txt", REPORT_TXT)})
            assert page.status_code == 503 and "retry-after" in page.headers and "Try again in" in page.text
            assert c.post("/api/draft", json={"areas": {"media": 10}}).status_code == 503
            # questions and searches do not wait for the heavy pool
            assert c.get("/api/search", params={"q": "welcome ceremony"}).status_code == 200
            assert c.post("/api/ask", json={"question": "How do cities welcome newcomers?"}).status_code == 200
        finally:
            release.set()
        busy.result(5)
        assert c.post("/api/profile", files={"file": ("r.txt", REPORT_TXT)}).status_code == 200


# --- a read-only or full state folder -----------------------------------------------------------------


@pytest.fixture()
def refuse_writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Makes writes under `state["folder"]` fail with `state["errno"]`; with ENOSPC, half the bytes are
    written first, as a disk that fills up part-way does (the tests run as root: chmod would not stop them)."""
    state: dict[str, Any] = {"folder": None, "errno": errno.EROFS}
    real_open = builtins.open
    real_connect = sqlite3.connect
    real_os_open = os.open

    def under(path: object) -> bool:
        folder = state["folder"]
        return folder is not None and str(path).startswith(str(folder))

    class Filling:
        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.fh, name)

        def __enter__(self) -> Filling:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if under(file) and any(m in mode for m in "wax+"):
            if state["errno"] == errno.ENOSPC:
                return Filling(real_open(file, mode, *args, **kwargs))
            raise OSError(state["errno"], "Read-only file system", str(file))
        return real_open(file, mode, *args, **kwargs)

    def fake_connect(database: Any, *args: Any, **kwargs: Any) -> Any:
        if under(database):
            message = "database or disk is full" if state["errno"] == errno.ENOSPC else \
                "attempt to write a readonly database"
            raise sqlite3.OperationalError(message)
        return real_connect(database, *args, **kwargs)

    def fake_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if under(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(state["errno"], "Read-only file system", str(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr(sqlite3, "connect", fake_connect)
    yield state


def test_a_read_only_state_folder_serves_questions_and_refuses_uploads(
        hash_home: Settings, tmp_path: Path, refuse_writes: dict[str, Any]) -> None:
    settings = own_home(hash_home, tmp_path)
    refuse_writes["folder"] = settings.home
    with TestClient(create_app(settings)) as c:
        assert c.app.state.store.in_memory  # type: ignore[attr-defined]
        assert not settings.secret_file.exists()  # a key for this process only
        assert c.get("/api/search", params={"q": "welcome ceremony"}).status_code == 200
        assert c.post("/api/ask", json={"question": "How do cities welcome newcomers?"}).status_code == 200
        chat = c.post("/chat", data={"question": "How do cities welcome newcomers?"})
        assert chat.status_code == 200 and "/c/" in str(chat.url)  # kept in memory until the server stops
        api = c.post("/api/profile", files={"file": ("r.txt", REPORT_TXT)})
        assert api.status_code == 503 and api.json()["detail"] == READ_ONLY
        page = c.post("/profile/upload", files={"file": ("r.txt", REPORT_TXT)})
        assert page.status_code == 503 and "read-only" in page.text and "Traceback" not in page.text
        rates = c.post("/profile/rates", data={"city_media": "40", "sample_media": "50"})
        assert rates.status_code == 503 and "read-only" in rates.text
    assert not [p for p in (settings.home / "uploads").rglob("*") if p.is_file()]  # (mkdir is not refused here)


def test_a_full_disk_answers_507_and_leaves_nothing_half_written(
        hash_home: Settings, tmp_path: Path, refuse_writes: dict[str, Any]) -> None:
    settings = own_home(hash_home, tmp_path)
    with TestClient(create_app(settings)) as c:
        refuse_writes.update(folder=settings.upload_dir, errno=errno.ENOSPC)  # the disk fills after start-up
        api = c.post("/api/profile", files={"file": ("r.txt", REPORT_TXT)})
        assert api.status_code == 507 and api.json()["detail"] == FULL
        page = c.post("/profile/upload", files={"file": ("r.txt", REPORT_TXT)})
        assert page.status_code == 507 and "disk is full" in page.text
        draft = c.post("/api/draft", files={"file": ("r.txt", REPORT_TXT)})
        assert draft.status_code == 507
        refuse_writes["folder"] = settings.state_db  # the database's disk is full too
        chat = c.post("/chat", data={"question": "How do cities welcome newcomers?"})
        assert chat.status_code == 507 and "disk is full" in chat.text
        assert c.get("/api/search", params={"q": "welcome ceremony"}).status_code == 200
    left = [p for p in settings.upload_dir.rglob("*") if p.is_file()] if settings.upload_dir.exists() else []
    assert left == []  # no 0-byte or half upload-* file, no temporary file, no half profile


def test_each_worker_makes_the_app_from_the_environment(hash_home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve --workers N` passes the settings down in ICC_* variables; `app_from_env` is what each worker runs."""
    from web.app import app_from_env

    for key, value in {"ICC_HOME": str(hash_home.home), "ICC_EMBED_MODEL": "hash",
                       "ICC_CORPUS_DIR": str(CORPUS), "ICC_HEAVY_QUEUE": "3"}.items():
        monkeypatch.setenv(key, value)
    with TestClient(app_from_env()) as c:
        assert c.get("/healthz").json()["records"] > 100
        assert c.app.state.heavy.capacity == 2 + 3  # type: ignore[attr-defined]
