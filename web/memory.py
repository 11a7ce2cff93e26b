"""Memory handed back to the system after a burst of requests.

Answers allocate and free many small arrays; glibc keeps freed heap pages for reuse, so a server's resident
memory stays near its peak long after the load has gone. `malloc_trim(0)` returns those free pages; done every
`every` seconds in the background, it costs milliseconds (nothing where the C library is not glibc).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
from collections.abc import AsyncIterator, Callable

from web.background import in_background

log = logging.getLogger(__name__)


def _malloc_trim() -> Callable[[], object] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:
        return None
    return (lambda: trim(0)) if trim is not None else None


async def trim_every(every: float) -> None:
    trim = _malloc_trim()
    if trim is None:
        return
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(trim)


@contextlib.asynccontextmanager
async def trimming(every: float = 30.0) -> AsyncIterator[None]:
    """Runs `trim_every` in the background for as long as the context lasts."""
    async with in_background(trim_every(every)):
        yield
