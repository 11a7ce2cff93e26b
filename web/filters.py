"""Jinja filters that need the loaded catalog (the cited records, to mark their quoted sentences)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from corpus.records import Record
from web.render import answer_html, citation_url, clean_text, draft_html, highlight, linked, practice_title


def _records(ctx: Context) -> Mapping[str, Record]:
    request = ctx.get("request")
    catalog = getattr(getattr(request, "app", None), "state", None) and getattr(request.app.state, "catalog", None)
    return catalog.by_id if catalog is not None else {}


@pass_context
def cited_url(ctx: Context, c: Mapping[str, Any], quote: str = "") -> str:
    """`{{ c | citation_url }}`: the reader at a citation, its quote marked; `quote` for a draft item's text."""
    return citation_url(c, _records(ctx).get(str(c.get("record_id") or "")), quote)


@pass_context
def cited_answer(ctx: Context, answer: Mapping[str, Any], tip_prefix: str = "") -> Markup:
    return answer_html(answer, records=_records(ctx), tip_prefix=tip_prefix)


@pass_context
def cited_draft(ctx: Context, section: Mapping[str, Any], sources: list[Mapping[str, Any]] | None = None) -> Markup:
    return draft_html(section, sources, records=_records(ctx))


def reader_text(text: str) -> Markup:
    """A piece of a page in the reader: cleaned of extraction markup, its web addresses linked."""
    return linked(clean_text(text))


FILTERS = {"citation_url": cited_url, "answer_html": cited_answer, "draft_html": cited_draft,
           "reader_text": reader_text, "practice_title": practice_title, "highlight": highlight,
           "clean_text": clean_text}
