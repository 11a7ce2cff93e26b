"""Where a piece of a record's text stands in its document's text.

A record's text is its span of the document with extraction markup dropped and white space tidied
(`structure.base.display_text`), so an offset into the record is not the same offset into the document:
the two texts are aligned once and offsets carried across the matching stretches.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache

from corpus.records import Document, Record


@lru_cache(maxsize=2048)
def _matching_blocks(text: str, span: str) -> list[tuple[int, int, int]]:
    """The stretches `text` and `span` share, as (text offset, span offset, length); remembered, since
    aligning a long record takes tens of milliseconds and the same records are cited again and again."""
    if span == text:
        return [(0, 0, len(span))]
    matcher = SequenceMatcher(None, text, span, autojunk=False)
    return [(a, b, n) for a, b, n in matcher.get_matching_blocks() if n]


class Alignment:
    """Offsets of a record's text carried to offsets of its document's text."""

    def __init__(self, record: Record, doc: Document) -> None:
        self.base = record.start
        span = doc.text[record.start:record.end]
        self.length = len(span)
        self.blocks = _matching_blocks(record.text, span)
        self._starts = [a for a, _, _ in self.blocks]

    def offset(self, i: int) -> int:
        """The document offset of the record's character `i` (a character the document lacks: the next
        one it has)."""
        k = bisect_right(self._starts, i) - 1
        if k >= 0:
            a, b, n = self.blocks[k]
            if i < a + n:
                return self.base + b + (i - a)
            if k + 1 < len(self.blocks):
                return self.base + self.blocks[k + 1][1]
            return self.base + min(b + n + (i - a - n), self.length)
        return self.base + (self.blocks[0][1] if self.blocks else 0)

    def spans(self, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """Record spans [start, end) as document spans, in order."""
        out = []
        for start, end in sorted(spans):
            a = self.offset(start)
            b = self.offset(end - 1) + 1 if end > start else a
            out.append((a, max(a, b)))
        return out
