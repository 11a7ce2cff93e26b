"""Faults of the index folder that heal (issue 15, item 5): every file checksummed, any damaged or missing one
named by `search` and `serve` (one line, exit 2) and repaired by a plain `build`; temporary folders of a killed
build removed by the next; one writer at a time; readers never see half a swap. Hash embedder, small corpus.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from conftest import CORPUS, TOOLKIT
from typer.testing import CliRunner

from assistant.cli import app
from index.build import build_index
from index.embed import HashEmbedder
from index.folder import checksums, new_temp_dir, versions_dir
from index.store import IndexDamaged, load_index, read_manifest

FILES = ["manifest.json", "records.jsonl", "documents.json", "units.json", "dense.faiss", "sentences.json",
         "sentences.npy", "bm25/data.csc.index.npy", "bm25/indices.csc.index.npy", "bm25/indptr.csc.index.npy",
         "bm25/params.index.json", "bm25/vocab.index.json"]


def env(home: Path, corpus: Path) -> dict[str, str]:
    return {"ICC_HOME": str(home), "ICC_EMBED_MODEL": "hash", "ICC_CORPUS_DIR": str(corpus)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small corpus and a home with its index, built once; each test works on a copy."""
    root = tmp_path_factory.mktemp("faults")
    corpus = root / "corpus"
    corpus.mkdir()
    for doc_id in (TOOLKIT, "icc-programme-brochure"):
        shutil.copy(CORPUS / f"{doc_id}.txt", corpus / f"{doc_id}.txt")
    result = CliRunner().invoke(app, ["build"], env=env(root / "home", corpus))
    assert result.exit_code == 0, result.output
    return root / "home", corpus


@pytest.fixture()
def home(built: tuple[Path, Path], tmp_path: Path) -> Path:
    shutil.copytree(built[0], tmp_path / "home", symlinks=True)  # the link stays a link
    return tmp_path / "home"


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "zeroed":
        path.write_bytes(b"")
    elif how == "halved":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flipped":  # one byte in the middle, as a bad disk sector or a stray write makes it
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1:])
    else:
        path.unlink()


def test_the_manifest_records_a_checksum_of_every_other_file(home: Path) -> None:
    manifest = read_manifest(home / "index")
    assert sorted(manifest.checksums) == sorted(f for f in FILES if f != "manifest.json")
    assert manifest.checksums == checksums(home / "index")
    assert manifest.manifest_sha256 == manifest.digest()
    assert (home / "index").is_symlink() and (home / "index").resolve().parent == versions_dir(home / "index")


@pytest.mark.parametrize("how", ["zeroed", "halved", "flipped", "missing"])
@pytest.mark.parametrize("name", FILES)
def test_a_damaged_file_is_named_then_repaired_by_build(built: tuple[Path, Path], home: Path, name: str,
                                                        how: str) -> None:
    corpus = built[1]
    runner = CliRunner()
    index = home / "index"
    damage(index / name, how)
    for command in (["search", "welcome newcomers"], ["serve", "--port", "1"]):
        result = runner.invoke(app, command, env=env(home, corpus))
        assert result.exit_code == 2, (command, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and "icc-assistant build" in lines[0], result.stderr
        assert "Traceback" not in result.output
    repaired = runner.invoke(app, ["build"], env=env(home, corpus))
    assert repaired.exit_code == 0, repaired.output
    assert "Aborted" not in repaired.output and "indexed" in repaired.stdout
    loaded = load_index(index, "hash")
    assert read_manifest(index).checksums == checksums(index) and loaded.records
    again = runner.invoke(app, ["search", "welcome newcomers", "--json"], env=env(home, corpus))
    assert again.exit_code == 0 and json.loads(again.stdout)


def test_a_damaged_manifest_value_is_seen(home: Path) -> None:
    """A change that leaves valid JSON (a count, a model name) is caught by the manifest's own checksum."""
    path = home / "index" / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["records"] += 1
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexDamaged, match="manifest.json"):
        load_index(home / "index", "hash")


def test_temporary_folders_of_a_killed_build_are_removed_by_the_next(built: tuple[Path, Path], home: Path) -> None:
    index = home / "index"
    old_style = home / ".index.tmp-1732500000000"  # what earlier code left
    (old_style / "bm25").mkdir(parents=True)
    (old_style / "records.jsonl").write_text("{}\n")
    killed = new_temp_dir(index)
    (killed / "units.json").write_text("[1, 2")
    result = CliRunner().invoke(app, ["build"], env=env(home, built[1]))
    assert result.exit_code == 0 and "up to date" in result.stdout  # nothing to rebuild, still cleaned
    assert not old_style.exists() and not killed.exists()
    assert [p.name for p in home.iterdir() if p.name.startswith(".")] == []


def test_temporary_names_never_collide(tmp_path: Path) -> None:
    made: list[Path] = []

    def make() -> None:
        for _ in range(50):
            made.append(new_temp_dir(tmp_path / "index"))

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == len(set(made)) == 200 and all(p.is_dir() for p in made)


def test_concurrent_writers_take_turns_and_readers_never_see_half_a_swap(built: tuple[Path, Path],
                                                                         home: Path) -> None:
    index, corpus = home / "index", built[1]
    errors: list[BaseException] = []
    loads = 0
    stop = threading.Event()

    def write() -> None:
        try:
            for _ in range(3):
                build_index(corpus, index, home / "cache", HashEmbedder(), force=True)
        except BaseException as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)

    def read() -> None:
        nonlocal loads
        while not stop.is_set():
            try:
                assert load_index(index, "hash").records
                loads += 1
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write) for _ in range(3)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    reader.join()
    assert errors == [] and loads > 0
    kept = [p for p in versions_dir(index).iterdir()]
    assert len(kept) <= 2 and index.resolve() in kept  # the current version and the one before it
    assert read_manifest(index).checksums == checksums(index)
