"""A draft as Markdown (for pasting) and as a Word document (python-docx), readable without the app."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from docx import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from assistant.compose import render
from assistant.profile import num

if TYPE_CHECKING:
    from assistant.draft import AreaDraft, Draft


APP = "ICC practice assistant"


def intro(draft: Draft) -> str:
    p = draft.profile
    shown = p.source and p.source not in ("form", "evaluation")
    where = f" from {p.source.rsplit('/', 1)[-1]}" if shown else ""
    n = len(draft.areas)
    which = (f"The {n} area{'s' if n != 1 else ''} chosen for this draft" if draft.chosen else
             f"{f'The {n} weakest areas, weakest first' if n != 1 else 'The weakest area'}, by the gap to the "
             f"sample and the city's "
             f"own rate (gap weight {num(draft.rule.gap_weight)}, absolute weight {num(draft.rule.abs_weight)}, "
             f"threshold {num(draft.rule.threshold)}%)")
    rated = sum(1 for s in p.scores if s.city is not None)
    cover = f" The profile rates {rated} of the 17 areas; the others are not assessed." if rated < 17 else ""
    return (f"Profile{where}. {which}.{cover} Every practice, finding and question is quoted from the numbered "
            f"source; the recommendation paragraphs are composed from them (the report's own recommendations "
            f"quoted as its wording) and are a starting point for the city's own text.")


def left_out(draft: Draft) -> str:
    """'Participation (25%), Commitment (53%)': the weak areas the draft does not cover."""
    return ", ".join(f"{w.name} ({num(w.city)}%)" for w in draft.left_out)


def cap(text: str) -> str:
    """A quoted finding shown as a list item: its first letter capitalised ('the city does not ...')."""
    return text[:1].upper() + text[1:]


def excerpt(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


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
        if core.value is not None and core.complete else ""  # a mean of a few areas compares with nothing
    if p.published_aggregate is not None:
        return f"Aggregate index {num(p.published_aggregate)}% as published" + (f" ({mean})." if mean else ".")
    return f"{mean[:1].upper()}{mean[1:]}." if mean else ""


def markdown_safe(text: str) -> str:
    """Markdown in which no HTML tag survives: an uploaded report's text (findings, its city's name, the file
    name) may hold `<script>` or `<img onerror=…>`, which a Markdown viewer would run. `<` becomes `&lt;`,
    which every viewer shows as `<`; the draft's own Markdown uses no HTML."""
    return text.replace("<", "&lt;")


def draft_markdown(draft: Draft, base_url: str = "") -> str:
    """The draft as Markdown: [n] markers with the numbered sources, each linked to its passage in the
    app's reader when the app's address (`base_url`) is known; no HTML tag of an uploaded report survives."""
    return markdown_safe(render("draft.md.j2", draft=draft, intro=intro(draft), num=num, rows=profile_rows(draft),
                                aggregate=aggregate_line(draft), left_out=left_out(draft), cap=cap,
                                sources=source_lines(draft, base_url)))


def source_lines(draft: Draft, base_url: str = "") -> list[str]:
    """'1. Document, p. 28, Section (City): “The first words …”', one per record, linked when the app's
    address is known."""
    root = base_url.rstrip("/")
    out = []
    for c in draft.citations:
        label = f"[{c.label()}]({root}{c.url})" if root else c.label()
        who = f" ({c.record.city})" if c.record.city else ""
        quote = f": “{excerpt(c.sentences[0])}”" if c.sentences else ""
        out.append(f"{c.n}. {label}{who}{quote}")
    return out


_MARK = re.compile(r"\[(\d+)\]")


def _bookmark(paragraph: Any, name: str, n: int) -> None:
    """A bookmark around the paragraph's content: the target of the [n] links."""
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(n))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(n))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _link(paragraph: Any, text: str, *, anchor: str = "", url: str = "") -> None:
    """A hyperlink run: to a bookmark of the document (`anchor`) or to a web address (`url`)."""
    link = OxmlElement("w:hyperlink")
    if anchor:
        link.set(qn("w:anchor"), anchor)
    else:
        link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run = paragraph.add_run(text)
    run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x9A)
    run.font.underline = True
    link.append(run._r)
    paragraph._p.append(link)


def _runs(paragraph: Any, text: str) -> None:
    """Add `text` to a Word paragraph: **bold** spans as bold runs, each [n] a link to source n."""
    for n, part in enumerate(re.split(r"\*\*(.+?)\*\*", text)):
        if not part:
            continue
        for k, piece in enumerate(_MARK.split(part)):
            if k % 2 == 1:
                _link(paragraph, f"[{piece}]", anchor=f"source_{piece}")
            elif piece:
                paragraph.add_run(piece).bold = n % 2 == 1


def _area(doc: Any, n: int, a: AreaDraft) -> None:
    w = a.weak
    sample = f" (sample {num(w.sample)}%)" if w.sample is not None else ""
    doc.add_heading(f"{n}. {w.name}: {num(w.city)}%{sample}", level=1)
    doc.add_paragraph().add_run(f"Why it is listed: {w.reason}.").italic = True
    if a.gaps or a.strengths:
        doc.add_heading("What the report found", level=2)
    for label, items in (("Gaps:", a.gaps), ("What the city already does in this area:", a.strengths)):
        if items:
            doc.add_paragraph().add_run(label).bold = True
        for f in items:
            mark = "✗ " if f.citation.record.title.lower() == "weakness" else ""
            _runs(doc.add_paragraph(style="List Bullet"), f"{mark}{cap(f.quoted)} [{f.n}]")
    doc.add_heading("What other cities do", level=2)
    for p in a.practices:
        s = p.item
        _runs(doc.add_paragraph(style="List Bullet"), f"**{s.lead}**" + (f" — {s.title}" if s.title else "")
              + (" (related)" if p.grade == "related" else "") + ": " + s.quoted + f" [{s.n}]")
    if not a.practices:
        doc.add_paragraph("None of the practices in the documents on this area is close enough to suggest.")
    if a.guide_questions:
        doc.add_heading("Guide questions", level=2)
        for g in a.guide_questions:
            _runs(doc.add_paragraph(style="List Bullet"), f"{g.title}: " + g.quoted + f" [{g.n}]")
    doc.add_heading("Draft recommendation", level=2)
    _runs(doc.add_paragraph(), a.text)


def draft_docx(draft: Draft, base_url: str = "") -> bytes:
    """The draft as a Word file: every [n] an internal link to its source entry, each entry a link to the
    passage in the app's reader when the app's address (`base_url`) is known; title, subject and author
    set in the document's properties."""
    doc = WordDocument()
    doc.styles["Normal"].font.size = Pt(11)  # type: ignore[union-attr]
    year = f" ({draft.profile.year})" if draft.profile.year else ""
    title = f"Draft recommendations{' for ' + draft.city if draft.city else ''}{year}"
    props = doc.core_properties
    props.title = title
    props.subject = "Intercultural Cities Index: draft recommendations for " + \
        (", ".join(a.weak.name for a in draft.areas) or "no area")
    props.author = APP
    props.last_modified_by = APP
    props.comments = "Composed from the cited sources; every practice, finding and question is quoted."
    doc.add_heading(title, level=0)
    doc.add_paragraph(intro(draft))
    if draft.left_out:
        doc.add_paragraph(f"Weak areas left out of this draft: {left_out(draft)}.")
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
    root = base_url.rstrip("/")
    for c in draft.citations:
        who = f" ({c.record.city})" if c.record.city else ""
        # Word numbers the list itself, 1, 2, ... as the [n] markers in the text
        para = doc.add_paragraph(style="List Number")
        label = f"{c.label()}{who}"
        if root:
            _link(para, label, url=root + c.url)
        else:
            para.add_run(label)
        if c.sentences:
            para.add_run(f": “{excerpt(c.sentences[0])}”")
        _bookmark(para, f"source_{c.n}", c.n)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
