"""The language a question is written in, and how sure that is.

The documents are English: BM25 terms and the English sentence model only read English questions, the
multilingual model reads them all. Search weighs its signals by `english` (the probability that the
question is English) and answers are framed in `code`. py3langid (BSD, numpy, its model inside the
package) reads one short question in well under a millisecond once loaded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corpus.places import fold
from index.once import Once

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# the documents are English and so is most of what is typed into search: a short phrase ("media
# monitoring") that reads a little like Esperanto is still taken as English unless the evidence is strong
ENGLISH_PRIOR = 4.0  # log-odds added for English


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1 ("en", "fr", ...), "" when the text has no letters to tell
    english: float  # probability that the text is English (1.0 when it cannot be told)

    @property
    def foreign(self) -> bool:
        return self.english < 0.5


ENGLISH = Language("en", 1.0)


def _load_identifier() -> Any:
    """py3langid's identifier (0.4 s: its model is lzma-compressed). py3langid's own lazy loading has no
    lock: a server's first fifty questions at once each loaded a copy (19 s, 1.3 GB); hence `_IDENTIFIER`."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)


_IDENTIFIER: Once[Any] = Once(_load_identifier)


_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SHORT = 4  # words: below this a language identifier guesses ("migrant entrepreneurs": French, 1 − 3e-6)


def words_of(text: str) -> list[str]:
    """The words of `text`, folded (no accents, lower case: "cafés" is the documents' "cafes"); what `detect`
    compares with the documents' words. A word of another script folds to nothing and is left out."""
    return [f for f in (fold(w) for w in _WORD.findall(text)) if f]


@lru_cache(maxsize=512)
def detect(text: str, known: frozenset[str] = frozenset()) -> Language:
    """The language of `text`. Fewer than three letters (an emoji, a number) says nothing: English, the
    documents' language, is assumed. A short text (at most SHORT words) whose every word the documents use
    (`known`: their words, see `words_of`) is English too: "media monitoring" or "migrant entrepreneurs" typed
    into search is a keyword query on the documents, whatever a language identifier makes of two words."""
    if len(_LETTERS.findall(text)) < 3:
        return Language("", 1.0)
    words = words_of(text)
    whole = len(words) == len(_WORD.findall(text))  # no word of another script
    if known and whole and 0 < len(words) <= SHORT and all(w in known for w in words):
        return ENGLISH
    ranked = _IDENTIFIER.get().rank(text)
    top = ranked[0][1]
    weights = {lang: math.exp(score - top) for lang, score in ranked if score - top > -40}
    en = weights.get("en", 0.0) * math.exp(ENGLISH_PRIOR)
    other = sum(weights.values()) - weights.get("en", 0.0)
    code = "en" if en >= max((w for lang, w in weights.items() if lang != "en"), default=0.0) else ranked[0][0]
    return Language(code, en / (en + other))


# languages a language identifier mistakes a short question in one of the answers' languages for: a short
# Spanish question is often ranked Latin, Galician, Catalan, Aragonese or Asturian first ("estrategias
# antirrumores": Spanish 1.9 behind Latin; "población gitana" 9.8 behind Aragonese)
NEIGHBOURS = {"la": "es", "gl": "es", "ca": "es", "an": "es", "ast": "es"}
NEIGHBOUR_GAP = 10.0  # log-probability the neighbour's language may trail it by


def neighbour_of(text: str, codes: Collection[str]) -> str:
    """The one of `codes` that `text`, read first as a neighbour of it (NEIGHBOURS), is: when that language
    trails the neighbour by NEIGHBOUR_GAP at most and is ahead of English by ENGLISH_PRIOR ("" otherwise:
    "anti rumour" stays English, Portuguese is no Spanish)."""
    ranked = _IDENTIFIER.get().rank(text)
    if not ranked or NEIGHBOURS.get(ranked[0][0]) not in codes:
        return ""
    scores = dict(ranked)
    near = NEIGHBOURS[ranked[0][0]]
    top, score, english = ranked[0][1], scores.get(near, -math.inf), scores.get("en", -math.inf)
    return near if top - score <= NEIGHBOUR_GAP and score - english >= ENGLISH_PRIOR else ""


# letters per word piece of the multilingual model under which a text in Latin letters is no language it knows:
# the 215 questions in Latin letters of the eval sets (English and their translations) read at 3.05 letters a
# piece and more, keyboard runs ("asdf qwerty", "kjhkjh sdfsdf", "qwertyuiop", "blah blah") at 2.67 and less
MIN_LETTERS_PER_PIECE = 2.75
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]")


def gibberish(text: str, pieces: int) -> bool:
    """Whether `text`, in Latin letters, is read as `pieces` word pieces so short that it is in no language
    (a word of a language the model knows is one piece or a few long ones; "asdfgh" is four). Other scripts
    are not judged: a piece of Chinese is one character."""
    letters = _LETTERS.findall(text)
    if not letters or pieces <= 0 or any(not _LATIN.match(c) for c in letters):
        return False
    return len("".join(text.split())) / pieces < MIN_LETTERS_PER_PIECE
