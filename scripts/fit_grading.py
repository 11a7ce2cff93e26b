"""Fit the grading models on judged answer sets and print what to expect on unseen questions.

    python scripts/fit_grading.py ../shared/eval/answers-dev.json tests/data/answers-heldout.json [--c 3]
    python scripts/fit_grading.py ../shared/eval/answers-dev.json tests/data/answers-heldout.json \
        tests/data/answers-third.json   # every judged set: the leave-one-out figures over 74 questions
    python scripts/fit_grading.py --foreign tests/data/answers-translated.json \
        tests/data/answers-heldout-translated.json

Asks every judged question through the same `ask` users get, fits both logistic models of
assistant/grading.py on their graded candidates (assistant/evaluation/calibration.py), and prints:
- the fitted weights, to copy into GradeParams;
- for a grid of thresholds (show, direct_at, direct_also, fallback): the eval-answers figures over all questions and
  per file when each question is answered by weights fitted without it (leave one out), and with the
  weights fitted on all of them.
Choose the thresholds on the leave-one-out figures, not on the in-sample ones. Uses the index of ICC_HOME.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.answer import Answer, AskParams, ask  # noqa: E402
from assistant.evaluation.answers import evaluate_answers, read_judged  # noqa: E402
from assistant.evaluation.calibration import collect, fit, leave_one_out, with_grading  # noqa: E402
from assistant.runtime import open_runtime  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def _figures(m: dict[str, object]) -> str:
    return (f"{m['precision']} / {m['direct_recall']} / {m['match_accuracy']} "
            f"({m['items']} items)")


# (show, direct_at, direct_also, fallback) tried by default
_ENGLISH_GRID: tuple[list[float], list[float], list[float], list[float | None]] = (
    [0.55, 0.6, 0.65, 0.7], [0.25, 0.3, 0.35], [0.15, 0.2, 0.25, 1.0], [None])
_FOREIGN_GRID: tuple[list[float], list[float], list[float], list[float | None]] = (
    [0.35, 0.4, 0.45], [0.15, 0.2, 0.25], [0.15], [None, 0.25])


def _optional(text: str) -> float | None:
    return None if text.lower() == "none" else float(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--c", type=float, default=3.0, help="inverse regularisation strength (default 3)")
    parser.add_argument("--show", type=float, nargs="+", help="p_related thresholds to try (default: "
                        "0.55 0.6 0.65 0.7; with --foreign 0.35 0.4 0.45)")
    parser.add_argument("--direct-at", type=float, nargs="+", help="p_direct thresholds to try (default: "
                        "0.25 0.3 0.35; with --foreign 0.15 0.2 0.25)")
    parser.add_argument("--direct-also", type=float, nargs="+", help="p_direct thresholds once a practice is "
                        "direct (default: 0.15 0.2 0.25 1.0; with --foreign 0.15)")
    parser.add_argument("--fallback", type=_optional, nargs="+", help="p_related from which an otherwise empty "
                        "answer shows its best candidate, or 'none' (default: none; with --foreign none 0.25)")
    parser.add_argument("--foreign", action="store_true",
                        help="fit the grading of questions in other languages (AskParams.foreign_grading) on "
                             "translated sets, instead of the English one")
    args = parser.parse_args()
    grid = _FOREIGN_GRID if args.foreign else _ENGLISH_GRID
    shows, ats, alsos, fallbacks = (args.show or grid[0], args.direct_at or grid[1], args.direct_also or grid[2],
                                    args.fallback or grid[3])
    runtime = open_runtime(Settings())
    searcher, base = runtime.searcher, runtime.ask_params
    sets = {f.name: read_judged(f) for f in args.files}
    questions = [q for qs in sets.values() for q in qs]
    wrong = [q.id for q in questions if searcher.language(q.query).foreign != args.foreign]
    if wrong:
        print(f"{len(wrong)} question(s) are {'English' if args.foreign else 'in another language'} "
              f"({', '.join(wrong[:5])}): fit the {'English' if args.foreign else 'foreign'} grading on them "
              f"{'without' if args.foreign else 'with'} --foreign", file=sys.stderr)
        return 2
    rows = collect(searcher, questions, base)
    fitted = fit(rows, args.c, dataclasses.replace(base.foreign_grading if args.foreign else base.grading,
                                                   direct_needs_shown=False))
    print(f"{len(questions)} questions, {len(rows)} candidates "
          f"({sum(r.judged == 2 for r in rows)} direct, {sum(r.judged == 1 for r in rows)} related)")
    print(f"related_weights={fitted.related_weights} related_bias={fitted.related_bias}")
    print(f"direct_weights={fitted.direct_weights} direct_bias={fitted.direct_bias}")
    print("precision / direct recall / match accuracy; leave one out, then in-sample")
    for show, at, also, fallback in itertools.product(shows, ats, alsos, fallbacks):
        grading = dataclasses.replace(fitted, show=show, direct_at=at, direct_also=also, fallback=fallback)
        params = with_grading(base, grading, args.foreign)
        loo = leave_one_out(searcher, questions, rows, args.c, params, foreign=args.foreign)

        def answer(text: str, p: AskParams = params) -> Answer:
            return ask(searcher, text, params=p)

        ins = evaluate_answers(searcher, questions, answer=answer)
        by_id = {q["id"]: q for q in loo["per_question"]}
        per_file = "  ".join(f"{name}: {sum((by_id[q.id]['match'] == 'direct') == q.has_direct for q in qs)}"
                             f"/{len(qs)} matched" for name, qs in sets.items())
        print(f"show {show} direct_at {at} direct_also {also} fallback {fallback}: LOO {_figures(loo)} | "
              f"in-sample {_figures(ins)}"
              f" | LOO {per_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
