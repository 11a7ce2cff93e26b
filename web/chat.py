"""The chat page: questions, cited answers, follow-ups.

The conversation travels with the page, not in a server session: the form carries the earlier turns
as JSON in a hidden field (the last MAX_TURNS answers), so every tab has its own conversation, a
restart loses nothing, the page works without JavaScript or cookies, and "New conversation" is a
plain link to an empty page. What comes back is treated as untrusted: parsed, reduced to known
fields, and escaped when shown.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from assistant.answer import ask
from assistant.areas import resolve_area
from assistant.conversation import clean_history
from web.deps import RT, page_or_partial
from web.inputs import InputError, NotJson, check_text, load_json, scrub

router = APIRouter(include_in_schema=False)

EXAMPLES = (
    "How do other cities handle media monitoring?",
    "How do cities welcome newcomers?",
    "What can a city do against rumours about migrants?",
    "How do cities involve residents of migrant background in decisions?",
)
MAX_TURNS = 6
MAX_HISTORY_CHARS = 400_000


def parse_history(raw: str) -> list[dict[str, Any]]:
    """The earlier turns a form sent back (JSON), cleaned as every caller's are (clean_history). JSON that
    does not parse is no history; InputError for JSON nested too deeply or text that is not text."""
    if not raw or len(raw) > MAX_HISTORY_CHARS:
        return []
    try:
        data = load_json(raw, "The conversation sent with the question", max_bytes=4 * MAX_HISTORY_CHARS)
    except NotJson:
        return []  # a garbled hidden field: start afresh rather than refuse the question
    return clean_history(data)[-MAX_TURNS:]


def _context(turns: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"turns": turns, "history_json": json.dumps(turns, ensure_ascii=False), "examples": EXAMPLES,
            "error": "", "question": "", "area": "", **extra}


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request) -> HTMLResponse:
    return page_or_partial(request, "chat.html", "_conversation.html", _context([]))


@router.get("/chat")
def chat_again() -> RedirectResponse:
    """A bookmarked or retyped /chat: the conversation lived in the page, so start a new one."""
    return RedirectResponse("/", status_code=303)


@router.post("/chat", response_class=HTMLResponse)
def chat_post(request: Request, rt: RT,
              question: Annotated[str, Form()] = "",  # its length is checked by ask, with a message
              example: Annotated[str, Form(max_length=500)] = "",
              area: Annotated[str, Form(max_length=100)] = "",
              history: Annotated[str, Form(max_length=MAX_HISTORY_CHARS)] = "") -> HTMLResponse:
    text = (example or question).strip()
    area = scrub(area)  # shown back in the page: must encode
    try:
        turns = parse_history(history)
    except InputError as exc:
        ctx = _context([], error=exc.message + " Start a new conversation.", question=scrub(text), area=area)
        return page_or_partial(request, "chat.html", "_conversation.html", ctx, status_code=exc.status)
    try:
        check_text(text, "The question")
        slug = resolve_area(area).slug if area else None
        answer = ask(rt.searcher, text, turns, slug).to_json()
    except (ValueError, InputError) as exc:  # an empty or too long question, an unknown area, not text
        ctx = _context(turns, error=str(exc), question=scrub(text), area=area)
        return page_or_partial(request, "chat.html", "_conversation.html", ctx, status_code=422)
    turns = [*turns, answer][-MAX_TURNS:]
    return page_or_partial(request, "chat.html", "_conversation.html", _context(turns, area=slug or ""))
