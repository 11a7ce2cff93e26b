"""The pool for heavy work (reading an uploaded report, composing a draft), apart from the questions.

Questions and searches run in the server's own thread pool; a report or a draft takes seconds to a minute
of CPU, so it runs here instead, on `workers` threads with at most `queue` jobs waiting. A job beyond that
is refused at once (`Busy`: 503 with Retry-After) rather than making everyone wait: the questions never
queue behind uploads, and an upload learns in milliseconds that it should come back later.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

BUSY = ("The server is busy reading other reports and writing drafts. Try again in {seconds} seconds; "
        "questions and searches still work meanwhile.")


class Busy(Exception):
    """The heavy pool's queue is full; `retry_after` is a fair guess, in seconds, of when to try again."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        self.message = BUSY.format(seconds=retry_after)
        super().__init__(self.message)


class HeavyPool:
    def __init__(self, workers: int, queue: int, retry_after: int = 30) -> None:
        self.workers = workers
        self.capacity = workers + queue  # running plus waiting
        self.retry_after = retry_after
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="heavy")
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def pending(self) -> int:
        """Jobs running or waiting."""
        return self._pending

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Runs `fn` on a pool thread; Busy, at once, when `workers + queue` jobs are already in."""
        with self._lock:
            if self._pending >= self.capacity:
                raise Busy(self.retry_after)
            self._pending += 1
        try:
            job = self._pool.submit(fn, *args, **kwargs)
        except BaseException:
            self._done()
            raise
        job.add_done_callback(lambda _: self._done())
        return job

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on a pool thread, awaited without holding any other thread."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def _done(self) -> None:
        with self._lock:
            self._pending -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
