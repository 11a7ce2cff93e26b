"""A value made on first use by one thread while the others wait: the models and the language identifier.

A server's first questions arrive together; loading without a lock made each of fifty threads load its own
copy (18 s for the first answers, the server at 1.9 GB). A load that fails is tried again by the next caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._made = False
        self._value: T | None = None

    def get(self) -> T:
        if not self._made:
            with self._lock:
                if not self._made:
                    self._value = self._make()
                    self._made = True
        return self._value  # type: ignore[return-value]  # made above (T may include None)
