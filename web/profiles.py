"""The city profile page: a report or rates in, aggregates, chart and weak areas out, then the draft.

A profile, once read, is saved as JSON under an unguessable id (web/uploads.py) and the page moves to
/profile/{id}: reloading, sharing, the draft and the downloads all name it by that id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.areas import AREAS
from assistant.profile import CityProfile, num
from assistant.profile_io import ProfileError, Row, build_profile
from corpus.records import Record
from web.api import draft_response
from web.chart import profile_chart
from web.deps import RT, Conf, DraftJobs, is_partial, page_or_partial
from web.uploads import UploadError, load_report, load_saved, profile_from_upload, read_limited, save_profile

router = APIRouter(include_in_schema=False)


def _rates(profile: dict[str, Any] | None) -> dict[str, tuple[str, str]]:
    """The rates as the form shows them: "53", "51.5", or "" for none."""
    areas = (profile or {}).get("areas", {})

    def shown(value: float | None) -> str:
        return "" if value is None else num(value)

    return {a.slug: (shown(areas.get(a.slug, {}).get("city")), shown(areas.get(a.slug, {}).get("sample")))
            for a in AREAS}


def _context(profile: dict[str, Any] | None = None, pid: str = "", **extra: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "profile": profile, "pid": pid, "chart": profile_chart(profile) if profile else None,
        "rates": _rates(profile), "city": (profile or {}).get("city") or "",
        "year": (profile or {}).get("year") or "", "error": "", "error_form": "", "draft": None,
    }
    ctx.update(extra)
    return ctx


def _show(request: Request, ctx: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return page_or_partial(request, "profile.html", "_profile.html", ctx, status_code)


def _saved(conf: Conf, pid: str) -> tuple[CityProfile, dict[str, Any]]:
    found = load_saved(conf.upload_dir, pid)
    if found is None:
        raise HTTPException(404, "There is no saved profile with this id; upload the report again.")
    return found


def _done(request: Request, drafts: DraftJobs, profile: CityProfile, pid: str,
          report: Sequence[Record] = ()) -> Response:
    """After a POST: the results region for htmx (with the URL to show), else a redirect to the page.
    The draft starts now, in the background: it is likely to be asked for next."""
    drafts.start(profile, report)
    if is_partial(request):
        response = _show(request, _context(profile.to_json(), pid))
        response.headers["HX-Push-Url"] = f"/profile/{pid}"
        return response
    return RedirectResponse(f"/profile/{pid}#results", status_code=303)  # without JavaScript: at the results


@router.get("/profile", response_class=HTMLResponse)
def profile_page(request: Request) -> HTMLResponse:
    return _show(request, _context())


@router.get("/profile/upload")
@router.get("/profile/rates")
def back_to_profile() -> RedirectResponse:
    return RedirectResponse("/profile", status_code=303)


@router.post("/profile/upload", response_class=HTMLResponse)
async def upload(request: Request, conf: Conf, drafts: DraftJobs, rt: RT) -> Response:
    try:
        form: FormData = await request.form(max_files=1, max_fields=5)
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise UploadError(422, "Choose a file to upload.")
        data = await read_limited(file, conf.max_upload_mb)
        profile, report = await run_in_threadpool(profile_from_upload, data, file.filename, conf.upload_dir,
                                                  rt.searcher)
    except UploadError as exc:
        return _show(request, _context(error=exc.message), exc.status)
    except StarletteHTTPException as exc:  # over the size limit, or a malformed multipart body
        return _show(request, _context(error=str(exc.detail)), exc.status_code)
    return _done(request, drafts, profile, save_profile(profile, conf.upload_dir, report), report)


@router.post("/profile/rates", response_class=HTMLResponse)
async def rates(request: Request, conf: Conf, drafts: DraftJobs) -> Response:
    form = await request.form(max_files=0, max_fields=60)
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    rows = [Row(a.slug, values.get(f"city_{a.slug}", ""), values.get(f"sample_{a.slug}", ""), a.name)
            for a in AREAS if values.get(f"city_{a.slug}") or values.get(f"sample_{a.slug}")]
    try:
        profile = build_profile(rows, city=values.get("city", "")[:100], year=values.get("year") or None,
                                source="form", label="rates")
    except ProfileError as exc:
        entered = {a.slug: (values.get(f"city_{a.slug}", ""), values.get(f"sample_{a.slug}", "")) for a in AREAS}
        message = str(exc).removeprefix("rates: ") if rows else \
            "There is no area rate to show: type the city's rate of at least one area (and the sample's, if known)."
        ctx = _context(error_form=message, rates=entered, city=values.get("city", ""), year=values.get("year", ""))
        return _show(request, ctx, 422)
    return _done(request, drafts, profile, save_profile(profile, conf.upload_dir))


@router.get("/profile/{pid}", response_class=HTMLResponse)
def saved_profile(request: Request, conf: Conf, drafts: DraftJobs, pid: str) -> HTMLResponse:
    profile, data = _saved(conf, pid)
    drafts.start(profile, load_report(conf.upload_dir, pid))
    return _show(request, _context(data, pid))


@router.get("/profile/{pid}/draft", response_class=HTMLResponse)
def draft_page(request: Request, conf: Conf, drafts: DraftJobs, pid: str) -> HTMLResponse:
    profile, data = _saved(conf, pid)
    result = drafts.get(profile, load_report(conf.upload_dir, pid)).to_json()
    ctx = _context(data, pid, draft=result)
    if is_partial(request):
        return page_or_partial(request, "profile.html", "_draft.html", ctx)
    return _show(request, ctx)


@router.get("/profile/{pid}/draft.{fmt}")
def draft_download(conf: Conf, drafts: DraftJobs, pid: str, fmt: Literal["md", "docx"]) -> Response:
    profile, _ = _saved(conf, pid)
    return draft_response(drafts.get(profile, load_report(conf.upload_dir, pid)), fmt)
