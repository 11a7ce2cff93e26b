"""Grade before you show: is a candidate practice about what was asked (direct), on the same topic
(related), or neither?

Ranking says which records come closest; grading says whether they are close enough to show. Each
candidate gets three signals that the index already has:
- `dense`: the best cosine similarity of the record's embedded windows to the question;
- `best_sentence`: the best cosine similarity of one of its sentences (embedded at build time);
- `coverage`: the share of the question's distinctive words (IDF-weighted over the practices, generic
  words such as "city" or "migrants" left out) that the record contains;
and, for the related grade, `relative`: its fused search score over the best candidate's.

Two logistic models turn them into probabilities. Their weights were fitted on the judged answers set
(`../shared/eval/answers-dev.json`, the first 10 candidates of its 14 questions) and checked by leaving
each question out in turn (README, "Answers"): a handful of weights on signals of every question, not
lists of words per question.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from corpus.records import Kind, Record
from index.backends import tokenize


class Grade(StrEnum):
    DIRECT = "direct"  # the practice does what was asked
    RELATED = "related"  # same topic, not exactly that
    NONE = "none"  # off the question: never shown


# words every question and half the practices carry: they say nothing about what was asked
GENERIC = frozenset(tokenize(
    "migrant migrants municipality municipalities local residents people example examples help support "
    "programme project"))


@dataclass(frozen=True, slots=True)
class GradeParams:
    # logit = weights · (dense, relative, coverage) + bias; shown at p >= show
    related_weights: tuple[float, float, float] = (8.10, 5.03, 2.37)
    related_bias: float = -8.24
    show: float = 0.55
    # logit = weights · (dense, best_sentence, coverage) + bias; direct at p >= direct_at
    direct_weights: tuple[float, float, float] = (4.83, 14.96, 1.87)
    direct_bias: float = -12.07
    direct_at: float = 0.4
    pool: int = 10  # candidates graded (distinct cities, best first)


@dataclass(frozen=True, slots=True)
class Signals:
    dense: float
    best_sentence: float
    coverage: float
    relative: float
    says_topic: bool = False  # one of its sentences holds every word of a short topic ("language cafés")


@dataclass(frozen=True, slots=True)
class Graded:
    record: Record
    score: float
    grade: Grade
    p_related: float
    p_direct: float
    signals: Signals


class Vocabulary:
    """Document frequencies of terms over the practices of one loaded index (built once per index)."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.terms: dict[str, frozenset[str]] = {}
        df: Counter[str] = Counter()
        for r in records:
            if r.kind == Kind.PRACTICE:
                words = frozenset(tokenize(f"{r.title} {r.text}"))
                self.terms[r.id] = words
                df.update(words)
        n = max(1, len(self.terms))
        self._idf = {t: math.log(1 + n / (1 + c)) for t, c in df.items()}
        self._unseen = math.log(1 + n)

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unseen)

    def coverage(self, question: str, record: Record) -> float:
        """IDF-weighted share of the question's distinctive terms that the record contains."""
        wanted = [t for t in dict.fromkeys(tokenize(question)) if t not in GENERIC]
        if not wanted:
            return 0.0
        words = self.terms.get(record.id)
        if words is None:
            words = frozenset(tokenize(f"{record.title} {record.text}"))
        total = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted if t in words) / total


def topic_terms(topic: str, most: int = 3) -> frozenset[str]:
    """The distinctive words of a short topic ("language cafés" → {languag, cafe}); empty for a longer one,
    whose words one sentence rarely holds all together."""
    terms = frozenset(t for t in tokenize(topic) if t not in GENERIC)
    return terms if 0 < len(terms) <= most else frozenset()


def says_topic(terms: frozenset[str], sentences: Sequence[str]) -> bool:
    """Whether one sentence holds every word of the topic: a practice that says it does that very thing."""
    return bool(terms) and any(terms <= set(tokenize(s)) for s in sentences)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def grade(signals: Signals, params: GradeParams, direct_allowed: bool = True) -> tuple[Grade, float, float]:
    """The grade of one candidate and the two probabilities behind it."""
    s = signals
    wr, wd = params.related_weights, params.direct_weights
    p_rel = _sigmoid(wr[0] * s.dense + wr[1] * s.relative + wr[2] * s.coverage + params.related_bias)
    p_dir = _sigmoid(wd[0] * s.dense + wd[1] * s.best_sentence + wd[2] * s.coverage + params.direct_bias)
    if p_rel < params.show:
        return Grade.NONE, p_rel, p_dir
    direct = p_dir >= params.direct_at or s.says_topic
    return (Grade.DIRECT if direct_allowed and direct else Grade.RELATED), p_rel, p_dir


def best_grade(grades: Sequence[Grade]) -> Grade:
    if Grade.DIRECT in grades:
        return Grade.DIRECT
    return Grade.RELATED if Grade.RELATED in grades else Grade.NONE

