"""Which browser a request comes from: a random id in a signed cookie. No accounts, no passwords.

Saved profiles and conversations belong to the browser that made them (web/store.py keeps the owner's id);
others reach a profile only through the share link its owner made. The cookie is `id.signature`, the
signature an HMAC-SHA256 of the id with the app's secret (`ICC_SECRET_KEY`, else a random key made once
and kept, readable by its owner only, in ICC_HOME/secret.key): a forged or altered cookie is ignored and the
browser gets a new id. `browser_id(request)` is the one way routes learn the id.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import logging
import os
import re
import secrets
from http.cookies import CookieError, SimpleCookie
from pathlib import Path

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings

COOKIE = "icc_browser"
MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers keep a cookie
_SCOPE_KEY = "icc.browser"
_ID = re.compile(r"[A-Za-z0-9_-]{22}")

log = logging.getLogger(__name__)


def load_secret(settings: Settings) -> bytes:
    """The signing key: ICC_SECRET_KEY, else the key file under ICC_HOME, made (mode 0600) if missing."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = settings.secret_file
    if not path.is_file():
        try:
            _create_secret(path)
        except OSError as exc:  # a read-only ICC_HOME: a key for this process; browsers get new ids at restart
            log.warning("cannot write %s (%s): browser ids last until the server stops; set ICC_SECRET_KEY",
                        path, exc.strerror or exc)
            return secrets.token_hex(32).encode()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"the key file {path} is damaged (too short); delete it to have a new one made "
                         "(browsers then get new ids and lose their saved profiles and conversations)")
    return key.encode()


def _create_secret(path: Path) -> None:
    """Written under a temporary name and linked into place: two processes starting at once agree on one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process was first: its key is the key
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _sign(secret: bytes, browser: str) -> str:
    mac = hmac.new(secret, f"browser:{browser}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def read_cookie(secret: bytes, value: str) -> str | None:
    """The browser id in a cookie value, or None for a missing, malformed or forged one."""
    browser, _, signature = value.partition(".")
    if not _ID.fullmatch(browser) or not hmac.compare_digest(signature.encode(), _sign(secret, browser).encode()):
        return None
    return browser


class _Browser:
    """The id of the browser of one request; made (and then sent as a cookie) only when a route asks."""

    __slots__ = ("id", "new")

    def __init__(self, browser: str | None) -> None:
        self.id = browser
        self.new = False


def browser_id(request: HTTPConnection) -> str:
    """The id of the browser that sent `request`: from its signed cookie, or new (the cookie is then set on
    the response)."""
    slot: _Browser = request.scope[_SCOPE_KEY]
    if slot.id is None:
        slot.id = secrets.token_urlsafe(16)
        slot.new = True
    return slot.id


class BrowserSession:
    """Reads the signed browser cookie into the request scope; sets it on the response when it was made."""

    def __init__(self, app: ASGIApp, secret: bytes) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        slot = _Browser(self._from_headers(scope))
        scope[_SCOPE_KEY] = slot
        secure = "; Secure" if scope.get("scheme") == "https" else ""

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and slot.new and slot.id:
                value = f"{COOKIE}={slot.id}.{_sign(self.secret, slot.id)}; Path=/; Max-Age={MAX_AGE}; " \
                        f"HttpOnly; SameSite=Lax{secure}"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", value.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _from_headers(self, scope: Scope) -> str | None:
        for name, raw in scope.get("headers", []):
            if name != b"cookie":
                continue
            cookies: SimpleCookie = SimpleCookie()
            with contextlib.suppress(CookieError):  # a malformed Cookie header is no cookie, not an error
                cookies.load(raw.decode("latin-1"))
            if COOKIE in cookies:
                return read_cookie(self.secret, cookies[COOKIE].value)
        return None
