"""ASGI middleware: security headers on every response, and a cap on request bodies while they are read."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline scripts or styles anywhere: CSS and JS come from /static only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI sets style attributes from its scripts; only /docs gets that allowance.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    """Adds CSP, nosniff, referrer and framing headers. The original-file route gets no CSP: the
    browser's PDF viewer embeds the file, which `object-src 'none'` would refuse."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                         (b"x-frame-options", b"DENY")]
                if not path.startswith("/files/"):
                    extra.append((b"content-security-policy", (DOCS_CSP if path == "/docs" else CSP).encode()))
                headers += [(k, v) for k, v in extra if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """A request body over the limit; raised while it is read, so nothing beyond the limit is kept."""

    def __init__(self, limit_mb: int) -> None:
        super().__init__(413, f"the file is larger than the limit of {limit_mb} MB; upload a smaller file")
        self.limit_mb = limit_mb


class BodyLimit:
    """Refuses request bodies over `max_bytes`: at once when Content-Length says so, else as soon as the
    bytes read pass it. The error surfaces where the body is read (form parsing in a route), so a page
    can answer with a message and the API with a 413."""

    def __init__(self, app: ASGIApp, max_bytes: int, limit_mb: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limit_mb = limit_mb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        too_long = declared.isdigit() and int(declared) > self.max_bytes
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if too_long:
                raise BodyTooLarge(self.limit_mb)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.limit_mb)
            return message

        await self.app(scope, limited, send)
