"""ASGI middleware: security headers on every response, a cap on request bodies while they are read, JSON
bodies checked before any route parses them, and unexpected errors answered inside the stack."""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.inputs import MAX_JSON_BYTES, InputError, load_json

log = logging.getLogger(__name__)

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


class JsonGuard:
    """Reads a JSON request body (up to `max_bytes`) and refuses, with a message, one that is not JSON, nests
    too deeply or carries text that is not text (assistant/inputs.py), before FastAPI or a route parses it; a
    good body is passed on unchanged."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_JSON_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if not (ctype == b"application/json" or ctype.endswith(b"+json")):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more and size <= self.max_bytes:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            load_json(body, "The request body", self.max_bytes)
        except InputError as exc:
            await JSONResponse({"detail": exc.message}, status_code=exc.status)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class CatchAll:
    """Answers an unexpected error with `respond(scope)` (a 500 page or JSON) from inside the middleware
    stack: the security headers are added as to any page, and the server keeps the connection open
    (Starlette's last-resort handler re-raises the error after answering, and the server then closes it)."""

    def __init__(self, app: ASGIApp, respond: Callable[[Scope], Response]) -> None:
        self.app = app
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unhandled error on %s", scope.get("path", ""))
            if started:  # half an answer is out: only closing the connection can tell the client
                raise
            try:
                response = self.respond(scope)
            except Exception:
                log.exception("the error page failed too")
                response = PlainTextResponse("Something went wrong on our side; the error has been logged.", 500)
            await response(scope, receive, send)
