"""Answer quality on a judged set (`../shared/eval/answers-dev.json`), through the same `ask` users get.

A practice item of an answer is graded by the judged practice it cites: a judged practice is found by its
evidence string in the records of its document (white space collapsed, case ignored), and an item citing
another record of the same document, section and city counts as the same practice. Grade 2 = direct,
1 = related, 0 = off the question. Metrics (../shared/eval/README.md):
- precision: items graded 1 or 2 / all practice items, over all questions;
- direct_precision: items graded 2 / all practice items, over questions with `has_direct`;
- direct_recall: per question with `has_direct`, the share of its direct practices among the items; mean;
- match_accuracy: share of questions whose `match` is "direct" exactly when `has_direct`;
- country: questions with a `country` whose practice items are all from it (at least one);
- guide: questions with `guide_questions` whose answer cites at least one of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer import Answer, AskParams, ask
from assistant.evaluation import evidence_form
from corpus.places import fold
from corpus.records import Kind, Record
from index.search import Searcher


@dataclass(frozen=True, slots=True)
class Judged:
    city: str
    doc: str  # document id (the file name without its suffix)
    evidence: str


@dataclass(frozen=True, slots=True)
class JudgedQuestion:
    id: str
    query: str
    country: str
    has_direct: bool
    direct: tuple[Judged, ...]
    related: tuple[Judged, ...]
    guide_questions: tuple[Judged, ...]


def judged_list(items: object, where: str) -> tuple[Judged, ...]:
    if not isinstance(items, list):
        raise ValueError(f"{where}: expected a list")
    out = []
    for p in items:
        if not (isinstance(p, dict) and isinstance(p.get("evidence"), str) and isinstance(p.get("doc"), str)):
            raise ValueError(f"{where}: each item needs 'doc' and 'evidence'")
        out.append(Judged(str(p.get("city") or ""), Path(p["doc"]).stem, p["evidence"]))
    return tuple(out)


def read_json(path: Path) -> object:
    """A judged file's JSON; a ValueError that names the file for anything unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON file ({exc})") from exc


def read_judged(path: Path) -> list[JudgedQuestion]:
    """The judged questions of an answers file; a clear ValueError for anything else."""
    data = read_json(path)
    if not isinstance(data, list) or not data:
        raise ValueError(f"{path}: expected a JSON list of judged questions")
    out = []
    for n, q in enumerate(data, start=1):
        if not (isinstance(q, dict) and isinstance(q.get("query"), str)):
            raise ValueError(f"{path}: question {n} has no 'query'")
        where = f"{path}: question {q.get('id', n)}"
        out.append(JudgedQuestion(str(q.get("id", n)), q["query"], str(q.get("country") or ""),
                                  bool(q.get("has_direct")), judged_list(q.get("direct", []), where),
                                  judged_list(q.get("related", []), where),
                                  judged_list(q.get("guide_questions") or [], where)))
    return out


class Judge:
    """Finds judged practices among the records of the loaded index."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = records
        self._texts = [evidence_form(r.text) for r in records]

    def records_of(self, judged: Judged) -> list[Record]:
        ev = evidence_form(judged.evidence)
        return [r for r, t in zip(self.records, self._texts, strict=True) if r.doc_id == judged.doc and ev in t]

    def same(self, judged: Judged, record: Record) -> bool:
        """Whether `record` is the judged practice (or another record of its document, section and city)."""
        for r in self.records_of(judged):
            if r.id == record.id or (r.doc_id == record.doc_id and r.section == record.section
                                     and fold(r.city) == fold(record.city)):
                return True
        return False


def judged_grade(judge: Judge, q: JudgedQuestion, record: Record) -> int:
    """2 when `record` is one of the question's judged direct practices, 1 a related one, else 0."""
    if any(judge.same(j, record) for j in q.direct):
        return 2
    return 1 if any(judge.same(j, record) for j in q.related) else 0


def evaluate_answers(searcher: Searcher, questions: Sequence[JudgedQuestion],
                     answer: Callable[[str], Answer] | None = None, params: AskParams | None = None
                     ) -> dict[str, Any]:
    """The metrics above, and per question its items with their judged grade and the answer's own (by
    `params`, unless `answer` answers)."""
    judge = Judge(searcher.records)
    run = answer or (lambda text: ask(searcher, text, params=params or AskParams()))
    graded_items = good = 0
    direct_items = direct_total = 0
    recalls: list[float] = []
    match_right = 0
    country_q = country_right = 0
    guide_q = guide_right = 0
    per: list[dict[str, Any]] = []
    for q in questions:
        a = run(q.query)
        practices = [c for c in a.citations if c.record.kind == Kind.PRACTICE]
        grades = [judged_grade(judge, q, c.record) for c in practices]
        graded_items += len(grades)
        good += sum(1 for g in grades if g >= 1)
        if q.has_direct:
            direct_total += len(grades)
            direct_items += sum(1 for g in grades if g == 2)
            found = sum(1 for j in q.direct if any(judge.same(j, c.record) for c in practices))
            recalls.append(found / len(q.direct) if q.direct else 0.0)
        match_right += (a.match == "direct") == q.has_direct
        if q.country:
            country_q += 1
            country_right += bool(practices) and all(fold(c.record.country) == fold(q.country) for c in practices)
        if q.guide_questions:
            guide_q += 1
            guide_right += any(judge.same(j, c.record) for j in q.guide_questions for c in a.citations
                               if c.record.kind == Kind.GUIDE_QUESTION)
        per.append({"id": q.id, "query": q.query, "match": a.match, "has_direct": q.has_direct,
                    "items": [{"city": c.record.city, "grade": c.grade, "judged": g, "record_id": c.record.id}
                              for c, g in zip(practices, grades, strict=True)]})

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 4) if b else None

    return {"n": len(questions), "items": graded_items, "precision": ratio(good, graded_items),
            "direct_precision": ratio(direct_items, direct_total),
            "direct_recall": round(sum(recalls) / len(recalls), 4) if recalls else None,
            "match_accuracy": ratio(match_right, len(questions)),
            "country": f"{country_right}/{country_q}", "guide": f"{guide_right}/{guide_q}", "per_question": per}
