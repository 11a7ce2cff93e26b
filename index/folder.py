"""The index folder on disk: checksums of its files, one writer at a time, and a swap readers never see half of.

`<ICC_HOME>/index` is a symbolic link to one complete version under `<ICC_HOME>/index.d/`. A build writes a
new version under a temporary name that cannot collide (process id and random bytes), renames it into
`index.d/`, then replaces the link in one step (rename(2) is atomic). A reader resolves the link once and
reads every file from that version, so it sees the old index or the new one, never a mix; the previous
version is kept until the build after, so a reader still loading it is not cut short.

Writers take an exclusive lock (`<ICC_HOME>/index.lock`, fcntl) for the whole build, and under it remove
what a killed build left: temporary folders, versions no link points to, older `.index.tmp-*` folders.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def checksums(folder: Path, skip: tuple[str, ...] = ("manifest.json",)) -> dict[str, str]:
    """sha256 of every file under `folder` (but `skip`), by path relative to it, '/'-separated."""
    return {p.relative_to(folder).as_posix(): file_sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).as_posix() not in skip}


def damaged_file(folder: Path, expected: dict[str, str]) -> tuple[str, str] | None:
    """The first file of `expected` that is missing or whose bytes changed: (name, "missing" | "damaged")."""
    for name, digest in sorted(expected.items()):
        path = folder / name
        if not path.is_file():
            return name, "missing"
        if file_sha256(path) != digest:
            return name, "damaged"
    return None


def versions_dir(target: Path) -> Path:
    return target.parent / f"{target.name}.d"


def new_temp_dir(target: Path) -> Path:
    """An empty folder to write a new version in; its name is the process's and random, so never another's."""
    parent = versions_dir(target)
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".tmp-{os.getpid()}-{secrets.token_hex(6)}"
    tmp.mkdir()
    return tmp


def swap_in(target: Path, tmp: Path) -> None:
    """Makes the complete folder `tmp` the index at `target`: renamed to a version, then linked in one step."""
    parent = versions_dir(target)
    version = parent / f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(4)}"
    tmp.rename(version)
    link = target.parent / f".{target.name}.link-{os.getpid()}-{secrets.token_hex(4)}"
    link.symlink_to(version.relative_to(target.parent))
    try:
        if target.is_dir() and not target.is_symlink():  # an index written by an older version of this code
            old = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
            target.rename(old)
            os.replace(link, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(link, target)
    finally:
        link.unlink(missing_ok=True)


def current_version(target: Path) -> Path | None:
    return target.resolve() if target.is_symlink() and target.exists() else None


def remove_temporary(target: Path) -> list[Path]:
    """Removes what killed builds left (call it holding the lock): `index.d/.tmp-*`, and the
    `.index.tmp-*`, `.index.old*` and `.index.link-*` of this code or older. Returns what it removed."""
    stale = [*target.parent.glob(f".{target.name}.tmp-*"), *target.parent.glob(f".{target.name}.old*"),
             *target.parent.glob(f".{target.name}.link-*")]
    if versions_dir(target).is_dir():
        stale += list(versions_dir(target).glob(".tmp-*"))
    _remove(stale)
    return stale


def remove_old_versions(target: Path, keep_previous: Path | None) -> list[Path]:
    """Removes the versions other than the current one and `keep_previous` (the one just replaced, which a
    reader may still be loading)."""
    keep = {p for p in (current_version(target), keep_previous) if p is not None}
    parent = versions_dir(target)
    old = [p for p in parent.iterdir() if not p.name.startswith(".") and p.resolve() not in keep] \
        if parent.is_dir() else []
    _remove(old)
    return old


def _remove(paths: list[Path]) -> None:
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


@contextlib.contextmanager
def writer_lock(target: Path) -> Iterator[None]:
    """Holds `<parent>/<name>.lock` exclusively: one build at a time; the next one waits for it. The kernel
    releases the lock when its process dies, so a killed build never leaves the index locked."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.parent / f"{target.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another build of %s is running; waiting for it to finish", target)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
