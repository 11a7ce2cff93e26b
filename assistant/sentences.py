"""Sentences of a record and the ones that best answer a question: selected, never rewritten.

Every sentence returned is an exact substring of the record's text, so a citation can be checked
and highlighted in its document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.places import _fold, cities_with_country, known_cities_in
from index.backends import tokenize
from index.embed import Embedder

# a full stop after these is not the end of a sentence
_ABBREV = {"e.g", "i.e", "etc", "st", "dr", "mr", "mrs", "ms", "no", "nr", "approx", "vs", "cf", "incl", "fig",
           "art", "p", "pp", "ca", "ed", "eds", "prof", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
           "sep", "sept", "oct", "nov", "dec"}
_END = re.compile(r"[.!?…](?:[\"”’)\]]*)\s+(?=[\"“‘(\[]?[A-ZÀ-ÖØ-Þ0-9])")
_MIN_WORDS = 6
# "it does not regularly monitor ...": what a city does not do is rarely what a reader asked about
_NEGATED = re.compile(r"\b(does not|doesn't|do not|don't|did not|has not|have not|is not|are not|lacks?|"
                      r"no longer|not yet|nor)\b", re.I)
# a sentence that leans on the one before it: quoted, it needs that one too
_DANGLING = re.compile(r"(It|Its|This|These|Those|They|Their|There|He|She|The latter|The former|Such|"
                       r"All of (this|these|them)|Both|Here|However|Otherwise|Additionally|Likewise|Moreover|"
                       r"Furthermore|Also|In addition|Linked to|Similarly|Nevertheless|Therefore|Thus|Still)\b")
# the report's advice to its own city ("the city may wish to consider ...") is not what another city does
_ADVICE = re.compile(r"\b(may wish to|might wish to|could consider|may consider|might consider|could explore|"
                     r"may be interested|could be interested|might be interested|it could be interesting|"
                     r"is encouraged to|would benefit)\b", re.I)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # offsets into the record's text
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` with their offsets; paragraph and list breaks end a sentence too.
    Headings and other short lines without a verb-like length are dropped."""
    out: list[Sentence] = []
    for para in _paragraphs(text):
        base, chunk = para.start(), para.group()
        cut = 0
        for m in _END.finditer(chunk):
            word = re.search(r"(\S+)$", chunk[cut:m.start() + 1])
            last = word.group(1).rstrip(".").lower().lstrip("(\"“") if word else ""
            if last in _ABBREV or (len(last) == 1 and last.isalpha()):
                continue
            _add(out, text, base + cut, base + m.end())
            cut = m.end()
        _add(out, text, base + cut, base + len(chunk))
    return out


def _paragraphs(text: str) -> list[re.Match[str]]:
    """Runs of lines that belong to one paragraph: a line break ends one before a list item, and after
    a heading-like line (short, no closing punctuation) followed by a capitalised line."""
    out: list[re.Match[str]] = []
    for block in re.finditer(r"[^\n]+(?:\n(?!\n|\s*[-•●▪*]\s|\s*\d+[.)]\s)[^\n]+)*", text):
        lines = list(re.finditer(r"[^\n]+", block.group()))
        start = 0
        for a, b in zip(lines, lines[1:], strict=False):
            line = a.group().strip()
            if line and line[-1] not in ".,;:!?…-–—(" and len(line.split()) < 15 and b.group()[:1].isupper():
                if re.match(r"[-•●▪*]|\d+[.)]\s", line):  # a list item ends here
                    out.append(_span(text, block.start() + start, block.start() + a.end()))
                start = b.start()  # a heading is not a sentence to quote
        out.append(_span(text, block.start() + start, block.end()))
    return out


def _span(text: str, start: int, end: int) -> re.Match[str]:
    m = re.compile(r"[\s\S]*").match(text, start, end)
    assert m is not None
    return m


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip(" \t-•●▪*"))
    piece = piece.strip(" \t-•●▪*\n")
    if len(piece.split()) < _MIN_WORDS:
        return
    s = start + lead
    out.append(Sentence(s, s + len(piece), piece))


def _terms(text: str) -> set[str]:
    return {t for t in tokenize(text) if len(t) > 2}


_CITY_OF = re.compile(r"\b[Cc]ity of ([A-ZÀ-Þ][\w'’-]+)")


def _other_place(sentence: str, city: str) -> bool:
    """Whether a sentence speaks of another city and not of `city` (a record that ran on into the next
    city's practice): a known city, "Auckland (New Zealand)" or "the city of Auckland"."""
    if not city or _fold(city) in _fold(sentence):
        return False
    named = [c for _, c, _ in known_cities_in(sentence)] + [c for _, c, _ in cities_with_country(sentence)] \
        + _CITY_OF.findall(sentence)
    return any(_fold(other) != _fold(city) for other in named)


def flawed(sentence: str, city: str = "") -> bool:
    """A sentence that cannot stand for what `city` does: advice to a report's own city, or another
    city's practice."""
    return bool(_ADVICE.search(sentence)) or _other_place(sentence, city)


def _fragment(sentence: str) -> bool:
    """A heading, slogan or list label rather than a sentence: short and without closing punctuation."""
    return len(sentence.split()) < 14 and not sentence.rstrip().endswith((".", "!", "?", ";", "”", '"', ")"))


def best_sentences(query: str, texts: Sequence[str], embedder: Embedder, query_vec: np.ndarray | None = None,
                   most: int = 2, max_chars: int = 420, cities: Sequence[str] = ()) -> list[list[Sentence]]:
    """For each text, its one or two sentences that best answer `query`, in reading order.

    Score = cosine to the query + term overlap + a small bonus for the opening sentence (which
    usually says who does what). A second sentence is kept when it is nearly as good, or when it
    directly follows the best one, and both fit in `max_chars`."""
    split = [split_sentences(t) for t in texts]
    flat = [s.text for sents in split for s in sents]
    if not flat:
        return [[] for _ in texts]
    qv = query_vec if query_vec is not None else embedder.embed_batch([query])[0]
    sims = embedder.embed_batch(flat) @ qv
    qterms = _terms(query)
    out: list[list[Sentence]] = []
    pos = 0
    for n, sents in enumerate(split):
        if not sents:
            out.append([])
            continue
        city = cities[n] if n < len(cities) else ""
        scores = []
        for j, s in enumerate(sents):
            overlap = len(qterms & _terms(s.text)) / (len(qterms) or 1)
            scores.append(float(sims[pos + j]) + 0.25 * overlap + (0.05 if j == 0 else 0.0)
                          - (0.1 if len(s.text) > max_chars else 0.0)
                          - (0.15 if s.text.endswith("?") else 0.0)  # a question is not what was done
                          - (0.15 if _NEGATED.search(s.text) else 0.0)
                          - (0.3 if flawed(s.text, city) else 0.0)
                          - (0.2 if _fragment(s.text) else 0.0))
        pos += len(sents)
        order = sorted(range(len(sents)), key=lambda j: -scores[j])
        first = order[0]
        chosen = [first]
        for j in order[1:most]:
            if len(chosen) >= most:
                break
            near = abs(j - first) == 1
            if (near or scores[j] >= 0.9 * scores[first]) and \
                    len(sents[first].text) + len(sents[j].text) <= max_chars:
                chosen.append(j)
        chosen.sort()
        if chosen[0] > 0 and _DANGLING.match(sents[chosen[0]].text) and \
                sum(len(sents[j].text) for j in chosen) + len(sents[chosen[0] - 1].text) <= max_chars + 200:
            chosen = [chosen[0] - 1, *chosen][:max(most, 2)]  # say what "it" is before it is used
        out.append([sents[j] for j in sorted(chosen)])
    return out
