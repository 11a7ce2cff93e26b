"""Retrieval evaluation: hit@1, hit@5, MRR@10 and evidence recall@10 (see shared/eval/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluation import evidence_form
from assistant.questions import search_question
from index.search import Searcher


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    query: str
    relevant: tuple[str, ...]


def read_questions(path: Path) -> list[Question]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Question(str(d["id"]), str(d["query"]), tuple(d["relevant"])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not an evaluation line ({exc})") from exc
    if not out:
        raise ValueError(f"{path}: no questions")
    return out


def evaluate(searcher: Searcher, questions: list[Question], k: int = 10) -> dict[str, Any]:
    h1 = h5 = mrr = recall = 0.0
    per: list[dict[str, Any]] = []
    for q in questions:
        hits = search_question(searcher, q.query, k)
        texts = [evidence_form(h.record.text) for h in hits]
        ev = [evidence_form(e) for e in q.relevant]
        first = next((i for i, t in enumerate(texts, start=1) if any(e in t for e in ev)), 0)
        found = sum(1 for e in ev if any(e in t for t in texts))
        h1 += first == 1
        h5 += 0 < first <= 5
        mrr += 1.0 / first if first else 0.0
        recall += found / len(ev)
        per.append({"id": q.id, "first_relevant_rank": first, "evidence_found": found, "evidence": len(ev)})
    n = len(questions)
    return {"hit@1": round(h1 / n, 4), "hit@5": round(h5 / n, 4), "mrr@10": round(mrr / n, 4),
            "recall@10": round(recall / n, 4), "n": n, "per_question": per}
