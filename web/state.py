"""Writing to the state folder (ICC_HOME) when it may be read-only or full.

A read-only folder still serves questions and searches; what needs writing (an upload, a saved profile, a
conversation) is refused with a message (503). A full disk answers 507 and leaves nothing half-written:
files are written under a temporary name and renamed into place, and removed when the write fails.
"""

from __future__ import annotations

import errno
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.i18n import N_

READ_ONLY = N_("This server cannot keep anything just now: its state folder is read-only. Questions and searches "
             "still work; to upload a report or keep a conversation, ask the administrator to make ICC_HOME "
             "writable.")
FULL = N_("The server's disk is full, so nothing was saved. Try again later, or tell the administrator that "
        "ICC_HOME has no space left.")

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


class StateError(Exception):
    """The state folder refused a write; `status` 507 (full) or 503 (read-only), `message` for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def as_state_error(exc: BaseException) -> StateError | None:
    """The StateError a write failure means, or None for any other failure (a bug: left to propagate)."""
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return StateError(507, FULL)
    if isinstance(exc, OSError) and exc.errno in _READ_ONLY:
        return StateError(503, READ_ONLY)
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "full" in text:
            return StateError(507, FULL)
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return StateError(503, READ_ONLY)
    return None


@contextmanager
def writing() -> Iterator[None]:
    """Turns a full or read-only state folder, met inside, into StateError."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:
        error = as_state_error(exc)
        if error is None:
            raise
        raise error from exc


def write_file(path: Path, data: bytes) -> None:
    """`data` at `path`, whole or not at all (a temporary file renamed into place); StateError when the
    folder is full or read-only."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    with writing():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
