"""The city profile page: a report or rates in, aggregates, chart and weak areas out, then the draft.

A profile, once read, is saved as JSON under an unguessable id (web/uploads.py) and the page moves to
/profile/{id}: reloading, the draft and the downloads all name it by that id. It belongs to the browser that
made it (web/saved.py): another browser sees it only through the share link (`?share=TOKEN`) its owner
made with "Share", and only the owner can delete it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.draft import DraftError, chosen_areas, closest_to_sample
from assistant.i18n import N_
from assistant.profile import CityProfile, WeakRule, num
from assistant.profile_io import ProfileError, Row, build_profile
from corpus.areas import AREAS, BY_SLUG
from corpus.records import Record
from web.chart import profile_chart
from web.deps import RT, Browser, Conf, DraftJobs, Heavy, Saved, get_settings, is_partial, page_or_partial
from web.drafts import draft_response
from web.saved import NOT_FOUND, Visible, remove_profile, visible_profile
from web.state import StateError
from web.uploads import UploadError, delete_saved, profile_from_upload, read_limited, save_profile

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
        "owner": True, "access": "", "share_url": "", "notice": "", "share": "", "draft_query": "",
        "draft_error": "", "closest": [],
    }
    weak = (profile or {}).get("weak_details", [])
    ctx["ticked"] = [w["slug"] for w in weak[: extra.pop("limit", 5)]]
    ctx["left_out"] = [w for w in weak if w["slug"] not in ctx["ticked"]]
    ctx.update(extra)
    return ctx


def _show(request: Request, ctx: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return page_or_partial(request, "profile.html", "_profile.html", ctx, status_code)


ShareToken = Annotated[str, Query(description="The share token of a profile's share link")]


def _visible_context(request: Request, seen: Visible, chosen: Sequence[str] = (), **extra: Any) -> dict[str, Any]:
    share_url = ""
    if seen.owner and seen.saved.share:
        share_url = str(request.url_for("saved_profile", pid=seen.saved.id).include_query_params(
            share=seen.saved.share))
    limit = get_settings(request).weak_limit
    weak = [w["slug"] for w in seen.data.get("weak_details", [])]
    ticked = list(chosen) or weak[:limit]
    query = [("area", a) for a in chosen] + ([("share", seen.share)] if seen.access else [])
    return _context(seen.data, seen.saved.id, owner=seen.owner, access=seen.access, share_url=share_url,
                    ticked=ticked, share=seen.share if seen.access else "",
                    left_out=[w for w in seen.data.get("weak_details", []) if w["slug"] not in ticked],
                    closest=[] if weak else [BY_SLUG[s] for s in closest_to_sample(seen.profile)],
                    draft_query=("?" + urlencode(query)) if query else "", **extra)


def _done(request: Request, drafts: DraftJobs, profile: CityProfile, pid: str,
          report: Sequence[Record] = (), upload_sha256: str = "") -> Response:
    """After a POST: the results region for htmx (with the URL to show), else a redirect to the page.
    The draft starts now, in the background (if the heavy pool has room): it is likely to be asked for next."""
    drafts.prepare(profile, report, upload_sha256)
    if is_partial(request):
        response = _show(request, _context(profile.to_json(), pid))
        response.headers["HX-Push-Url"] = f"/profile/{pid}"
        return response
    return RedirectResponse(f"/profile/{pid}#results", status_code=303)  # without JavaScript: at the results


@router.get("/profile", response_class=HTMLResponse)
def profile_page(request: Request, deleted: str = "") -> HTMLResponse:
    return _show(request, _context(notice=N_("The profile, its report's findings and its draft were deleted.")
                                   if deleted == "true" else ""))


@router.get("/profile/upload")
@router.get("/profile/rates")
def back_to_profile() -> RedirectResponse:
    return RedirectResponse("/profile", status_code=303)


@router.post("/profile/upload", response_class=HTMLResponse)
async def upload(request: Request, conf: Conf, drafts: DraftJobs, rt: RT, store: Saved, browser: Browser,
                 heavy: Heavy) -> Response:
    try:
        form: FormData = await request.form(max_files=1, max_fields=5)
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise UploadError(422, N_("Choose a file to upload."))
        data = await read_limited(file, conf.max_upload_mb)
        profile, report = await heavy.run(profile_from_upload, data, file.filename, conf.upload_dir, rt.searcher,
                                          max_pages=conf.max_pages, seconds=conf.parse_seconds)
        upload_sha256 = hashlib.sha256(data).hexdigest()
        pid = await run_in_threadpool(save_profile, profile, conf.upload_dir, report)
        try:
            store.add_profile(pid, browser, upload_sha256)
        except StateError:
            delete_saved(conf.upload_dir, pid)
            raise
    except (UploadError, StateError) as exc:  # StateError: ICC_HOME read-only (503) or full (507)
        return _show(request, _context(error=exc.message), exc.status)
    except StarletteHTTPException as exc:  # over the size limit, or a malformed multipart body
        return _show(request, _context(error=str(exc.detail)), exc.status_code)
    return _done(request, drafts, profile, pid, report, upload_sha256)


@router.post("/profile/rates", response_class=HTMLResponse)
async def rates(request: Request, conf: Conf, drafts: DraftJobs, store: Saved, browser: Browser) -> Response:
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
            N_("There is no area rate to show: type the city's rate of at least one area (and the sample's, if known).")
        ctx = _context(error_form=message, rates=entered, city=values.get("city", ""), year=values.get("year", ""))
        return _show(request, ctx, 422)
    pid = save_profile(profile, conf.upload_dir)
    store.add_profile(pid, browser)
    return _done(request, drafts, profile, pid)


@router.get("/profile/{pid}", response_class=HTMLResponse)
def saved_profile(request: Request, conf: Conf, drafts: DraftJobs, store: Saved, browser: Browser, pid: str,
                  share: ShareToken = "") -> HTMLResponse:
    seen = visible_profile(conf, store, pid, browser, share)
    drafts.prepare(seen.profile, seen.report, seen.saved.upload_sha256)
    return _show(request, _visible_context(request, seen))


AreaChoice = Annotated[list[str], Query(description="Areas to draft (slugs); none: the weakest")]


def _chosen(seen: Visible, area: Sequence[str], limit: int) -> tuple[str, ...]:
    """The areas asked for, checked against the profile (DraftError with a message when one is not in it,
    or when none is asked for and none is weak)."""
    chosen_areas(seen.profile, WeakRule(), area, limit)
    return tuple(dict.fromkeys(a for a in area if a))


@router.get("/profile/{pid}/draft", response_class=HTMLResponse)
async def draft_page(request: Request, conf: Conf, drafts: DraftJobs, store: Saved, browser: Browser, pid: str,
                     share: ShareToken = "", area: AreaChoice = []) -> HTMLResponse:  # noqa: B006 (FastAPI default)
    seen = visible_profile(conf, store, pid, browser, share)
    try:
        chosen = _chosen(seen, area, conf.weak_limit)
    except DraftError as exc:
        ctx = _visible_context(request, seen, draft_error=str(exc).replace(" (--area SLUG)", ""))
        return page_or_partial(request, "profile.html", "_draft.html", ctx, 422)
    result = (await drafts.wait(seen.profile, seen.report, seen.saved.upload_sha256, chosen)).to_json()
    ctx = _visible_context(request, seen, chosen, draft=result)
    if is_partial(request):
        return page_or_partial(request, "profile.html", "_draft.html", ctx)
    return _show(request, ctx)


@router.get("/profile/{pid}/draft.{fmt}")
async def draft_download(request: Request, conf: Conf, drafts: DraftJobs, store: Saved, browser: Browser, pid: str,
                         fmt: Literal["md", "docx"], share: ShareToken = "",
                         area: AreaChoice = []) -> Response:  # noqa: B006 (FastAPI default)
    seen = visible_profile(conf, store, pid, browser, share)
    try:
        chosen = _chosen(seen, area, conf.weak_limit)
    except DraftError as exc:
        raise HTTPException(422, str(exc).replace(" (--area SLUG)", "")) from None
    result = await drafts.wait(seen.profile, seen.report, seen.saved.upload_sha256, chosen)
    # a Word file takes a moment to write
    return await run_in_threadpool(draft_response, result, fmt, str(request.base_url))


@router.post("/profile/{pid}/share")
def share_profile(store: Saved, browser: Browser, pid: str) -> RedirectResponse:
    """Makes the share link of the owner's profile (the page then shows it)."""
    if store.share_profile(pid, browser) is None:
        raise HTTPException(404, NOT_FOUND)
    return RedirectResponse(f"/profile/{pid}#share", status_code=303)


@router.post("/profile/{pid}/unshare")
def unshare_profile(store: Saved, browser: Browser, pid: str) -> RedirectResponse:
    """Forgets the share link: whoever had it can no longer open the profile."""
    if not store.unshare_profile(pid, browser):
        raise HTTPException(404, NOT_FOUND)
    return RedirectResponse(f"/profile/{pid}#share", status_code=303)


@router.post("/profile/{pid}/delete")
def delete_profile(conf: Conf, store: Saved, drafts: DraftJobs, browser: Browser, pid: str) -> RedirectResponse:
    """The form twin of DELETE /api/profile/{pid}, for pages without JavaScript."""
    if not remove_profile(conf, store, drafts, pid, browser):
        raise HTTPException(404, NOT_FOUND)
    return RedirectResponse("/profile?deleted=true", status_code=303)
