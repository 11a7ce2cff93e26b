"""The pages' language: the one picked with the switch in the header (a `lang` cookie), else the browser's
Accept-Language, else English (assistant.i18n.pick_language). The pages' messages are the `web` catalogue
(web/locale); the areas' names come from the assistant's."""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from assistant.catalogues import Catalogue
from assistant.i18n import DOMAIN, LOCALE, pick_language, supported, translations

HERE = Path(__file__).resolve().parent
WEB_LOCALE = HERE / "locale"
WEB = Catalogue(HERE, "web", (("templates/*.html", "jinja2"), ("*.py", "python")), WEB_LOCALE)
COOKIE = "lang"
COOKIE_DAYS = 365

router = APIRouter(include_in_schema=False)


def chosen_language(request: Request) -> str | None:
    """The language the user picked with the switch, if any: it also frames the chat's answers."""
    return supported(request.cookies.get(COOKIE))


def page_language(request: Request) -> str:
    return pick_language(chosen_language(request), accept=request.headers.get("accept-language", ""))


@cache
def page_translations(lang: str) -> gettext.NullTranslations:
    return translations(lang, WEB_LOCALE, "web", fallback=(LOCALE, DOMAIN))


def local_path(target: str) -> str:
    """`target` when it is a path of this site ("/practices?area=media"), else "/": the switch sends the
    browser back where it was, never elsewhere."""
    target = target.strip()
    if not target.startswith("/") or target.startswith(("//", "/\\")) or any(c in target for c in "\r\n\t"):
        return "/"
    return target[:2000]


@router.post("/lang")
def switch(lang: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> RedirectResponse:  # noqa: A002
    """The switch in the header: remember the language in a cookie and show the same page again."""
    response = RedirectResponse(local_path(next), status_code=303)
    code = supported(lang)
    if code:
        response.set_cookie(COOKIE, code, max_age=COOKIE_DAYS * 86400, path="/", samesite="lax", httponly=True)
    return response


@router.get("/lang")
def switch_again() -> RedirectResponse:
    """A retyped or bookmarked /lang (the switch's form address): the chat page."""
    return RedirectResponse("/", status_code=303)
