"""Checks on what callers send before it is used: JSON nested or sized beyond reason, and text that is not
text (a lone UTF-16 surrogate such as "\\ud800", which JSON can spell but UTF-8 cannot carry).

Python's json module recurses once per level: a 100,000-deep array fails deep inside it, and a surrogate
passes every check until a page or an answer is encoded. Both are refused here, up front, with a message.
One rule for every caller: the web app (web/middleware.py, web/chat.py) and the command line (arguments
that are not UTF-8 reach Python as surrogates too; `--history` files are read with a size limit).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

MAX_DEPTH = 32  # a profile, a conversation turn or a draft request needs 5 or 6 levels
MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_FILE_BYTES = 1024 * 1024  # a `--history` file: 20 earlier answers are well under 200 KB

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InputError(Exception):
    """Input that cannot be used; `message` says what is wrong and what to do, `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class BadInput(ValueError):
    """A ValueError that says what is wrong with what a user gave (a question empty or too long, a profile
    that is not one, nothing to draft): the web app answers it with 422 and its message. Any other
    ValueError is a fault of the app, answered 500 and logged."""


class NotJson(InputError):
    """Bytes that do not parse as JSON."""


def json_depth(data: bytes, stop: int = MAX_DEPTH) -> int:
    """How deeply JSON arrays and objects nest in `data` (brackets inside strings do not count); counting
    stops a level past `stop`."""
    skeleton = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in skeleton:
        depth += 1 if byte in b"[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > stop:
                break
    return deepest


def check_text(text: str, what: str) -> str:
    """`text`, if every character of it can be written as UTF-8; else InputError naming `what`."""
    found = _SURROGATE.search(text)
    if found:
        raise InputError(f"{what} contains “\\u{ord(found.group(0)):04x}”, half of a character (a lone "
                         "surrogate), which is not text. Remove it, or send the text as UTF-8.")
    return text


def scrub(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD: safe to show back in a page."""
    return _SURROGATE.sub("\ufffd", text)


def load_json(raw: bytes | str, what: str, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parsed JSON that is at most `max_bytes` long, nests at most `max_depth` levels and holds only text
    that is text; else InputError (413 for size, 422 for the rest) with a message naming `what`."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(data) > max_bytes:
        raise InputError(f"{what} is {len(data) / 1024 / 1024:.1f} MB; the limit is "
                         f"{max_bytes / 1024 / 1024:.0f} MB.", 413)
    if json_depth(data, max_depth) > max_depth:
        raise InputError(f"{what} nests lists or objects more than {max_depth} levels deep; nothing this app "
                         "takes needs more than a few. Send the shape the documentation (/docs) shows.")
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno}: {exc.msg.lower()})" \
            if isinstance(exc, json.JSONDecodeError) else " (its bytes are not UTF-8 text)"
        raise NotJson(f"{what} is not valid JSON{where}. Check its quotes, commas and brackets.") from None
    check_text(json.dumps(value, ensure_ascii=False), what)
    return value


def check_argument(text: str, what: str) -> str:
    """`text` from the command line, if it is text; else InputError. Bytes that are not UTF-8 reach Python
    as surrogates \\udc80-\\udcff (surrogateescape): named as the byte they stand for."""
    found = _SURROGATE.search(text)
    if found is None:
        return text
    code = ord(found.group(0))
    if 0xDC80 <= code <= 0xDCFF:
        raise InputError(f"{what} contains the byte 0x{code - 0xDC00:02x}, which is not UTF-8 text; type it again "
                         "in a UTF-8 terminal (or set LANG to a UTF-8 locale, such as C.UTF-8)")
    return check_text(text, what)


def read_json_file(path: Path, what: str, max_bytes: int = MAX_FILE_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """A JSON file read as `load_json` reads a body: at most `max_bytes` are read (so /dev/zero or a huge
    file is refused at once), nested at most `max_depth` levels; InputError (status 413 or 422) otherwise,
    and for a file that cannot be read."""
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{what} cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(f"{what} is larger than {max_bytes / 1024 / 1024:g} MB; give the `ask --json` output of "
                         "the last few answers only", 413)
    return load_json(data, what, max_bytes, max_depth)
