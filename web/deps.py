"""Route dependencies: the runtime and catalog loaded in the lifespan, the settings, page rendering."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from assistant.runtime import Runtime
from assistant.settings import Settings
from web.catalog import Catalog
from web.drafts import Drafts
from web.heavy import HeavyPool
from web.languages import page_language
from web.session import browser_id
from web.store import Store


def get_runtime(request: Request) -> Runtime:
    rt: Runtime | None = getattr(request.app.state, "runtime", None)
    if rt is None:
        raise HTTPException(503, "the index is loading")
    return rt


def get_catalog(request: Request) -> Catalog:
    get_runtime(request)
    catalog: Catalog = request.app.state.catalog
    return catalog


def get_drafts(request: Request) -> Drafts:
    get_runtime(request)
    drafts: Drafts = request.app.state.drafts
    return drafts


def get_heavy(request: Request) -> HeavyPool:
    """The pool for heavy work (uploads, drafts), apart from the questions (web/heavy.py)."""
    get_runtime(request)
    heavy: HeavyPool = request.app.state.heavy
    return heavy


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


RT = Annotated[Runtime, Depends(get_runtime)]
Cat = Annotated[Catalog, Depends(get_catalog)]
Conf = Annotated[Settings, Depends(get_settings)]
DraftJobs = Annotated[Drafts, Depends(get_drafts)]
Heavy = Annotated[HeavyPool, Depends(get_heavy)]
Saved = Annotated[Store, Depends(get_store)]
Browser = Annotated[str, Depends(browser_id)]  # the id of the browser that sent the request (web/session.py)


def is_partial(request: Request) -> bool:
    """An htmx request that swaps one region (not a history restore, which needs the whole page)."""
    return request.headers.get("hx-request") == "true" and "hx-history-restore-request" not in request.headers


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """The page in its language (web/languages.py): `lang` for the templates, Content-Language for the browser."""
    templates: Jinja2Templates = request.app.state.templates
    lang = page_language(request)
    headers = {"Content-Language": lang, "Vary": "Accept-Language, Cookie", **(headers or {})}
    return templates.TemplateResponse(request, template, {"lang": lang, **context}, status_code=status_code,
                                      headers=headers)


def page_or_partial(request: Request, page: str, partial: str, context: dict[str, Any],
                    status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The region's partial for an htmx swap, else the full page that includes it."""
    return render(request, partial if is_partial(request) else page, context, status_code, headers)
