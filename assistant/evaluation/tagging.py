"""How well records are placed in ICC areas, measured on a hand-labelled set.

`assistant/data/tagging_labels.jsonl` holds practices of the toolkit and the booklet with the areas a
reader judged right (labelled before the tagger was looked at). Two measurements:

- `pipeline`: the areas records get on a build (toolkit examples from the reviewed section
  mapping, everything else from the tagger): what `search --area` filters on;
- `tagger`: the tagger alone, on every labelled record with its structure areas removed; also on
  the practices of ICC reports against the area of their section (`report-sections`, no hand labels).

    python -m assistant.evaluation.tagging [--labels FILE] [--mode pipeline|tagger|both] [--index] [--details] [--json]

(`--index`: the areas stored in the built index of $ICC_HOME, which equal `pipeline`.)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.areas import SLUGS
from corpus.records import Document, Family, Kind, Record

LABELS = Path(__file__).resolve().parents[1] / "data" / "tagging_labels.jsonl"


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    areas: tuple[str, ...]
    city: str = ""
    title: str = ""
    note: str = ""
    text_start: str = ""

    @property
    def group(self) -> str:
        """The document family a label belongs to, from its record id (`doc_id:kind:start:hash`)."""
        doc = self.id.split(":", 1)[0]
        return "toolkit" if "toolkit" in doc else "booklet" if "booklet" in doc else doc


def read_labels(path: Path = LABELS) -> list[Label]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        d = json.loads(line)
        areas = tuple(d["areas"])
        unknown = [a for a in areas if a not in SLUGS]
        if unknown or not areas:
            raise ValueError(f"{path}:{n}: areas must be 1 or more of the 17 slugs, got {areas}")
        out.append(Label(d["id"], areas, d.get("city", ""), d.get("title", ""), d.get("note", ""),
                         d.get("text_start", "")))
    return out


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Disagreement:
    id: str
    title: str
    gold: tuple[str, ...]
    predicted: tuple[str, ...]

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(a for a in self.gold if a not in self.predicted)

    @property
    def extra(self) -> tuple[str, ...]:
        return tuple(a for a in self.predicted if a not in self.gold)


@dataclass
class TagReport:
    n: int
    micro: Counts
    exact: int  # records whose predicted set equals the gold set
    per_area: dict[str, Counts]
    disagreements: list[Disagreement] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # labelled ids without a prediction

    @property
    def precision(self) -> float:
        return self.micro.precision

    @property
    def recall(self) -> float:
        return self.micro.recall

    @property
    def f1(self) -> float:
        return self.micro.f1

    @property
    def exact_match(self) -> float:
        return self.exact / self.n if self.n else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n, "precision": round(self.precision, 3), "recall": round(self.recall, 3),
            "f1": round(self.f1, 3), "exact_match": round(self.exact_match, 3),
            "tp": self.micro.tp, "fp": self.micro.fp, "fn": self.micro.fn,
            "per_area": {a: dataclasses.asdict(c) for a, c in self.per_area.items()},
            "disagreements": [{"id": d.id, "title": d.title, "gold": list(d.gold), "predicted": list(d.predicted)}
                              for d in self.disagreements],
            "missing": self.missing,
        }


def evaluate_tags(labels: Sequence[Label], predicted: Mapping[str, Sequence[str]]) -> TagReport:
    """Micro precision/recall/F1 of predicted area sets against the labels, exact-match rate,
    per-area counts and the records where prediction and label differ.

    A labelled record missing from `predicted` counts as predicted with no area (all its labels
    are false negatives) and is listed in `missing`.
    """
    micro = Counts()
    per_area = {a: Counts() for a in SLUGS}
    exact = 0
    disagreements: list[Disagreement] = []
    missing: list[str] = []
    for lab in labels:
        if lab.id not in predicted:
            missing.append(lab.id)
        pred = tuple(dict.fromkeys(predicted.get(lab.id, ())))
        gold, got = set(lab.areas), set(pred)
        for a in gold | got:
            c = per_area.setdefault(a, Counts())
            if a in gold and a in got:
                c.tp += 1
                micro.tp += 1
            elif a in got:
                c.fp += 1
                micro.fp += 1
            else:
                c.fn += 1
                micro.fn += 1
        if gold == got:
            exact += 1
        else:
            disagreements.append(Disagreement(lab.id, lab.title, lab.areas, pred))
    per_area = {a: c for a, c in per_area.items() if c.tp + c.fp + c.fn}
    return TagReport(len(labels), micro, exact, per_area, disagreements, missing)


# --- predictions with the real corpus and model ---------------------------------------------------


def labelled_records(records: Sequence[Record], labels: Sequence[Label]) -> list[Record]:
    wanted = {lab.id for lab in labels}
    return [r for r in records if r.id in wanted]


def predictions(records: Sequence[Record], labels: Sequence[Label], embedder: Any,
                mode: str = "pipeline") -> dict[str, tuple[str, ...]]:
    """Areas of the labelled records: as a build gives them (`pipeline`) or from the tagger alone
    (`tagger`: structure areas removed first)."""
    from assistant.tagging import tag_records

    recs = labelled_records(records, labels)
    if mode == "tagger":
        recs = [dataclasses.replace(r, areas=(), area_scores=()) for r in recs]
    elif mode != "pipeline":
        raise ValueError(f"unknown mode {mode!r}; valid: pipeline, tagger")
    return {r.id: r.areas for r in tag_records(recs, embedder)}


def section_labels(records: Sequence[Record], documents: Sequence[Document]) -> list[Label]:
    """Practices of ICC reports with the one area of the section they stand in: a check of the tagger
    on texts nobody labelled by hand (its precision is a lower bound: a practice may serve more areas)."""
    reports_ = {d.doc_id for d in documents if d.family is Family.REPORT}
    return [Label(r.id, r.areas, r.city, r.title) for r in records
            if r.doc_id in reports_ and r.kind is Kind.PRACTICE and len(r.areas) == 1]


def reports(labels: Sequence[Label], predicted: Mapping[str, Sequence[str]]) -> dict[str, TagReport]:
    """One report for all labels and one per document family."""
    out = {"all": evaluate_tags(labels, predicted)}
    for group in sorted({lab.group for lab in labels}):
        out[group] = evaluate_tags([lab for lab in labels if lab.group == group], predicted)
    return out


def format_table(named: Mapping[str, TagReport]) -> str:
    rows = [f"{'set':<24} {'n':>3} {'P':>6} {'R':>6} {'F1':>6} {'exact':>6}"]
    for name, r in named.items():
        rows.append(f"{name:<24} {r.n:>3} {r.precision:>6.3f} {r.recall:>6.3f} {r.f1:>6.3f} {r.exact_match:>6.3f}")
    return "\n".join(rows)


def format_details(r: TagReport) -> str:
    rows = [f"{'area':<20} {'tp':>3} {'fp':>3} {'fn':>3} {'P':>6} {'R':>6}"]
    for a, c in sorted(r.per_area.items(), key=lambda t: SLUGS.index(t[0]) if t[0] in SLUGS else 99):
        rows.append(f"{a:<20} {c.tp:>3} {c.fp:>3} {c.fn:>3} {c.precision:>6.2f} {c.recall:>6.2f}")
    rows.append("")
    rows.append("disagreements (gold -> predicted):")
    for d in r.disagreements:
        rows.append(f"  {d.title[:45]:<45} {','.join(d.gold):<40} -> {','.join(d.predicted)}")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.settings import Settings
    from corpus.load import load_corpus
    from index.embed import make_embedder

    ap = argparse.ArgumentParser(prog="python -m assistant.evaluation.tagging", description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--mode", choices=("pipeline", "tagger", "both"), default="both")
    ap.add_argument("--index", action="store_true",
                    help="read the areas from the built index ($ICC_HOME) instead of tagging afresh")
    ap.add_argument("--details", action="store_true", help="per-area counts and every disagreement")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    settings = Settings()
    labels = read_labels(args.labels)
    results: dict[str, dict[str, TagReport]] = {}
    if args.index:
        from index.store import load_index

        index = load_index(settings.index_dir, settings.embed_model)
        results["index"] = reports(labels, {r.id: r.areas for r in index.records})
    else:
        corpus = load_corpus(settings.corpus_dir)
        embedder = make_embedder(settings.embed_model, settings.embed_batch_size)
        modes = ("pipeline", "tagger") if args.mode == "both" else (args.mode,)
        results = {m: reports(labels, predictions(corpus.records, labels, embedder, m)) for m in modes}
        if "tagger" in modes:
            held = section_labels(corpus.records, corpus.documents)
            if held:
                results["tagger"]["report-sections"] = evaluate_tags(
                    held, predictions(corpus.records, held, embedder, "tagger"))
    if args.json:
        print(json.dumps({m: {g: r.to_json() for g, r in rs.items()} for m, rs in results.items()}, indent=2))
        return 0
    print(format_table({f"{m}/{g}": r for m, rs in results.items() for g, r in rs.items()}))
    for m, rs in results.items():
        if rs["all"].missing:
            print(f"\n{m}: {len(rs['all'].missing)} labelled ids not in the corpus: {rs['all'].missing[:5]}")
        if args.details:
            print(f"\n== {m} ==\n{format_details(rs['all'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
