"""A draft as Markdown (for pasting) and as a Word document (python-docx), readable without the app."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from docx import Document as WordDocument
from docx.shared import Pt

from assistant.answer import render
from assistant.profile import num

if TYPE_CHECKING:
    from assistant.draft import AreaDraft, Draft


def intro(draft: Draft) -> str:
    p = draft.profile
    where = f" from {p.source.rsplit('/', 1)[-1]}" if p.source else ""
    return (f"Profile{where}. The {len(draft.areas)} weakest areas, weakest first, by the gap to the sample "
            f"and the city's own rate (gap weight {num(draft.rule.gap_weight)}, absolute weight "
            f"{num(draft.rule.abs_weight)}, threshold {num(draft.rule.threshold)}%). Every practice, finding "
            f"and question is quoted from the numbered source; the recommendation paragraphs are composed "
            f"from them and are a starting point for the city's own text.")


PROFILE_HEADER = ("Area", "City", "Sample", "Gap", "In this draft")


def profile_rows(draft: Draft) -> list[tuple[str, str, str, str, str]]:
    """The profile as the draft's table shows it: area, city rate, sample rate, gap (city − sample),
    and whether the area is one of the draft's sections (its number) or weak but beyond the draft's
    limit."""
    drafted = {a.weak.slug: n for n, a in enumerate(draft.areas, start=1)}
    weak = {w.slug for w in draft.profile.weak_areas(draft.rule)}
    rows = []
    for s in draft.profile.scores:
        def rate(v: float | None) -> str:
            return "–" if v is None else f"{num(v)}%"
        diff = None if s.city is None or s.sample is None else round(s.city - s.sample)
        gap = "–" if diff is None else f"{diff:+d}" if diff else "0"
        mark = f"§ {drafted[s.slug]}" if s.slug in drafted else ("weak, not drafted" if s.slug in weak else "")
        rows.append((s.name, rate(s.city), rate(s.sample), gap, mark))
    return rows


def aggregate_line(draft: Draft) -> str:
    p = draft.profile
    core = p.aggregate("core")
    mean = f"mean of the {core.n} core areas with a rate: {num(round(core.value, 1))}%" \
        if core.value is not None else ""
    if p.published_aggregate is not None:
        return f"Aggregate index {num(p.published_aggregate)}% as published" + (f" ({mean})." if mean else ".")
    return f"{mean[:1].upper()}{mean[1:]}." if mean else ""


def markdown_safe(text: str) -> str:
    """Markdown in which no HTML tag survives: an uploaded report's text (findings, its city's name, the file
    name) may hold `<script>` or `<img onerror=…>`, which a Markdown viewer would run. `<` becomes `&lt;`,
    which every viewer shows as `<`; the draft's own Markdown uses no HTML."""
    return text.replace("<", "&lt;")


def draft_markdown(draft: Draft) -> str:
    return markdown_safe(render("draft.md.j2", draft=draft, intro=intro(draft), num=num, rows=profile_rows(draft),
                                aggregate=aggregate_line(draft)))


def _runs(paragraph: object, text: str) -> None:
    """Add `text` to a Word paragraph, with **bold** spans as bold runs."""
    for n, part in enumerate(re.split(r"\*\*(.+?)\*\*", text)):
        if part:
            paragraph.add_run(part).bold = n % 2 == 1  # type: ignore[attr-defined]


def _area(doc: object, n: int, a: AreaDraft) -> None:
    w = a.weak
    sample = f" (sample {num(w.sample)}%)" if w.sample is not None else ""
    doc.add_heading(f"{n}. {w.name}: {num(w.city)}%{sample}", level=1)  # type: ignore[attr-defined]
    doc.add_paragraph().add_run(f"Why it is listed: {w.reason}.").italic = True  # type: ignore[attr-defined]
    parts = [("What the report found", [(("✗ " if f.citation.record.title.lower() == "weakness" else "")
                                         + " ".join(f.sentences), f.n) for f in a.findings]),
             ("What other cities and organisations do", [(f"**{s.lead}**" + (f" — {s.title}" if s.title else "") + ": "
                                        + " ".join(s.sentences), s.n) for s in a.suggestions]),
             ("Guide questions", [(f"{g.title}: " + " ".join(g.sentences), g.n) for g in a.guide_questions])]
    for title, items in parts:
        if not items:
            continue
        doc.add_heading(title, level=2)  # type: ignore[attr-defined]
        for text, cite in items:
            _runs(doc.add_paragraph(style="List Bullet"), f"{text} [{cite}]")  # type: ignore[attr-defined]
    doc.add_heading("Draft recommendation", level=2)  # type: ignore[attr-defined]
    doc.add_paragraph(a.text)  # type: ignore[attr-defined]


def draft_docx(draft: Draft) -> bytes:
    doc = WordDocument()
    doc.styles["Normal"].font.size = Pt(11)  # type: ignore[union-attr]
    year = f" ({draft.profile.year})" if draft.profile.year else ""
    doc.add_heading(f"Draft recommendations{' for ' + draft.city if draft.city else ''}{year}", level=0)
    doc.add_paragraph(intro(draft))
    doc.add_heading("Profile", level=1)
    if aggregate_line(draft):
        doc.add_paragraph(aggregate_line(draft))
    rows = profile_rows(draft)
    table = doc.add_table(rows=1 + len(rows), cols=5)
    table.style = "Table Grid"
    for row, values in zip(table.rows, [PROFILE_HEADER, *rows], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for n, a in enumerate(draft.areas, start=1):
        _area(doc, n, a)
    doc.add_heading("Sources", level=1)
    for c in draft.citations:
        who = f" ({c.record.city})" if c.record.city else ""
        # Word numbers the list itself, 1, 2, ... as the [n] markers in the text
        doc.add_paragraph(f"{c.label()}{who}", style="List Number")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
