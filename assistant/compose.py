"""Composition: records selected for a question or an area made into cited items, and items into text.

What answers (assistant/answer.py) and drafts (assistant/draft.py) share: the `Composer`, which picks each
record's sentences most about the query and cites them (assistant/citations.py); the `Item` it makes; the
title rule of a practice; and `render`, the Jinja2 templates of assistant/templates/.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
import numpy as np

from assistant.citations import Citation, Citations, lead, place
from assistant.i18n import SOURCE, install, translations
from assistant.sentences import best_sentences, closed, embedded, flawed, fragment, unusable
from corpus.places import fold, is_place
from corpus.records import Kind, Record, is_fallback_title
from corpus.sentences import Sentence, split_sentences
from index.search import Searcher


@dataclass(frozen=True, slots=True)
class Item:
    citation: Citation
    place: str
    title: str
    city: str
    sentences: tuple[str, ...]

    @property
    def n(self) -> int:
        return self.citation.n

    @property
    def quoted(self) -> str:
        """The sentences as one quote; an entry of a list, which has no closing punctuation, is set off from
        the next by ";" ("Creation of the Municipal Council of the Roma Population; Public recognition …")."""
        out = ""
        for s in self.sentences:
            out += ("" if not out else " " if closed(out) or out.rstrip().endswith(":") else "; ") + s
        return out

    @property
    def grade(self) -> str:
        return self.citation.grade

    @property
    def names_place(self) -> bool:
        """Whether the quote opens by naming the item's city ("Neumarkt (Germany) offers ..."): then a
        lead-in would repeat it."""
        if not self.city or not self.sentences:
            return False
        head, city = fold(self.sentences[0][:50]), fold(self.city)
        if city in head:
            return True
        # ... under a misspelt name, in its own country ("In Erlanger (Germany), the city has …" for Erlangen; not
        # "In Lublin (Poland)" for Dublin)
        m = _NAMED_FIRST.match(head)
        return m is not None and m.group(2) == fold(self.citation.record.country) and \
            difflib.SequenceMatcher(None, m.group(1), city).ratio() >= 0.8

    @property
    def shown_title(self) -> str:
        """The title, unless the quote opens with it."""
        return "" if self.title and fold(self.title) in fold(self.sentences[0][:120] if self.sentences else "") \
            else self.title

    @property
    def lead(self) -> str:
        return lead(self.citation.record)

    @property
    def in_place(self) -> bool:  # a city's or a country's ("In Tampere (Finland)"), not an organisation's
        return is_place(self.citation.record.city)


# a quote that opens on a place and its country: "In Erlanger (Germany), …", "Neumarkt (Germany) offers …"
_NAMED_FIRST = re.compile(r"(?:in |the city of )?([a-z][\w'-]*(?: [a-z][\w'-]*)?) \(([a-z ]+)\)")


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("assistant", "templates"), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                             undefined=jinja2.StrictUndefined)
    install(env, translations)
    return env


def render(template: str, **context: Any) -> str:
    """A template rendered as small Markdown; its messages in `context["lang"]` (English by default)."""
    text = _templates().get_template(template).render(**{"lang": SOURCE, **context})
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def title_of(r: Record) -> str:
    """The record's title when it names the practice: not its city again (in any case or accents), not 'Example
    from X', not a stray word. One rule for answers and drafts."""
    t = r.title.strip()
    if not t or len(t) > 90 or fold(t) == fold(r.city) or is_fallback_title(t, r.city):
        return ""
    if t.isupper():  # "VILNIUS: OPEN TO CULTURES" reads as shouting
        t = t.capitalize()
    if not t[:1].isupper() and not t[:1].isdigit():
        return ""
    if len(t.split()) == 1 and not any(c.isupper() for c in t[1:]):
        return ""  # a single ordinary word ("Although") is a heading the reader guessed wrong
    return t


class Composer:
    """Turns selected records into items with citations (an answer's or a draft's), numbered as they are cited."""

    def __init__(self, searcher: Searcher, query: str) -> None:
        self.searcher = searcher
        self.query = query
        self.citations = Citations(searcher.index.documents)
        self._qv: np.ndarray | None = None
        self.must = ""  # words the quotes should hold: what a follow-up narrowed the topic to ("and in schools?")

    def focus(self, query: str) -> None:
        """Select sentences for another query from now on (citations keep their numbers)."""
        self.query, self._qv = query, None

    def qv(self) -> np.ndarray:
        if self._qv is None:
            self._qv = self.searcher.embedder.embed_batch([self.query])[0]
        return self._qv

    def sentences(self, records: Sequence[Record]) -> list[tuple[list[Sentence], np.ndarray]]:
        """Each record's sentences and their similarity to the query (vectors from the index)."""
        qv = self.qv()
        return [(sents, vecs @ qv if len(vecs) else np.zeros(0)) for sents, vecs in
                embedded(records, self.searcher.index, self.searcher.embedder)]

    def items(self, records: Sequence[Record], most: int = 2, grades: Sequence[str] = ()) -> list[Item]:
        pairs = self.sentences(records)
        picked = best_sentences(self.query, [p[0] for p in pairs], [p[1] for p in pairs], most,
                                cities=[r.city if r.kind == Kind.PRACTICE else "" for r in records], must=self.must,
                                titles=[r.title for r in records])
        out = []
        for n, (r, sents) in enumerate(zip(records, picked, strict=True)):
            if r.kind == Kind.PRACTICE and (not sents or any(flawed(s.text, r.city) for s in sents)):
                continue  # nothing in the record says what this city does: advice, or another city
            texts = tuple(s.text for s in sents) or (r.text.strip(),)
            c = self.citations.cite(r, texts, grades[n] if n < len(grades) else "")
            title = title_of(r) if r.kind == Kind.PRACTICE else (r.benchmark or r.section).split(":")[0]
            out.append(Item(c, place(r), title, r.city, texts))
        return out

    def without_label(self, item: Item) -> Item:
        """'Business and the labour market: Hämeenlinna may wish ...' quoted without its area label."""
        first = item.sentences[0]
        m = re.match(r"([^:.]{3,60}): (?=[A-ZÀ-Ý])", first)
        if not m or len(m.group(1).split()) > 8:
            return item
        sentences = (first[m.end():], *item.sentences[1:])
        return Item(self.citations.replace(item.citation, sentences), item.place, item.title, item.city, sentences)

    def detail(self, record: Record, most: int, grade: str = "") -> Item:
        """The record's whole text in reading order, sentence by sentence (contact lines and web
        addresses left out; a list's short entries kept: "Financial support;"), each sentence cited."""
        labels = fold(record.title + " " + record.section)

        def heading(s: Sentence) -> bool:  # the title, or a label of the record's headings: said above the quote
            text = fold(s.text)
            return text == fold(record.title) or (fragment(s.text) and text in labels)

        sents = [s for s in split_sentences(record.text, short_entries=True)
                 if not unusable(s.text) and not heading(s)][:most]
        texts = tuple(s.text for s in sents) or (record.text.strip(),)
        c = self.citations.cite(record, texts, grade)
        return Item(c, place(record), title_of(record), record.city, texts)
