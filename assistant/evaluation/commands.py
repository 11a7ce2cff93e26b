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
              home: Path | None, model: str | None, ensure_ascii: bool = False,
              ) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """What the eval commands share: the judged FILE read (a malformed one: exit 2), the index loaded, the
    evaluation run on it, and `--json` printed (the per-item results under `per` with --details). Else the
    figures and the per-item results, for the command's own table; None once the JSON is printed."""
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
        return None
    return result, items


def _figures(result: dict[str, Any], keys: tuple[str, ...], width: int) -> None:
    for key in keys:
        value = result[key]
        typer.echo(f"{key:<{width}} {'–' if value is None else format(value, '.3f')}")


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

    done = _evaluate(file, read_questions, (OSError, ValueError), lambda rt, qs: evaluate(rt.searcher, qs),
                     "per_question", as_json, details, home, model, ensure_ascii=True)
    if done is None:
        return
    result, per = done
    typer.echo(f"questions  {result['n']}")
    _figures(result, ("hit@1", "hit@5", "mrr@10", "recall@10"), 10)
    if details:
        for p in per:
            typer.echo(f"  {p['id']}: first relevant rank {p['first_relevant_rank'] or '-'}, "
                       f"evidence {p['evidence_found']}/{p['evidence']}")


def eval_answers_cmd(
    file: Annotated[Path, typer.Argument(help="Judged answers file (.json, as ../shared/eval/answers-dev.json).")],
    as_json: JsonOpt = False, home: HomeOpt = None, model: ModelOpt = None,
    details: Annotated[bool, typer.Option("--details", help="Also show each question's items and grades.")] = False,
) -> None:
    """Answer quality through `ask`: precision, direct precision and recall, match accuracy, country, guide."""
    from assistant.evaluation.answers import evaluate_answers, read_judged

    done = _evaluate(file, read_judged, (ValueError,),
                     lambda rt, qs: evaluate_answers(rt.searcher, qs, params=rt.ask_params),
                     "per_question", as_json, details, home, model)
    if done is None:
        return
    result, per = done
    typer.echo(f"questions         {result['n']} ({result['items']} practice items)")
    _figures(result, ("precision", "direct_precision", "direct_recall", "match_accuracy"), 17)
    typer.echo(f"{'country':<17} {result['country']}")
    typer.echo(f"{'guide':<17} {result['guide']}")
    if details:
        for p in per:
            typer.echo(f"  {p['id']}: match {p['match']} (judged {'direct' if p['has_direct'] else 'not direct'}); "
                       f"{_items(p)}")


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

    done = _evaluate(file, read_areas, (ValueError,),
                     lambda rt, judged: evaluate_drafts(rt.searcher, judged, city or EVAL_CITY, rt.draft_params),
                     "per_area", as_json, details, home, model)
    if done is None:
        return
    result, per = done
    typer.echo(f"areas                {result['n']} ({result['items']} suggestions, drafted for {result['city']})")
    _figures(result, ("precision", "direct_precision", "template_similarity"), 20)
    if details:
        for p in per:
            typer.echo(f"  {p['slug']}: {_items(p)}\n    {p['text']}")
