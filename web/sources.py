"""The documents of the corpus, the reader that shows a cited passage in its page, and the original files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from assistant.citations import parse_spans
from assistant.i18n import N_
from web.deps import Cat, page_or_partial, render
from web.render import QUOTE, reader_pages

router = APIRouter(include_in_schema=False)

MEDIA_TYPES = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8"}


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, catalog: Cat) -> HTMLResponse:
    infos = catalog.document_infos()
    files = {i.doc.doc_id: catalog.original_file(i.doc.doc_id) for i in infos}
    return render(request, "sources.html", {"infos": infos, "files": files})


@router.get("/sources/{doc_id}", response_class=HTMLResponse)
def reader(request: Request, catalog: Cat, doc_id: str, page: Annotated[int | None, Query(ge=1)] = None,
           record: Annotated[str, Query(max_length=300)] = "", q: Annotated[str, Query(max_length=400)] = "",
           ) -> HTMLResponse:
    """A page of a document; `record` shows a cited record as a band, `q` marks its quoted spans (offsets
    into the record's text, as `assistant.citations.reader_url` writes them)."""
    doc = catalog.documents.get(doc_id)
    if doc is None:
        raise HTTPException(404, N_("There is no document with this id; the list of sources has every document."))
    rec = catalog.by_id.get(record) if record else None
    if rec is not None and rec.doc_id != doc_id:
        rec = None
    number = page or (rec.page if rec else 1)
    if number > doc.page_count:
        raise HTTPException(404, f"{doc.title} has {doc.page_count} pages; there is no page {number}. "
                                 f"Choose a page from 1 to {doc.page_count}.")
    original = catalog.original_file(doc_id)
    spans = parse_spans(q, len(rec.text)) if rec else ()
    views = reader_pages(doc, number, rec, spans, catalog.headings(doc_id))
    quoted = any(p.level == QUOTE for v in views for b in v.blocks for item in b.items for p in item)
    ctx = {"doc": doc, "page": number, "record": rec, "record_id": record if rec else "", "spans": spans,
           "views": views, "quoted": quoted, "missing_record": bool(record) and rec is None,
           "original_pdf": original is not None and original.suffix.lower() == ".pdf",
           "has_original": original is not None}
    return page_or_partial(request, "source.html", "_page.html", ctx)


@router.api_route("/files/{doc_id}", methods=["GET", "HEAD"])  # HEAD: a link checker's or a download tool's
def original_file(catalog: Cat, doc_id: str) -> FileResponse:
    """The file a document was read from (only documents of the index; no path comes from the request)."""
    path = catalog.original_file(doc_id)
    if path is None:
        raise HTTPException(404, N_("There is no original file for this document."))
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return FileResponse(path, media_type=media_type, filename=path.name, content_disposition_type="inline")
