"""`icc-assistant serve` as a user starts it: a new process, one worker or several."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import CORPUS, free_port

from assistant.settings import Settings

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@contextmanager
def serving(home: Settings, *args: str) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "ICC_HOME": str(home.home), "ICC_EMBED_MODEL": "hash", "ICC_CORPUS_DIR": str(CORPUS)}
    proc = subprocess.Popen([sys.executable, "-c", "from assistant.cli import main; main()", "serve", "--port",
                             str(port), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve did not start"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    s.sendall(REQUEST)
                    if s.recv(100).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _response(s: socket.socket) -> bytes:
    """One whole response (head and a body of content-length bytes); b"" if the server closed the connection."""
    s.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            break
        body += chunk
    return head


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_idle_connection_stays_usable_longer_than_clients_keep_it(hash_home: Settings, workers: str) -> None:
    """httpx and uvicorn both drop an idle connection after 5 s by default: a request sent on it just as the
    server closed it met a reset (seen under load with two workers). The server now keeps it 30 s."""
    with serving(hash_home, "--workers", workers) as port, socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(REQUEST)
        assert _response(s).startswith(b"HTTP/1.1 200")
        time.sleep(6.5)  # past uvicorn's default keep-alive
        s.sendall(REQUEST)
        assert _response(s).startswith(b"HTTP/1.1 200")
