"""Uploaded reports and saved profiles, under `Settings.upload_dir` (never under the static folder).

An upload is read up to the size limit, typed by its content, saved under a random name, read through
the one reading path (`assistant.profile_io.read_profile_file` → `corpus.read`) once, for its profile and its
records, then removed: only the profile made from it is kept, as JSON, under an unguessable id.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile

from assistant.draft import report_records
from assistant.profile import CityProfile
from assistant.profile_io import ProfileError, profile_from_json, read_profile_file
from corpus.errors import DocumentError, ReadTooLong, TooManyPages
from corpus.read import read_limits, sniff_suffix
from corpus.records import Kind, Record
from index.search import Searcher
from web.state import StateError, write_file

log = logging.getLogger(__name__)

CHUNK = 1 << 16
PROFILE_ID = re.compile(r"[A-Za-z0-9_-]{16}")


class UploadError(Exception):
    """An upload that cannot be used; `message` is meant for the user, `status` for the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def display_name(filename: str | None) -> str:
    name = Path(filename or "").name.strip()
    return name[:120] or "the file"


async def read_limited(upload: UploadFile, max_mb: int) -> bytes:
    """The upload's bytes; UploadError 413 as soon as more than `max_mb` MB have been read."""
    limit = max_mb * 1024 * 1024
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise UploadError(413, f"{display_name(upload.filename)} is larger than the limit of {max_mb} MB; "
                                    "upload a smaller file")
        chunks.append(chunk)
    return b"".join(chunks)


def _suffix(data: bytes, name: str) -> str:
    try:
        suffix = sniff_suffix(data, name)
    except DocumentError:
        raise UploadError(415, f"{name} is not a PDF, text, JSON or CSV file; upload the report as PDF or text, "
                               "or the rates as JSON or CSV") from None
    if suffix != ".pdf" and name.lower().endswith((".json", ".csv")):
        return "." + name.lower().rsplit(".", 1)[1]
    return suffix


def profile_from_upload(data: bytes, filename: str | None, folder: Path,
                        searcher: Searcher | None = None, *, max_pages: int | None = None,
                        seconds: float | None = None) -> tuple[CityProfile, list[Record]]:
    """The profile in an uploaded report (PDF or text) or rates file (JSON or CSV), and, for a report
    and given a searcher, the report's own findings and recommendations (to cite in its draft).

    Raises UploadError: 413 for a PDF of more than `max_pages` pages (counted before any page is read)
    or one whose reading takes more than `seconds`, 415 for a file of another type, 422 for an empty,
    broken, encrypted or text-less file and for one that is not an ICC report; messages name the file as
    the user did. StateError when the state folder is full or read-only (nothing is left behind).
    """
    name = display_name(filename)
    if not data.strip():
        raise UploadError(422, f"{name} is empty; check that it was saved completely and choose it again")
    # the stem becomes the document id of the report's records: "upload-" marks it as not in the corpus
    path = folder / f"upload-{secrets.token_hex(12)}{_suffix(data, name)}"
    write_file(path, data)
    try:
        with read_limits(max_pages, seconds):  # one reading of the file gives the profile and the records
            read = read_profile_file(path, records=searcher is not None)
        profile = replace(read.profile, source=name)  # the user's name for it, never a server path
        report: list[Record] = []
        if searcher is not None:
            records, _ = report_records(read, searcher)
            report = [r for r in records if r.kind in (Kind.FINDING, Kind.RECOMMENDATION)]
        return profile, report
    except (TooManyPages, ReadTooLong) as exc:
        raise UploadError(413, f"{name}: {exc.reason}.") from None
    except (ProfileError, DocumentError) as exc:
        raise UploadError(422, str(exc).replace(str(path), name)) from None
    except Exception as exc:  # a malformed file must give a message, never a server error
        log.warning("upload %s could not be read: %r", name, exc)
        raise UploadError(422, f"{name} could not be read as a report or a rates file; upload an ICC Index report "
                               "(PDF or text) or rates as JSON or CSV") from None
    finally:
        path.unlink(missing_ok=True)


def save_profile(profile: CityProfile, folder: Path, report: Sequence[Record] = ()) -> str:
    """Keep a profile (and its report's records) for the draft and download links; returns its id.
    StateError when the state folder is full or read-only: then nothing of it is kept."""
    target = folder / "profiles"
    profile_id = secrets.token_urlsafe(12)
    try:
        if report:
            lines = "".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in report)
            write_file(target / f"{profile_id}.records.jsonl", lines.encode("utf-8"))
        write_file(target / f"{profile_id}.json", json.dumps(profile.to_json(), ensure_ascii=False).encode("utf-8"))
    except StateError:
        with contextlib.suppress(OSError):
            delete_saved(folder, profile_id)
        raise
    return profile_id


def load_report(folder: Path, profile_id: str) -> list[Record]:
    """The saved report records of a profile (none for rates, or for an unreadable file)."""
    path = folder / "profiles" / f"{profile_id}.records.jsonl"
    if not PROFILE_ID.fullmatch(profile_id) or not path.is_file():
        return []
    try:
        return [Record.from_json(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    except (OSError, ValueError, KeyError):
        return []


def load_saved(folder: Path, profile_id: str) -> tuple[CityProfile, dict[str, Any]] | None:
    """A saved profile and its JSON, or None for an unknown or malformed id."""
    if not PROFILE_ID.fullmatch(profile_id):
        return None
    path = folder / "profiles" / f"{profile_id}.json"
    if not path.is_file():
        return None
    try:
        profile = profile_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
    return profile, profile.to_json()


def delete_saved(folder: Path, profile_id: str) -> None:
    """Removes a saved profile and its report's records (nothing for a malformed id)."""
    if not PROFILE_ID.fullmatch(profile_id):
        return
    for suffix in (".json", ".records.jsonl"):
        (folder / "profiles" / f"{profile_id}{suffix}").unlink(missing_ok=True)
