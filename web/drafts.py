"""Drafts of saved profiles, composed once each and in the background; a draft as an answer (JSON, Markdown, Word).

A draft takes tens of seconds on a small machine, so it is started as soon as a profile is read (while the
user looks at the chart) and kept, so the page, the Markdown and the Word downloads share one computation.
A draft is keyed by everything it is made from, and so everything it shows: the whole profile (the file
name included), the report's own records (their findings are quoted) and the hash of the uploaded bytes.
Two uploads share a draft only when they are the same file under the same name; a draft never shows one
user what another uploaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future

from fastapi.responses import JSONResponse, Response

from assistant.draft import Draft, DraftParams, draft
from assistant.export import draft_docx, draft_markdown
from assistant.profile import CityProfile
from corpus.records import Record
from index.search import Searcher
from web.heavy import Busy, HeavyPool


def draft_key(profile: CityProfile, report: Sequence[Record] = (), upload_sha256: str = "",
              areas: Sequence[str] = ()) -> str:
    """The cache key of a draft: a hash of the profile, the report records, the upload's bytes' hash and the
    areas chosen (none: the weakest)."""
    data = {"profile": profile.to_json(), "report": [r.to_json() for r in report], "upload": upload_sha256,
            "areas": list(areas)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Drafts:
    def __init__(self, searcher: Searcher, limit: int, pool: HeavyPool | None = None, keep: int = 8,
                 params: DraftParams | None = None) -> None:
        self.searcher = searcher
        self.limit = limit
        self.params = params or DraftParams()
        self.keep = keep
        # CPU-bound: on the heavy pool (web/heavy.py), bounded and apart from the questions
        self._own_pool = pool is None
        self._pool = pool or HeavyPool(workers=1, queue=8)
        self._jobs: OrderedDict[str, Future[Draft]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, profile: CityProfile, report: Sequence[Record] = (), upload_sha256: str = "",
              areas: Sequence[str] = ()) -> Future[Draft]:
        """The draft of `profile` (citing `report`, the records of its own report, read from an upload whose
        bytes hash to `upload_sha256`; the `areas` chosen, else the weakest), started now unless it already was.
        Busy when the heavy pool is full."""
        key = draft_key(profile, report, upload_sha256, areas)
        with self._lock:
            job = self._jobs.get(key)
            if job is None or (job.done() and job.exception() is not None):
                job = self._pool.submit(draft, self.searcher, profile, self.params, report=list(report),
                                        limit=self.limit, areas=tuple(areas))
                job.profile_key = draft_key(profile, report, upload_sha256)  # type: ignore[attr-defined]
                self._jobs[key] = job
            self._jobs.move_to_end(key)
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
            return job

    def prepare(self, profile: CityProfile, report: Sequence[Record] = (), upload_sha256: str = "") -> None:
        """Starts the draft in the background if the heavy pool has room (else it starts when asked for)."""
        with contextlib.suppress(Busy):
            self.start(profile, report, upload_sha256)

    def get(self, profile: CityProfile, report: Sequence[Record] = (), upload_sha256: str = "",
            areas: Sequence[str] = ()) -> Draft:
        return self.start(profile, report, upload_sha256, areas).result()

    async def wait(self, profile: CityProfile, report: Sequence[Record] = (), upload_sha256: str = "",
                   areas: Sequence[str] = ()) -> Draft:
        """The draft, awaited without holding a thread of the server's pool (which the questions use)."""
        return await asyncio.wrap_future(self.start(profile, report, upload_sha256, areas))

    def forget(self, profile: CityProfile, report: Sequence[Record] = (), upload_sha256: str = "") -> None:
        """Drops the drafts of a deleted profile, whatever areas they cover (a running one finishes, unseen)."""
        with self._lock:
            keys = {draft_key(profile, report, upload_sha256)} | {
                k for k, job in self._jobs.items() if getattr(job, "profile_key", None) ==
                draft_key(profile, report, upload_sha256)}
            jobs = [self._jobs.pop(k) for k in keys if k in self._jobs]
        for job in jobs:
            job.cancel()

    def __len__(self) -> int:
        """Drafts kept (done or running)."""
        return len(self._jobs)

    def close(self) -> None:
        if self._own_pool:
            self._pool.close()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def draft_response(result: Draft, fmt: str, base_url: str = "") -> Response:
    """A draft as JSON, a Markdown file or a Word file (sources linked to the app at `base_url`)."""
    name = result.file_stem()
    if fmt == "md":
        return Response(draft_markdown(result, base_url), media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.md"'})
    if fmt == "docx":
        return Response(draft_docx(result, base_url), media_type=DOCX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.docx"'})
    return JSONResponse(result.to_json())
