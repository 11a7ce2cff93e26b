"""What a new user met in issue 14, through TestClient: plain messages, text reports in any Unicode form,
partial rates, the practice filters, and the reader that marks the quoted sentences only.

The real corpus indexed with the hash embedder (fast); browser checks are in test_browser.py.
"""

from __future__ import annotations

import html as html_lib
import re
import zlib
from collections.abc import Iterator

import pytest
from conftest import CORPUS, REPORT, SmallFiles
from fastapi.testclient import TestClient

from assistant.settings import Settings
from web.app import create_app

EXCEPTION_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception)\b|Input should be|ValidationError")


@pytest.fixture(scope="module")
def client(hash_home: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(hash_home)) as c:
        yield c


def message_of(html: str) -> str:
    m = re.search(r'<p[^>]* class="error"[^>]*>(.*?)</p>', html, re.S)
    assert m, "no error message on the page"
    return html_lib.unescape(re.sub(r"\s+", " ", m.group(1)).strip())


def bomb_pdf(size: int = 80_000_000) -> bytes:
    """A PDF whose one content stream unpacks to `size` bytes (a 'zip bomb'): small to send, huge to read."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET\n" + b" " * size, 9)
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources " + font + b" /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


# --- D: every 4xx in plain words --------------------------------------------------------------------


@pytest.mark.parametrize("url, words", [
    ("/practices?page=0", "page number in the address must be 1 or more"),
    ("/practices?page=two", "page number in the address must be a whole number"),
    (f"/sources/{REPORT}?page=0", "page number in the address must be 1 or more"),
    (f"/sources/{REPORT}?page=999", "Choose a page from 1 to"),
    ("/sources/no-such-document", "list of sources"),
    ("/no/such/page", "no page at this address"),
])
def test_address_errors_say_what_is_wrong_and_what_to_do(client: TestClient, url: str, words: str) -> None:
    r = client.get(url)
    assert 400 <= r.status_code < 500
    message = message_of(r.text)
    assert words in message, message
    assert not EXCEPTION_NAME.search(message), message


def test_a_method_the_address_does_not_take_is_explained(client: TestClient) -> None:
    r = client.delete("/practices")
    assert r.status_code == 405
    assert "Go back to the page" in message_of(r.text) and "Method Not Allowed" not in r.text


@pytest.mark.parametrize("name, make, words", [
    ("cut.pdf", lambda f: f.broken().read_bytes(), "damaged or incomplete"),
    ("bomb.pdf", lambda f: bomb_pdf(), "unpacks to far more data"),
    ("picture.pdf", lambda f: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "upload the report as PDF"),
    ("empty.txt", lambda f: b"", "choose it again"),
])
def test_bad_uploads_say_why_in_plain_words(client: TestClient, small_files: SmallFiles, name: str, make,  # type: ignore[no-untyped-def]
                                            words: str) -> None:
    r = client.post("/profile/upload", files={"file": (name, make(small_files))})
    assert 400 <= r.status_code < 500
    message = message_of(r.text)
    assert words in message and name in message, message
    assert not EXCEPTION_NAME.search(message), message


def test_empty_rates_form_says_what_to_type(client: TestClient) -> None:
    r = client.post("/profile/rates", data={"city": "Nowhere"})
    assert r.status_code == 422 and "type the city's rate of at least one area" in message_of(r.text)


# --- C: text reports in UTF-16 and other byte-order-marked encodings --------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_text_report_with_a_byte_order_mark_is_read(client: TestClient, encoding: str) -> None:
    text = (CORPUS / f"{REPORT}.txt").read_text(encoding="utf-8")
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}.get(encoding, "")
    data = (bom + text).encode(encoding)
    r = client.post("/api/profile", files={"file": ("report.txt", data)})
    assert r.status_code == 200, r.text
    assert r.json()["city"] == "Hämeenlinna" and len(r.json()["areas"]) == 17


def test_utf16_rates_file_is_read(client: TestClient) -> None:
    data = "area,city,sample\nmedia,20,60\nÉducation,70,50\n".replace("É", "E").encode("utf-16")
    r = client.post("/api/profile", files={"file": ("rates.csv", data)})
    assert r.status_code == 200, r.text
    assert r.json()["areas"]["media"] == {"city": 20, "sample": 60}
