"""The chat page: questions, cited answers, follow-ups, in conversations that last.

Each conversation has its own address, /c/{id} (an unguessable id), and is kept on the server (web/store.py)
for the browser that started it (web/session.py): reload, back and a bookmark bring it back, the chat page
lists this browser's recent ones, and another browser gets "not found". A follow-up reads the last
CONTEXT_TURNS answers; in a longer conversation the page says which questions no longer count. Every step is
a plain form (POST, then a redirect to the conversation) that htmx, when present, swaps in place. A
conversation downloads as Markdown with the numbered sources of each answer.

POST /chat also takes the earlier turns as JSON in a `history` field (what pages served before conversations
were kept sent): treated as untrusted, checked (assistant/inputs.py), reduced to known fields, kept as the new
conversation's first turns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.answer import MAX_QUESTION, ask
from assistant.conversation import clean_history
from assistant.i18n import N_
from assistant.inputs import InputError, NotJson, check_text, load_json, scrub
from index.filtering import Filters
from web.deps import RT, Browser, Saved, is_partial, page_or_partial
from web.languages import chosen_language, page_language
from web.store import Conversation, Store
from web.transcript import conversation_markdown, file_name

router = APIRouter(include_in_schema=False)

EXAMPLES = (  # offered, and asked, in the page's language
    N_("How do other cities handle media monitoring?"),
    N_("How do cities welcome newcomers?"),
    N_("What can a city do against rumours about migrants?"),
    N_("How do cities involve residents of migrant background in decisions?"),
)
CONTEXT_TURNS = 6  # earlier answers a follow-up reads ("the second one", "which of them ...")
MAX_TURNS = 100  # questions one conversation holds
MAX_HISTORY_CHARS = 400_000
NOT_FOUND = N_("There is no conversation at this address. A conversation opens only in the browser that started "
             "it; start a new one.")

QuestionField = Annotated[str, Form()]  # its length is checked by ask (MAX_QUESTION), with a message


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


def _recent(store: Store, browser: str, lang: str) -> list[dict[str, str]]:
    from babel.dates import format_datetime

    return [{"id": c.id, "title": c.title,
             "when": format_datetime(datetime.fromtimestamp(c.updated), "dd MMM y, HH:mm", locale=lang)}
            for c in store.recent(browser)]


def _context(turns: list[dict[str, Any]], cid: str = "", **extra: Any) -> dict[str, Any]:
    return {"turns": turns, "cid": cid, "examples": EXAMPLES, "error": "", "question": "", "area": "",
            "max_question": MAX_QUESTION, "context_turns": CONTEXT_TURNS,
            "context_from": max(1, len(turns) - CONTEXT_TURNS + 1), "recent": [], **extra}


def _show(request: Request, store: Store, browser: str, ctx: dict[str, Any], status_code: int = 200,
          headers: dict[str, str] | None = None) -> HTMLResponse:
    if not is_partial(request):  # the list is outside the swapped region
        ctx["recent"] = _recent(store, browser, page_language(request))
    return page_or_partial(request, "chat.html", "_conversation.html", ctx, status_code, headers)


def _owned(store: Store, cid: str, browser: str) -> Conversation:
    conversation = store.conversation(cid, browser) if len(cid) <= 64 else None
    if conversation is None:
        raise HTTPException(404, NOT_FOUND)
    return conversation


def _answers(conversation: Conversation) -> list[dict[str, Any]]:
    return [t.answer for t in conversation.turns]


def _ask(request: Request, rt: RT, store: Store, browser: str, turns: list[dict[str, Any]], cid: str,
         question: str, example: str, area: str) -> tuple[dict[str, Any], str] | HTMLResponse:
    """The answer to the question of a form and its area's slug, or the page with a message (422)."""
    text = (example or question).strip()
    area = scrub(area[:100])  # shown back in the page: must encode
    try:
        if len(turns) >= MAX_TURNS:
            raise InputError(f"This conversation holds {MAX_TURNS} questions, as many as one can; start a new "
                             "conversation (this one stays in your list).")
        check_text(text, "The question")
        slug = next(iter(Filters.from_input(area=area).areas), "")
        # framed in the language picked with the switch, else in the question's own
        answer = ask(rt.searcher, text, turns[-CONTEXT_TURNS:], slug or None, rt.ask_params,
                     lang=chosen_language(request)).to_json()
    except (ValueError, InputError) as exc:  # an empty or too long question, an unknown area, not text
        ctx = _context(turns, cid, error=str(exc), question=scrub(text), area=area)
        return _show(request, store, browser, ctx, 422)
    return answer, slug


def _answered(request: Request, store: Store, browser: str, cid: str, slug: str) -> Response:
    """After a question was answered: the conversation region for htmx (and the address to show), else a
    redirect to the conversation's page, so that a reload does not ask again."""
    if not is_partial(request):
        return RedirectResponse(f"/c/{cid}#latest", status_code=303)
    turns = _answers(_owned(store, cid, browser))
    return _show(request, store, browser, _context(turns, cid, area=slug), headers={"HX-Push-Url": f"/c/{cid}"})


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request, store: Saved, browser: Browser) -> HTMLResponse:
    return _show(request, store, browser, _context([]))


@router.get("/chat")
def chat_again() -> RedirectResponse:
    """A bookmarked or retyped /chat (a form's address): the chat page."""
    return RedirectResponse("/", status_code=303)


@router.post("/chat", response_class=HTMLResponse)
def chat_post(request: Request, rt: RT, store: Saved, browser: Browser, question: QuestionField = "",
              example: Annotated[str, Form()] = "", area: Annotated[str, Form()] = "",
              history: Annotated[str, Form()] = "") -> Response:
    """The first question of a new conversation."""
    try:
        turns = parse_history(history)
    except InputError as exc:
        ctx = _context([], error=exc.message + " Start a new conversation.",
                       question=scrub((example or question).strip()), area=scrub(area[:100]))
        return _show(request, store, browser, ctx, exc.status)
    result = _ask(request, rt, store, browser, turns, "", question, example, area)
    if isinstance(result, HTMLResponse):
        return result
    answer, slug = result
    cid = store.new_conversation(browser, str((turns or [answer])[0].get("question", "")))
    for turn in [*turns, answer]:
        store.add_turn(cid, browser, turn, slug if turn is answer else "")
    return _answered(request, store, browser, cid, slug)


@router.get("/c/{cid}.md")
def export(request: Request, store: Saved, browser: Browser, cid: str) -> Response:
    conversation = _owned(store, cid, browser)
    return Response(conversation_markdown(conversation, str(request.base_url)),
                    media_type="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_name(conversation)}"'})


@router.get("/c/{cid}", response_class=HTMLResponse)
def conversation_page(request: Request, store: Saved, browser: Browser, cid: str) -> HTMLResponse:
    conversation = _owned(store, cid, browser)
    area = conversation.turns[-1].area if conversation.turns else ""
    return _show(request, store, browser, _context(_answers(conversation), cid, area=area,
                                                   title=conversation.title))


@router.post("/c/{cid}", response_class=HTMLResponse)
def follow_up(request: Request, rt: RT, store: Saved, browser: Browser, cid: str, question: QuestionField = "",
              example: Annotated[str, Form()] = "", area: Annotated[str, Form()] = "") -> Response:
    conversation = _owned(store, cid, browser)
    result = _ask(request, rt, store, browser, _answers(conversation), cid, question, example, area)
    if isinstance(result, HTMLResponse):
        return result
    answer, slug = result
    if not store.add_turn(cid, browser, answer, slug):  # deleted meanwhile, in another tab
        raise HTTPException(404, NOT_FOUND)
    return _answered(request, store, browser, cid, slug)


@router.post("/c/{cid}/delete")
def delete(store: Saved, browser: Browser, cid: str) -> RedirectResponse:
    if not store.delete_conversation(cid, browser):
        raise HTTPException(404, NOT_FOUND)
    return RedirectResponse("/", status_code=303)
