"""A conversation as a Markdown file: each question, its answer as composed (with its [n] markers), and the
numbered sources of that answer, each with a link to the passage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from corpus.areas import BY_SLUG
from corpus.places import slug
from web.render import citation_url
from web.store import Conversation


def file_name(conversation: Conversation) -> str:
    """'icc-conversation-2025-03-01-how-do-cities-welcome-newcomers.md'."""
    words = slug(conversation.title, 50).strip("-")
    day = datetime.fromtimestamp(conversation.created).strftime("%Y-%m-%d")
    return f"icc-conversation-{day}{'-' + words if words else ''}.md"


def _source(c: dict[str, Any], base_url: str) -> str:
    where = f"{c.get('doc_title') or c.get('doc_id')}" + (f", p. {c['page']}" if c.get("page") else "")
    parts = [where]
    if c.get("section"):
        parts.append(str(c["section"]))
    if c.get("city"):
        parts.append(f"{c['city']}" + (f" ({c['country']})" if c.get("country") else ""))
    url = citation_url(c)
    return f"- [{c.get('n')}] " + " · ".join(parts) + (f" <{base_url.rstrip('/')}{url}>" if url else "")


def conversation_markdown(conversation: Conversation, base_url: str) -> str:
    """The whole conversation; links are absolute, made from `base_url` (the app's address)."""
    when = datetime.fromtimestamp(conversation.created).strftime("%d %B %Y, %H:%M")
    lines = [f"# {conversation.title}", "",
             f"A conversation with the ICC practice assistant, started {when}. Every answer quotes its sources; "
             "the numbers in brackets are the sources listed under it.", ""]
    for turn in conversation.turns:
        answer = turn.answer
        lines += [f"## {turn.n}. {answer.get('question', '')}", ""]
        if turn.area in BY_SLUG:
            lines += [f"*Only the area {BY_SLUG[turn.area].name}.*", ""]
        lines += [str(answer.get("answer", "")).strip(), ""]
        cites = [c for c in answer.get("citations", []) if isinstance(c, dict)]
        if cites:
            lines += ["Sources:", "", *(_source(c, base_url) for c in cites), ""]
    return "\n".join(lines).rstrip() + "\n"
