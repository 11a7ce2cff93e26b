"""Fitting the grading models (assistant/grading.py) on judged answer sets, and what to expect of them on
questions they have not seen.

Every judged question is asked through the same `ask` users get; its graded candidates (the first
`GradeParams.pool`, one per city) are labelled by the judged practices they cite (evaluation/answers.py:
2 direct, 1 related, 0 neither). Two L2-regularised logistic regressions are fitted on those rows, the
objective of scikit-learn's LogisticRegression (½‖w‖² + C·Σ log-loss, the bias not penalised), by Newton's
method: p_related on rows labelled 1 or 2, p_direct on rows labelled 2. `leave_one_out` fits them again
without each question in turn and answers that question with those weights: the figures to expect on an
unseen question. `scripts/fit_grading.py` prints both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.answer import AskParams, ask
from assistant.evaluation.answers import Judge, JudgedQuestion, evaluate_answers, judged_grade
from assistant.grading import GradeParams, Signals, direct_features, related_features
from index.search import Hit, Searcher


@dataclass(frozen=True, slots=True)
class Row:
    question: str  # the judged question's id
    signals: Signals
    judged: int  # 2 direct, 1 related, 0 neither


def collect(searcher: Searcher, questions: Sequence[JudgedQuestion], params: AskParams) -> list[Row]:
    """The graded candidates of each question's first answer, with their judged grade."""
    judge = Judge(searcher.records)
    rows: list[Row] = []
    seen: list[tuple[Sequence[Hit], Sequence[Signals]]] = []

    def observe(pool: Sequence[Hit], signals: Sequence[Signals], _allowed: bool) -> None:
        seen.append((pool, signals))

    for q in questions:
        seen.clear()
        ask(searcher, q.query, params=params, observe=observe)
        if seen:  # the first grading is the question's practices (an answer about a place grades others after)
            pool, signals = seen[0]
            rows += [Row(q.id, s, judged_grade(judge, q, h.record)) for h, s in zip(pool, signals, strict=True)]
    return rows


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias minimising ½‖w‖² + c·Σ log-loss (the bias not penalised), by Newton's method."""
    n, d = x.shape
    a = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.diag([1.0 / c] * d + [0.0])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ theta, -50, 50)))
        gradient = a.T @ (p - y) + penalty @ theta
        hessian = (a * (p * (1 - p))[:, None]).T @ a + penalty + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if float(np.abs(step).max()) < 1e-10:
            break
    return theta[:d], float(theta[d])


def fit(rows: Sequence[Row], c: float, base: GradeParams) -> GradeParams:
    """`base` with both models' weights fitted on `rows` (its thresholds kept)."""
    related = np.array([related_features(r.signals) for r in rows], dtype=float)
    direct = np.array([direct_features(r.signals) for r in rows], dtype=float)
    w_rel, b_rel = fit_logistic(related, np.array([r.judged >= 1 for r in rows], dtype=float), c)
    w_dir, b_dir = fit_logistic(direct, np.array([r.judged == 2 for r in rows], dtype=float), c)

    r, d = [round(float(v), 2) for v in w_rel], [round(float(v), 2) for v in w_dir]
    return dataclasses.replace(base, related_weights=(r[0], r[1], r[2]), related_bias=round(b_rel, 2),
                               direct_weights=(d[0], d[1], d[2], d[3]), direct_bias=round(b_dir, 2))


def with_grading(params: AskParams, grading: GradeParams, foreign: bool = False) -> AskParams:
    """`params` with `grading` as the grading of English questions, or of questions in other languages."""
    return dataclasses.replace(params, foreign_grading=grading) if foreign else dataclasses.replace(params,
                                                                                                     grading=grading)


def leave_one_out(searcher: Searcher, questions: Sequence[JudgedQuestion], rows: Sequence[Row], c: float,
                  params: AskParams, foreign: bool = False) -> dict[str, Any]:
    """`eval-answers` metrics when each question is answered by weights fitted without it (thresholds as in
    `params.grading`, or `params.foreign_grading` for questions in other languages when `foreign`)."""
    fold: dict[str, AskParams] = {}
    for q in questions:
        grading = fit([r for r in rows if r.question != q.id], c,
                      params.foreign_grading if foreign else params.grading)
        fold[q.query] = with_grading(params, grading, foreign)
    return evaluate_answers(searcher, questions, answer=lambda text: ask(searcher, text, params=fold[text]))
