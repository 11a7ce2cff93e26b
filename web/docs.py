"""/docs: the generated OpenAPI schema, in Swagger UI when its files were installed at set-up.

Swagger UI comes from the npm package swagger-ui-dist (`make web-assets`, git-ignored like htmx) and is
started by a static script, as the CSP allows no inline script. Without it, /docs lists the operations
of the same schema as a plain page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from web.deps import render

router = APIRouter(include_in_schema=False)

SWAGGER = Path(__file__).resolve().parent / "static" / "vendor" / "swagger-ui"


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            params = [{"name": p.get("name", ""), "where": p.get("in", ""), "required": p.get("required", False),
                       "description": p.get("description", "")} for p in op.get("parameters", [])]
            body = list(op.get("requestBody", {}).get("content", {}))
            out.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "description": op.get("description", ""), "params": params, "body": body})
    return out


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    swagger = (SWAGGER / "swagger-ui-bundle.js").is_file() and (SWAGGER / "swagger-ui.css").is_file()
    if swagger:
        return render(request, "swagger.html", {})
    return render(request, "docs.html", {"operations": operations(request.app.openapi())})
