"""The practice explorer: every practice, filtered by area, city, country, document and words.

The filters are query parameters, so a filtered view is a URL that can be shared; htmx swaps only the
results and pushes the URL, and without JavaScript the form submits the same GET.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from index.filtering import Filters
from web.deps import Cat, is_partial, page_or_partial

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 40
WHAT = {"city": "from a city or organisation called", "country": "from a country called",
        "doc": "in a document with the id"}
Text = Annotated[str, Query(max_length=200)]


@router.get("/practices", response_class=HTMLResponse)
def practices_page(request: Request, catalog: Cat, area: Text = "", city: Text = "", country: Text = "",
                   doc: Text = "", q: Text = "", page: Annotated[int, Query(ge=1)] = 1) -> HTMLResponse:
    chosen = {"area": area, "city": city, "country": country, "doc": doc, "q": q.strip()}
    error = ""
    try:
        filters = Filters.from_input(area=area, city=city, country=country, doc=doc)
    except ValueError as exc:  # an unknown area: named, with the other filters still shown
        error, filters = str(exc), Filters.from_input(city=city, country=country, doc=doc)
    areas = filters.areas
    if areas:
        chosen["area"] = areas[0]
    unknown = {name: catalog.unknown(name, value) for name, value in
               (("city", city), ("country", country), ("doc", doc))}
    said = [f"No practice is {WHAT[name]} “{chosen[name]}”; the nearest: {', '.join(near)}. Choose one from the "
            "list, or clear the filter." for name, near in unknown.items() if near is not None]
    error = " ".join([error, *said]).strip()
    found = [] if error else catalog.find_practices(filters, chosen["q"])
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(page, pages)
    query = {k: v for k, v in chosen.items() if v}

    def page_url(n: int) -> str:
        return "/practices?" + urlencode({**query, "page": n}) if n > 1 else \
            "/practices" + ("?" + urlencode(query) if query else "")

    ctx = {"chosen": chosen, "facets": catalog.facets(areas, city, country, doc, chosen["q"]), "unknown": unknown,
           "oob": is_partial(request), "documents": catalog.documents,
           "practices": found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], "total": len(found),
           "page": page, "pages": pages, "page_url": page_url, "error": error,
           "all": len(catalog.practices)}
    # the address the browser shows: the filters that are set, without the empty ones of the form
    headers = {"HX-Push-Url": page_url(page)} if is_partial(request) else None
    return page_or_partial(request, "practices.html", "_practices.html", ctx, status_code=422 if error else 200,
                           headers=headers)
