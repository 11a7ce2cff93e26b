"""The JSON API under /api: it mirrors the CLI (ARCHITECTURE.md) and calls the same library functions."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as FormFile

from assistant.answer import ask
from assistant.draft import DraftError, draft
from assistant.i18n import LANGUAGES, check_language
from assistant.profile import CityProfile
from assistant.profile_io import ProfileError, profile_from_json
from assistant.questions import search_question
from assistant.settings import Settings
from corpus.areas import SLUGS
from corpus.records import Record
from index.search import Filters, Searcher
from web.deps import RT, Browser, Conf, DraftJobs, Heavy, Saved
from web.drafts import DOCX, draft_response
from web.heavy import HeavyPool
from web.saved import NOT_FOUND, remove_profile
from web.uploads import UploadError, profile_from_upload, read_limited

router = APIRouter(prefix="/api", tags=["api"])

AreaQuery = Annotated[str | None, Query(description=f"An ICC area: one of {', '.join(SLUGS)} (or its name).")]


def filters(area: str | None = None, kind: str | None = None, city: str | None = None,
            country: str | None = None, doc: str | None = None) -> Filters:
    """The filters of the parameters, else 422 naming the valid areas or kinds."""
    try:
        return Filters.from_input(area, kind, city, country, doc)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


class AskRequest(BaseModel):
    question: str = Field(description="The question, e.g. 'How do other cities handle media monitoring?'")
    history: list[dict[str, Any]] = Field(default_factory=list, max_length=20, description=(
        "Earlier turns of the conversation, oldest first: the JSON this endpoint returned for each."))
    area: str | None = Field(None, description="Only passages of this ICC area (slug or name).")
    lang: str | None = Field(None, description=(
        f"Frame the answer in this language: one of {', '.join(LANGUAGES)}. Default: the question's own language "
        "when it is one of them (a follow-up of up to three words: the previous answer's), else English. Quotes "
        "stay in the documents' English."),
        json_schema_extra={"enum": list(LANGUAGES)})

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        return check_language(value) if value is not None else None


class CitationOut(BaseModel):
    n: int = Field(description="The number the answer's text cites as [n].")
    record_id: str
    doc_id: str
    doc_title: str
    page: int = Field(description="The page the quote starts on.")
    section: str
    city: str = Field(description="The city or organisation whose practice it is ('' for guide questions).")
    country: str
    kind: str = Field(description="practice, guide_question, finding, recommendation or passage.")
    title: str
    quote: str = Field(description="The sentences quoted, exactly as in the record, joined with ' … '.")
    sentences: list[str]
    url: str = Field(description="The source reader at the quoted sentences.")
    grade: str | None = Field(None, description=(
        "For a practice: 'direct' (it does what was asked) or 'related' (same topic, not exactly that)."))


class AnswerOut(BaseModel):
    question: str
    answer: str = Field(description="The answer as small Markdown; every [n] cites `citations[n-1]`.")
    citations: list[CitationOut]
    match: str = Field(description=(
        "The best grade among the practices shown: 'direct', 'related', or 'none' (no practice fits)."))
    found: bool
    nearest_areas: list[str] = Field(description="For a question off the documents' topics: the nearest ICC areas.")
    areas: list[str]
    query: str = Field(description="What was searched for (a follow-up's resolved topic).")
    topic: str
    country: str
    city: str
    language: str = Field(description=(
        "The language of the answer's framing (en, fr, de, it, es): the request's `lang`, else the question's "
        "language when supported, else en. Quotes are in the documents' English."))


# --- the JSON shapes of the other routes, for /docs (OpenAPI). Numbers that may be whole are `Number`: a
# rate of 13 goes out as 13, not 13.0; keys a result leaves out stay out (response_model_exclude_unset). ----

Number = int | float


class HitOut(BaseModel):
    rank: int
    score: Number = Field(description="The fused score the hits are ranked by.")
    text: str
    kind: str = Field(description="practice, guide_question, finding, recommendation or passage.")
    doc_id: str
    doc_title: str
    page: int
    section: str
    city: str
    country: str
    areas: list[str] = Field(description="The ICC areas (slugs) the record is tagged with.")
    id: str = Field(description="The record's id (as `record_id` in citations).")
    title: str
    similarity: Number = Field(description="The best cosine similarity of the record's text to the query.")


class RecordOut(BaseModel):
    id: str
    kind: str = Field(description="practice, guide_question, finding, recommendation or passage.")
    doc_id: str
    doc_title: str
    page: int
    page_end: int
    section: str
    city: str = Field(description="The city or organisation whose practice it is.")
    country: str
    title: str
    areas: list[str]
    area_scores: list[Number] = Field(description="The tagger's confidence for each of `areas`.")
    benchmark: str
    about_city: str = Field(description="The city a report assesses (its findings and recommendations).")
    start: int = Field(description="Offset of the record's text in its document's text.")
    end: int
    text: str


class Rates(BaseModel):
    city: Number | None
    sample: Number | None


class Coverage(BaseModel):
    n: int = Field(description="Areas rated.")
    of: int


class WeakOut(BaseModel):
    slug: str
    name: str
    city: Number | None
    sample: Number | None
    gap: Number | None
    score: Number | None = Field(description="How weak, by the weak rule: the areas are sorted by it.")
    reason: str


class Conclusion(BaseModel):
    strength: str
    weakness: str


class ProfileOut(BaseModel):
    city: str
    year: int | None
    aggregate: Number | None = Field(description="The aggregate the report publishes.")
    computed_aggregate: Number | None = Field(description="The mean of the 14 core areas' rates.")
    computed_aggregate_extended: Number | None = Field(description="The mean of the 17 areas' rates.")
    areas: dict[str, Rates] = Field(description="Area slug → the city's rate and the sample's.")
    weak: list[str] = Field(description="The weak areas, weakest first.")
    weak_rule: str
    lens_aggregate: Number | None
    published_lens: Rates
    coverage: dict[str, Coverage] = Field(description="core, extended and lens: areas rated of the group's.")
    weak_details: list[WeakOut]
    conclusions: dict[str, Conclusion] = Field(description="Area slug → the report's ✓ and ✗ lines.")
    recommendations: dict[str, str] = Field(description="Area slug → the report's recommendation.")
    source: str = Field(description="The file the profile was read from, as the user named it.")


class SourceRef(BaseModel):
    doc_id: str
    doc_title: str
    page: int
    section: str
    record_id: str
    n: int = Field(description="The number of the source in `sources` and in the text's [n].")


class FindingOut(BaseModel):
    text: str
    kind: str = Field(description="gap (what the report finds missing) or strength.")
    citation: SourceRef


class SuggestionOut(BaseModel):
    city: str
    country: str
    title: str
    text: str
    grade: str = Field(description="direct (does what the area or a gap asks) or related.")
    citation: SourceRef


class GuideQuestionOut(BaseModel):
    text: str
    benchmark: str
    citation: SourceRef


class QuotedOut(BaseModel):
    text: str
    citation: SourceRef


class ActionOut(BaseModel):
    action: str = Field(description="A gap of the report as something to do, in the report's words.")
    finding: int = Field(description="The source number of the finding that names the gap.")
    practices: list[int] = Field(description="The source numbers of the practices that show how.")


class AreaDraftOut(BaseModel):
    slug: str
    name: str
    city_rate: Number | None
    sample_rate: Number | None
    reason: str
    findings: list[FindingOut]
    suggestions: list[SuggestionOut]
    guide_questions: list[GuideQuestionOut]
    report_recommendation: QuotedOut | None
    actions: list[ActionOut]
    text: str = Field(description="The recommendation paragraph; every [n] cites `sources[n-1]`.")


class DraftOut(BaseModel):
    city: str
    year: int | None
    source: str
    areas: list[AreaDraftOut] = Field(description="The areas drafted, weakest first (or as chosen).")
    left_out: list[str] = Field(description="Weak areas the draft does not cover.")
    sources: list[CitationOut]


class HealthOut(BaseModel):
    status: str
    records: int
    documents: int
    model: str


@router.get("/search", summary="Hybrid search; hits as `icc-assistant search --json`", response_model=list[HitOut])
def api_search(rt: RT, q: Annotated[str, Query(min_length=1, max_length=500)],
               k: Annotated[int, Query(ge=1, le=100)] = 10, area: AreaQuery = None,
               kind: str | None = None, city: str | None = None, country: str | None = None,
               doc: str | None = None) -> list[dict[str, Any]]:
    hits = search_question(rt.searcher, q, k, filters(area, kind, city, country, doc))
    return [h.to_json() for h in hits]


@router.get("/records", summary="Records as `icc-assistant corpus --json`", response_model=list[RecordOut])
def api_records(rt: RT, kind: str | None = None, area: AreaQuery = None, city: str | None = None,
                country: str | None = None, doc: str | None = None) -> list[dict[str, Any]]:
    allowed = rt.searcher.allowed(filters(area, kind, city, country, doc))
    return [r.to_json() for r, ok in zip(rt.searcher.records, allowed, strict=True) if ok]


@router.post("/ask", summary="A cited answer, as `icc-assistant ask --json`", response_model=AnswerOut,
             response_model_exclude_none=True)
def api_ask(rt: RT, body: AskRequest) -> dict[str, Any]:
    areas = filters(area=body.area).areas  # an unknown area: 422
    answer = ask(rt.searcher, body.question, body.history, areas[0] if areas else None,  # BadInput: 422 (app handler)
                 rt.ask_params, lang=body.lang)
    return answer.to_json()


@router.post("/profile", summary="The city profile of an uploaded report or rates file, as "
                                 "`icc-assistant profile --json`",
             response_model=ProfileOut, response_model_exclude_unset=True,
             responses={413: {"description": "Larger than the upload limit"},
                        415: {"description": "Not a PDF, text, JSON or CSV file"},
                        422: {"description": "Empty, broken, encrypted or text-less, or not an ICC report"}})
async def api_profile(conf: Conf, heavy: Heavy, file: Annotated[UploadFile, File(description=(
        "An ICC Index report (PDF or text), or rates as JSON or CSV (area,city,sample)"))]) -> dict[str, Any]:
    return (await _upload_profile(file, conf, heavy))[0].to_json()


async def _upload_profile(file: FormFile, conf: Settings, heavy: HeavyPool, searcher: Searcher | None = None,
                          ) -> tuple[CityProfile, list[Record], str]:
    """The profile of an upload, its report's records and the SHA-256 of its bytes. Read on the heavy pool
    (seconds of CPU for a PDF), bounded by ICC_MAX_PAGES and ICC_PARSE_SECONDS; Busy (503) when it is full."""
    try:
        data = await read_limited(file, conf.max_upload_mb)
        profile, report = await heavy.run(profile_from_upload, data, file.filename, conf.upload_dir, searcher,
                                          max_pages=conf.max_pages, seconds=conf.parse_seconds)
        return profile, report, hashlib.sha256(data).hexdigest()
    except UploadError as exc:
        raise HTTPException(exc.status, exc.message) from None


@router.delete("/profile/{pid}", status_code=204, response_class=Response,
               summary="Delete a saved profile of this browser: its file, report records and cached draft",
               responses={404: {"description": "No saved profile of this browser has this id"}})
def api_delete_profile(conf: Conf, store: Saved, drafts: DraftJobs, browser: Browser, pid: str) -> Response:
    if not remove_profile(conf, store, drafts, pid, browser):
        raise HTTPException(404, NOT_FOUND)
    return Response(status_code=204)


_DRAFT_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "description": "A profile as `profile --json` prints it"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary", "description": "An ICC report or rates file"}}}},
}}}


@router.post("/draft", summary="Draft recommendation sections for the weak areas of a profile",
             description="Send the profile as JSON (the `profile --json` shape) or a report as the multipart "
                         "field `file`. `format`: json (the ARCHITECTURE.md draft shape), md or docx.",
             openapi_extra=_DRAFT_BODY, response_model=None,
             responses={200: {"model": DraftOut, "description": "The draft (format json); or a Markdown or Word file",
                              "content": {"text/markdown": {}, DOCX: {}}},
                        422: {"description": "Nothing to draft, an area the profile has no rate for, or not a "
                                             "profile"}})
async def api_draft(request: Request, rt: RT, conf: Conf, drafts: DraftJobs, heavy: Heavy,
                    format: Literal["json", "md", "docx"] = "json",
                    limit: Annotated[int | None, Query(ge=1, le=17, description="Weak areas to cover")] = None,
                    area: Annotated[list[str], Query(description="Areas to draft (slugs, repeatable) instead "
                                                                 "of the weakest")] = [],  # noqa: B006
                    ) -> Response:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, FormFile):
            raise HTTPException(422, "send the report as the multipart field 'file'")
        profile, report, upload_sha256 = await _upload_profile(upload, conf, heavy, rt.searcher)
    elif ctype.startswith("application/json"):
        try:
            body = await request.json()
            if not isinstance(body, dict | list):
                raise ProfileError("the body is not a profile: send the JSON object `profile --json` prints")
            profile = profile_from_json(body if isinstance(body, dict) else {"areas": body})
            report, upload_sha256 = [], ""
        except ValueError as exc:  # ProfileError, or JSON that does not parse
            raise HTTPException(422, str(exc) if isinstance(exc, ProfileError) else "the body is not JSON") \
                from None
    else:
        raise HTTPException(415, "send a JSON profile (application/json) or a report (multipart/form-data)")
    n = limit or conf.weak_limit
    chosen = tuple(dict.fromkeys(a for a in area if a))
    # a draft takes many seconds: on the heavy pool, and shared with the pages when it covers as many areas
    try:
        result = await drafts.wait(profile, report, upload_sha256, chosen) if n == conf.weak_limit else \
            await heavy.run(partial(draft, rt.searcher, profile, rt.draft_params, report=report, limit=n,
                                    areas=chosen))
    except DraftError as exc:  # nothing weak to draft, or an area the profile has no rate for
        raise HTTPException(422, str(exc).replace("(--area SLUG)", "(the `area` parameter)")) from None
    return await run_in_threadpool(draft_response, result, format, str(request.base_url))
