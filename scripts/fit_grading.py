"""Fit the grading models on judged answer sets and print what to expect on unseen questions.

    python scripts/fit_grading.py ../shared/eval/answers-dev.json tests/data/answers-heldout.json [--c 3]

Asks every judged question through the same `ask` users get, fits both logistic models of
assistant/grading.py on their graded candidates (assistant/evaluation/calibration.py), and prints:
- the fitted weights, to copy into GradeParams;
- for a grid of thresholds (show, direct_at, direct_also): the eval-answers figures over all questions and
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
from assistant.evaluation.calibration import collect, fit, leave_one_out  # noqa: E402
from assistant.runtime import open_runtime  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def _figures(m: dict[str, object]) -> str:
    return (f"{m['precision']} / {m['direct_recall']} / {m['match_accuracy']} "
            f"({m['items']} items)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--c", type=float, default=3.0, help="inverse regularisation strength (default 3)")
    parser.add_argument("--show", type=float, nargs="+", default=[0.55, 0.6, 0.65, 0.7])
    parser.add_argument("--direct-at", type=float, nargs="+", default=[0.25, 0.3, 0.35])
    parser.add_argument("--direct-also", type=float, nargs="+", default=[0.15, 0.2, 1.0])
    parser.add_argument("--foreign", action="store_true",
                        help="fit the grading of questions in other languages (AskParams.foreign_grading) on "
                             "translated sets, instead of the English one")
    args = parser.parse_args()
    runtime = open_runtime(Settings())
    searcher, base = runtime.searcher, runtime.ask_params
    key = "foreign_grading" if args.foreign else "grading"
    sets = {f.name: read_judged(f) for f in args.files}
    questions = [q for qs in sets.values() for q in qs]
    rows = collect(searcher, questions, base)
    fitted = fit(rows, args.c, dataclasses.replace(getattr(base, key), direct_needs_shown=False))
    print(f"{len(questions)} questions, {len(rows)} candidates "
          f"({sum(r.judged == 2 for r in rows)} direct, {sum(r.judged == 1 for r in rows)} related)")
    print(f"related_weights={fitted.related_weights} related_bias={fitted.related_bias}")
    print(f"direct_weights={fitted.direct_weights} direct_bias={fitted.direct_bias}")
    print("precision / direct recall / match accuracy; leave one out, then in-sample")
    for show, at, also in itertools.product(args.show, args.direct_at, args.direct_also):
        grading = dataclasses.replace(fitted, show=show, direct_at=at, direct_also=also)
        params: AskParams = (dataclasses.replace(base, foreign_grading=grading) if args.foreign
                             else dataclasses.replace(base, grading=grading))
        loo = leave_one_out(searcher, questions, rows, args.c, params, foreign=args.foreign)

        def answer(text: str, p: AskParams = params) -> Answer:
            return ask(searcher, text, params=p)

        ins = evaluate_answers(searcher, questions, answer=answer)
        by_id = {q["id"]: q for q in loo["per_question"]}
        per_file = "  ".join(f"{name}: {sum((by_id[q.id]['match'] == 'direct') == q.has_direct for q in qs)}"
                             f"/{len(qs)} matched" for name, qs in sets.items())
        print(f"show {show} direct_at {at} direct_also {also}: LOO {_figures(loo)} | in-sample {_figures(ins)}"
              f" | LOO {per_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
