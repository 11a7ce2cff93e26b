"""What the web app keeps, and for how long: everything a user left goes after ICC_RETENTION_DAYS.

At start-up and then once a day: conversations not used for that long (with their answers), saved profiles
saved that long ago (with their report's records, their share link and their cached draft), profile files no
database row owns any more, and raw uploads a killed request left behind (an upload is read and removed
within ICC_PARSE_SECONDS, so one older than an hour is an orphan).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from assistant.settings import Settings
from web.background import in_background
from web.drafts import Drafts
from web.state import StateError
from web.store import Store
from web.uploads import PROFILE_ID, delete_saved, load_report, load_saved

log = logging.getLogger(__name__)

DAY = 24 * 3600
ORPHAN_UPLOAD_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Swept:
    conversations: int
    profiles: int
    orphans: int  # profile files without a row, and raw uploads left behind


def sweep(settings: Settings, store: Store, drafts: Drafts | None = None, now: float | None = None) -> Swept:
    """Removes what is older than `settings.retention_days` at `now` (default: the store's clock)."""
    now = store.clock() if now is None else now
    conversations, gone = store.expire(now - settings.retention_days * DAY)
    folder = settings.upload_dir
    for saved in gone:
        if drafts is not None and (found := load_saved(folder, saved.id)) is not None:
            drafts.forget(found[0], load_report(folder, saved.id), saved.upload_sha256)
        delete_saved(folder, saved.id)
    orphans = 0
    profiles = folder / "profiles"
    if profiles.is_dir():
        owned = store.profile_ids()
        for path in profiles.iterdir():
            pid = path.name.split(".", 1)[0]
            if path.is_file() and PROFILE_ID.fullmatch(pid) and pid not in owned and _older(path, now, 60):
                path.unlink(missing_ok=True)  # a minute's grace: a profile being saved has no row yet
                orphans += 1
    if folder.is_dir():
        for path in folder.iterdir():  # "upload-…" and the ".upload-….tmp-…" of a write cut short
            if path.is_file() and path.name.lstrip(".").startswith("upload-") and \
                    _older(path, now, ORPHAN_UPLOAD_SECONDS):
                path.unlink(missing_ok=True)
                orphans += 1
    return Swept(conversations, len(gone), orphans)


def _older(path: Path, now: float, seconds: float) -> bool:
    try:
        return path.stat().st_mtime < now - seconds
    except OSError:
        return False


async def sweep_logged(settings: Settings, store: Store, drafts: Drafts | None = None) -> Swept | None:
    """`sweep` off the event loop; a failure (a read-only ICC_HOME) is logged, and tried again next time."""
    try:
        swept = await run_in_threadpool(sweep, settings, store, drafts)
    except (OSError, StateError) as exc:
        log.warning("retention: the sweep failed (%s); it is tried again in a day", exc)
        return None
    if swept.conversations or swept.profiles or swept.orphans:
        log.info("retention: removed %d conversations, %d profiles and %d orphaned files older than %g days",
                 swept.conversations, swept.profiles, swept.orphans, settings.retention_days)
    return swept


async def sweep_daily(settings: Settings, store: Store, drafts: Drafts | None = None,
                      sleep: Callable[[float], Awaitable[object]] = asyncio.sleep, every: float = DAY) -> None:
    """A sweep every `every` seconds (the first after one wait), until cancelled (the app's lifespan ends)."""
    while True:
        await sleep(every)
        await sweep_logged(settings, store, drafts)


@contextlib.asynccontextmanager
async def retention(settings: Settings, store: Store, drafts: Drafts | None = None) -> AsyncIterator[None]:
    """A sweep now (at start-up), then `sweep_daily` in the background for as long as the context lasts."""
    await sweep_logged(settings, store, drafts)
    async with in_background(sweep_daily(settings, store, drafts)):
        yield
