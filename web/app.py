"""The web app factory: `create_app(settings)`; the model and index load once, in the lifespan."""


from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from assistant.areas import SLUGS, resolve_area
from assistant.questions import search_question
from assistant.runtime import Runtime, open_runtime
from assistant.settings import Settings
from corpus.records import Kind
from index.search import Filters


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = open_runtime(settings)
        yield

    app = FastAPI(title="ICC practice assistant", version="0.1.0", lifespan=lifespan,
                  description="Cited search over Intercultural Cities reports, toolkits and booklets.")

    def runtime(request: Request) -> Runtime:
        rt: Runtime | None = getattr(request.app.state, "runtime", None)
        if rt is None:
            raise HTTPException(503, "the index is loading")
        return rt

    RT = Annotated[Runtime, Depends(runtime)]

    def filters(area: str | None, kind: str | None, city: str | None) -> Filters:
        try:
            areas = (resolve_area(area).slug,) if area else ()
            kinds = (Kind.parse(kind),) if kind else ()
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        return Filters(areas=areas, kinds=kinds, city=city or "")

    @app.get("/healthz")
    def healthz(rt: RT) -> dict[str, Any]:
        m = rt.searcher.index.manifest
        return {"status": "ok", "records": m.records, "documents": m.documents, "model": m.model}

    @app.get("/api/search", summary="Hybrid search; hits as `icc-assistant search --json`")
    def api_search(rt: RT, q: Annotated[str, Query(min_length=1, max_length=500)],
                   k: Annotated[int, Query(ge=1, le=100)] = 10,
                   area: Annotated[str | None, Query(description=f"one of {', '.join(SLUGS)}")] = None,
                   kind: str | None = None, city: str | None = None) -> list[dict[str, Any]]:
        hits = search_question(rt.searcher, q, k, filters(area, kind, city))
        return [h.to_json() for h in hits]

    @app.get("/api/records", summary="Records as `icc-assistant corpus --json`")
    def api_records(rt: RT, kind: str | None = None, area: str | None = None,
                    city: str | None = None) -> list[dict[str, Any]]:
        flt = filters(area, kind, city)
        return [r.to_json() for r in rt.searcher.records if flt.accepts(r)]

    @app.exception_handler(ValueError)
    async def value_error(_: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    return app
