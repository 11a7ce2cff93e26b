"""Drafts of saved profiles, composed once each and in the background.

A draft takes tens of seconds on a small machine, so it is started as soon as a profile is read (while the
user looks at the chart) and kept, so the page, the Markdown and the Word downloads share one computation.
Drafts are keyed by the profile's content: the same report uploaded twice is drafted once.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from assistant.draft import Draft, draft
from assistant.profile import CityProfile
from corpus.records import Record
from index.search import Searcher


def profile_key(profile: CityProfile) -> str:
    data = profile.to_json()
    data.pop("source", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class Drafts:
    def __init__(self, searcher: Searcher, limit: int, keep: int = 8) -> None:
        self.searcher = searcher
        self.limit = limit
        self.keep = keep
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="draft")  # one at a time: CPU-bound
        self._jobs: OrderedDict[str, Future[Draft]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, profile: CityProfile, report: Sequence[Record] = ()) -> Future[Draft]:
        """The draft of `profile` (citing `report`, the records of its own report), started now unless
        it already was."""
        key = profile_key(profile) + ("-report" if report else "")
        with self._lock:
            job = self._jobs.get(key)
            if job is None or (job.done() and job.exception() is not None):
                job = self._pool.submit(draft, self.searcher, profile, report=list(report), limit=self.limit)
                self._jobs[key] = job
            self._jobs.move_to_end(key)
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
            return job

    def get(self, profile: CityProfile, report: Sequence[Record] = ()) -> Draft:
        return self.start(profile, report).result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
