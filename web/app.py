"""The web app factory: `create_app(settings)`; the model and index load once, in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.types import Scope

from assistant.citations import reader_url
from assistant.i18n import LANGUAGES, N_, install
from assistant.inputs import BadInput
from assistant.runtime import open_runtime
from assistant.settings import Settings
from corpus.areas import AREAS, BY_SLUG
from web import api, chat, docs, languages, practices, profiles, sources
from web.catalog import Catalog
from web.deps import RT, is_partial, render
from web.drafts import Drafts
from web.filters import FILTERS
from web.heavy import Busy, HeavyPool
from web.memory import trimming
from web.messages import http_message, validation_message
from web.middleware import BodyLimit, CatchAll, JsonGuard, SecurityHeaders
from web.render import area_names, citation_label, excerpt, rate
from web.retention import retention
from web.session import BrowserSession, load_secret
from web.state import StateError
from web.store import Store

HERE = Path(__file__).resolve().parent


# labels the pages show translated (the `t` filter); N_ marks them for the catalogue
FAMILY_LABELS = {"icc_report": N_("ICC Index report"), "toolkit": N_("Benchmark toolkit"),
                 "booklet": N_("Practice booklet"), "generic": N_("Other document")}
KIND_LABELS = {"practice": N_("practices"), "guide_question": N_("guide questions"), "finding": N_("findings"),
               "recommendation": N_("recommendations"), "passage": N_("passages")}
KIND_LABELS_ONE = {"practice": N_("practice"), "guide_question": N_("guide question"), "finding": N_("finding"),
                   "recommendation": N_("recommendation"), "passage": N_("passage")}


def make_templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes every .html template
    env = templates.env
    install(env, languages.page_translations)  # each render in its `lang` (web/deps.py, render)
    env.globals.update(languages=LANGUAGES, areas=AREAS, area_by_slug=BY_SLUG, source_url=reader_url,
                       max_upload_mb=settings.max_upload_mb,
                       family_labels=FAMILY_LABELS, kind_labels=KIND_LABELS, kind_labels_one=KIND_LABELS_ONE,
                       has_htmx=(HERE / "static" / "vendor" / "htmx.min.js").is_file())
    env.filters.update(FILTERS, area_names=area_names, excerpt=excerpt, citation_label=citation_label, rate=rate)
    return templates


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = open_runtime(settings)
        runtime.warm_up()  # the models loaded and the area vectors made before the first request, not during it
        app.state.catalog = Catalog(runtime.facts)  # the look-ups of the pages, on the facts made with the index
        heavy = HeavyPool(settings.heavy_workers, settings.heavy_queue)
        app.state.heavy = heavy
        app.state.drafts = Drafts(runtime.searcher, settings.weak_limit, heavy, params=runtime.draft_params)
        app.state.runtime = runtime
        async with retention(settings, app.state.store, app.state.drafts), trimming():  # web/memory.py
            yield
        app.state.drafts.close()
        heavy.close()

    app = FastAPI(title="ICC practice assistant", version="0.1.0", lifespan=lifespan, docs_url=None,
                  redoc_url=None,
                  description="Cited search, answers, city profiles and draft recommendations from "
                              "Intercultural Cities reports, toolkits and practice booklets.")
    app.state.settings = settings
    app.state.templates = make_templates(settings)
    app.state.store = Store(settings.state_db)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (api, chat, profiles, sources, practices, docs, languages):
        app.include_router(module.router)

    @app.get("/healthz", tags=["status"], summary="200 once the index is loaded", response_model=api.HealthOut)
    def healthz(rt: RT) -> dict[str, Any]:
        m = rt.searcher.index.manifest
        return {"status": "ok", "records": m.records, "documents": m.documents, "model": m.model}

    _add_error_handlers(app)
    # outermost first: headers go on every answer, errors included
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_mb * 1024 * 1024 + 256 * 1024,
                       limit_mb=settings.max_upload_mb)
    app.add_middleware(JsonGuard)
    app.add_middleware(BrowserSession, secret=load_secret(settings))
    app.add_middleware(CatchAll, respond=server_error)
    app.add_middleware(SecurityHeaders)
    return app


def app_from_env() -> FastAPI:
    """The app from ICC_* variables: what each worker of `icc-assistant serve --workers N` runs."""
    return create_app(Settings())


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/openapi.json")


TITLES = {400: N_("Bad request"), 404: N_("Not found"), 405: N_("Method not allowed"), 413: N_("File too large"),
          415: N_("Unsupported file"), 422: N_("Cannot use this input"), 500: N_("Something went wrong"),
          503: N_("Loading"), 507: N_("Disk full")}


def error_page(request: Request, status: int, message: str, title: str = "",
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """The error as a page; for an htmx swap, as the content of <main> (the region asked for may not fit it)."""
    ctx = {"status": status, "title": title or TITLES.get(status, N_("Error")), "message": message}
    if is_partial(request):
        return render(request, "_error.html", ctx, status,
                      headers={"HX-Retarget": "main", "HX-Reswap": "innerHTML", **(headers or {})})
    return render(request, "error.html", ctx, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = http_message(exc.status_code, exc.detail)
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        return error_page(request, 422, validation_message(exc.errors()))

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> Response:
        headers = {"Retry-After": str(exc.retry_after)}
        if wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=503, headers=headers)
        return error_page(request, 503, exc.message, N_("Busy"), headers)

    @app.exception_handler(StateError)
    async def state_error(request: Request, exc: StateError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        return error_page(request, exc.status, exc.message, N_("Cannot save") if exc.status == 503 else "")

    @app.exception_handler(BadInput)  # the user's input (an empty question, ...); any other ValueError is a 500
    async def bad_input(request: Request, exc: BadInput) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=422)
        return error_page(request, 422, str(exc))


SERVER_ERROR = N_("Something went wrong on our side; the error has been logged. Try again in a moment.")


def server_error(scope: Scope) -> Response:
    """The answer to an unexpected error (web/middleware.py, CatchAll): JSON for the API, else a page."""
    request = Request(scope)
    if wants_json(request):
        return JSONResponse({"detail": SERVER_ERROR}, status_code=500)
    return error_page(request, 500, SERVER_ERROR)
