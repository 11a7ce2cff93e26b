"""The evaluation commands of `icc-assistant` (`eval`, `eval-answers`, `eval-drafts`; registered by
assistant/cli.py): the judged file read, the evaluation run through the library users get, the figures printed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from assistant.cli_support import HomeOpt, JsonOpt, ModelOpt, fail, make_settings, runtime_or_fail

Judged = TypeVar("Judged")


def _evaluate(file: Path, read: Callable[[Path], Judged], errors: tuple[type[Exception], ...],
              run: Callable[[Any, Judged], dict[str, Any]], per: str, as_json: bool, details: bool,
              home: Path | None, model: str | None, *, table: Callable[[dict[str, Any]], list[str]],
              line: Callable[[dict[str, Any]], str], ensure_ascii: bool = False) -> None:
    """What the eval commands share: the judged FILE read (a malformed one: exit 2), the index loaded, the
    evaluation run on it, and its result printed: as JSON with `--json` (the per-item results under `per`
    with --details), else the command's `table` of figures and, with --details, a `line` per item."""
    try:
        judged = read(file)
    except errors as exc:
        fail(str(exc), 2)
    result = run(runtime_or_fail(make_settings(None, home, model)), judged)
    items = result.pop(per)
    if as_json:
        if details:
            result[per] = items
        typer.echo(json.dumps(result, ensure_ascii=ensure_ascii))
        return
    for text in table(result):
        typer.echo(text)
    if details:
        for item in items:
            typer.echo(line(item))


def _figures(result: dict[str, Any], keys: tuple[str, ...], width: int) -> list[str]:
    return [f"{key:<{width}} {'–' if result[key] is None else format(result[key], '.3f')}" for key in keys]


def _items(per: dict[str, Any]) -> str:
    """A question's or an area's practices with their grade and the judged one: 'Oslo(r2), Genoa(d1)'."""
    return ", ".join(f"{i['city']}({i['grade'][:1]}{i['judged']})" for i in per["items"]) or "none"


def eval_cmd(
    file: Annotated[Path, typer.Argument(help="Evaluation file (.jsonl: id, query, relevant).")],
    as_json: JsonOpt = False, home: HomeOpt = None, model: ModelOpt = None,
    details: Annotated[bool, typer.Option("--details", help="Also show each question's result.")] = False,
) -> None:
    """Retrieval quality: hit@1, hit@5, MRR@10, evidence recall@10."""
    from assistant.evaluation.retrieval import evaluate, read_questions

    def table(r: dict[str, Any]) -> list[str]:
        return [f"questions  {r['n']}", *_figures(r, ("hit@1", "hit@5", "mrr@10", "recall@10"), 10)]

    def line(p: dict[str, Any]) -> str:
        return f"  {p['id']}: first relevant rank {p['first_relevant_rank'] or '-'}, " \
               f"evidence {p['evidence_found']}/{p['evidence']}"

    _evaluate(file, read_questions, (OSError, ValueError), lambda rt, qs: evaluate(rt.searcher, qs),
              "per_question", as_json, details, home, model, table=table, line=line, ensure_ascii=True)


def eval_answers_cmd(
    file: Annotated[Path, typer.Argument(help="Judged answers file (.json, as ../shared/eval/answers-dev.json).")],
    as_json: JsonOpt = False, home: HomeOpt = None, model: ModelOpt = None,
    details: Annotated[bool, typer.Option("--details", help="Also show each question's items and grades.")] = False,
) -> None:
    """Answer quality through `ask`: precision, direct precision and recall, match accuracy, country, guide."""
    from assistant.evaluation.answers import evaluate_answers, read_judged

    def table(r: dict[str, Any]) -> list[str]:
        return [f"questions         {r['n']} ({r['items']} practice items)",
                *_figures(r, ("precision", "direct_precision", "direct_recall", "match_accuracy"), 17),
                f"{'country':<17} {r['country']}", f"{'guide':<17} {r['guide']}"]

    def line(p: dict[str, Any]) -> str:
        return f"  {p['id']}: match {p['match']} (judged {'direct' if p['has_direct'] else 'not direct'}); {_items(p)}"

    _evaluate(file, read_judged, (ValueError,), lambda rt, qs: evaluate_answers(rt.searcher, qs, params=rt.ask_params),
              "per_question", as_json, details, home, model, table=table, line=line)


def eval_drafts_cmd(
    file: Annotated[Path, typer.Argument(help="Judged areas file (.json, as ../shared/eval/areas-dev.json).")],
    as_json: JsonOpt = False, home: HomeOpt = None, model: ModelOpt = None,
    city: Annotated[str | None, typer.Option("--city", help="Draft for this city (its report's findings are "
                                             "quoted when the index holds one); default: a city no document "
                                             "is about.")] = None,
    details: Annotated[bool, typer.Option("--details", help="Also show each area's suggestions and paragraph.")
                       ] = False,
) -> None:
    """Draft quality: every area of FILE drafted for a profile weak in all of them; suggestion precision,
    direct precision and the similarity of the areas' recommendation paragraphs."""
    from assistant.evaluation.drafts import EVAL_CITY, evaluate_drafts, read_areas

    def table(r: dict[str, Any]) -> list[str]:
        return [f"areas                {r['n']} ({r['items']} suggestions, drafted for {r['city']})",
                *_figures(r, ("precision", "direct_precision", "template_similarity"), 20)]

    def line(p: dict[str, Any]) -> str:
        return f"  {p['slug']}: {_items(p)}\n    {p['text']}"

    _evaluate(file, read_areas, (ValueError,),
              lambda rt, judged: evaluate_drafts(rt.searcher, judged, city or EVAL_CITY, rt.draft_params),
              "per_area", as_json, details, home, model, table=table, line=line)
