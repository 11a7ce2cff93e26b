"""What the web app keeps between requests, in SQLite (stdlib sqlite3, WAL) at `Settings.state_db`.

- Conversations: each with an unguessable id, its owner (the browser id of web/session.py) and its turns
  (the `Answer.to_json()` of each question, in order).
- Saved profiles: who owns each one, its share token (None until the owner shares it) and the hash of the
  uploaded file's bytes (part of the draft cache key). The profile itself and its report's records stay
  JSON files under ICC_HOME/uploads/profiles (web/uploads.py).

Every read of a conversation names its owner: another browser's id finds nothing, as an unknown id does.
A connection is opened per call: sqlite3 connections do not cross threads, and routes run in a pool.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web.state import StateError, as_state_error

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE, n INTEGER NOT NULL,
    area TEXT NOT NULL, answer TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (conversation, n));
CREATE TABLE IF NOT EXISTS profiles (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, share TEXT UNIQUE, upload_sha256 TEXT NOT NULL, created REAL NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Turn:
    n: int
    area: str
    answer: dict[str, Any]  # Answer.to_json()


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    title: str
    created: float
    updated: float
    turns: tuple[Turn, ...] = ()


@dataclass(frozen=True, slots=True)
class SavedProfile:
    id: str
    owner: str
    share: str | None
    upload_sha256: str

    def readable_by(self, browser: str, share: str = "") -> bool:
        """The owner reads it; anyone else only with its share token."""
        if hmac.compare_digest(self.owner.encode(), browser.encode()):
            return True
        return bool(self.share and share) and hmac.compare_digest(str(self.share).encode(), share.encode())


class Store:
    """The state database. When ICC_HOME cannot be written at start-up (read-only, full), the store lives in
    memory instead, until the server stops: questions, answers and conversations still work, and uploads are
    refused where their files are written (web/state.py)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock  # seconds since the epoch; tests pass a fake one
        self._memory: sqlite3.Connection | None = None
        self._memory_lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._db() as db:
                db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
                db.executescript(SCHEMA)
        except StateError as exc:
            log.warning("%s cannot be written (%s); conversations are kept in memory until the server stops",
                        path, exc.message)
            memory = sqlite3.connect(":memory:", check_same_thread=False)
            memory.executescript(SCHEMA)
            self._memory = memory

    @property
    def in_memory(self) -> bool:
        return self._memory is not None

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:  # one connection, one caller at a time
            with self._memory_lock, self._memory as db:
                db.execute("PRAGMA foreign_keys=ON")
                yield db
            return
        try:
            with closing(sqlite3.connect(self.path, timeout=10)) as db:
                db.execute("PRAGMA foreign_keys=ON")
                with db:  # one transaction: committed, or rolled back on an error
                    yield db
        except (OSError, sqlite3.OperationalError) as exc:  # a full disk, a folder made read-only
            error = as_state_error(exc)
            if error is None:
                raise
            raise error from exc

    # --- conversations -----------------------------------------------------------------------------

    def new_conversation(self, owner: str, title: str) -> str:
        cid = secrets.token_urlsafe(16)
        now = self.clock()
        with self._db() as db:
            db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?)", (cid, owner, title[:200], now, now))
        return cid

    def conversation(self, cid: str, owner: str) -> Conversation | None:
        """The conversation with its turns, if `owner` owns it."""
        with self._db() as db:
            row = db.execute("SELECT id, title, created, updated FROM conversations WHERE id = ? AND owner = ?",
                             (cid, owner)).fetchone()
            if row is None:
                return None
            turns = tuple(Turn(n, area, json.loads(answer)) for n, area, answer in db.execute(
                "SELECT n, area, answer FROM turns WHERE conversation = ? ORDER BY n", (cid,)))
        return Conversation(row[0], row[1], row[2], row[3], turns)

    def add_turn(self, cid: str, owner: str, answer: dict[str, Any], area: str = "") -> int:
        """Appends a turn to `owner`'s conversation; its number, or 0 if there is no such conversation."""
        now = self.clock()
        with self._db() as db:
            if db.execute("UPDATE conversations SET updated = ? WHERE id = ? AND owner = ?",
                          (now, cid, owner)).rowcount != 1:
                return 0
            n: int = db.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM turns WHERE conversation = ?",
                                (cid,)).fetchone()[0]
            db.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?)",
                       (cid, n, area, json.dumps(answer, ensure_ascii=False), now))
        return n

    def recent(self, owner: str, limit: int = 10) -> list[Conversation]:
        """`owner`'s conversations, the latest first (without their turns)."""
        with self._db() as db:
            rows = db.execute("SELECT id, title, created, updated FROM conversations WHERE owner = ? "
                              "ORDER BY updated DESC LIMIT ?", (owner, limit)).fetchall()
        return [Conversation(*row) for row in rows]

    def delete_conversation(self, cid: str, owner: str) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM conversations WHERE id = ? AND owner = ?", (cid, owner)).rowcount == 1

    # --- saved profiles ----------------------------------------------------------------------------

    def add_profile(self, pid: str, owner: str, upload_sha256: str = "") -> None:
        with self._db() as db:
            db.execute("INSERT INTO profiles VALUES (?, ?, NULL, ?, ?)", (pid, owner, upload_sha256, self.clock()))

    def profile(self, pid: str) -> SavedProfile | None:
        with self._db() as db:
            row = db.execute("SELECT id, owner, share, upload_sha256 FROM profiles WHERE id = ?", (pid,)).fetchone()
        return SavedProfile(*row) if row else None

    def share_profile(self, pid: str, owner: str) -> str | None:
        """The share token of `owner`'s profile, made now if it has none; None if it is not theirs."""
        with self._db() as db:
            db.execute("UPDATE profiles SET share = ? WHERE id = ? AND owner = ? AND share IS NULL",
                       (secrets.token_urlsafe(24), pid, owner))
            row = db.execute("SELECT share FROM profiles WHERE id = ? AND owner = ?", (pid, owner)).fetchone()
        return row[0] if row else None

    def unshare_profile(self, pid: str, owner: str) -> bool:
        """Forgets the share token: the link stops working."""
        with self._db() as db:
            return db.execute("UPDATE profiles SET share = NULL WHERE id = ? AND owner = ?",
                              (pid, owner)).rowcount == 1

    def delete_profile(self, pid: str, owner: str) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM profiles WHERE id = ? AND owner = ?", (pid, owner)).rowcount == 1

    # --- retention ---------------------------------------------------------------------------------

    def expire(self, before: float) -> tuple[int, list[SavedProfile]]:
        """Deletes the conversations last used before `before` (their turns with them) and the profiles
        saved before it; returns how many conversations went and the profiles that went."""
        with self._db() as db:
            conversations = db.execute("DELETE FROM conversations WHERE updated < ?", (before,)).rowcount
            gone = [SavedProfile(*row) for row in db.execute(
                "SELECT id, owner, share, upload_sha256 FROM profiles WHERE created < ?", (before,))]
            db.execute("DELETE FROM profiles WHERE created < ?", (before,))
        return conversations, gone

    def profile_ids(self) -> set[str]:
        """Every saved profile's id (to find profile files no row owns)."""
        with self._db() as db:
            return {row[0] for row in db.execute("SELECT id FROM profiles")}
