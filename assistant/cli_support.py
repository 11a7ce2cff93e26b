"""What the commands of `icc-assistant` share: the common options, settings from them, errors as a message
and an exit code, and the runtime (index and models) opened for a command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError

from assistant.settings import Settings
from corpus.errors import DocumentError
from index.embed import EmbedderError
from index.search import Filters
from index.store import IndexDamaged, IndexUnavailable

CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="Corpus folder (env ICC_CORPUS_DIR).")]
HomeOpt = Annotated[Path | None, typer.Option("--home", help="State folder for index and caches (env ICC_HOME).")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Embedding model (env ICC_EMBED_MODEL).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def make_settings(corpus: Path | None = None, home: Path | None = None, model: str | None = None) -> Settings:
    """The settings (ICC_* variables) with the options given; an invalid variable: its name and why, exit 2."""
    over: dict[str, Any] = {}
    if corpus is not None:
        over["corpus_dir"] = corpus
    if home is not None:
        over["home"] = home
    if model is not None:
        over["embed_model"] = model
    try:
        return Settings(**over)
    except ValidationError as exc:  # an ICC_ variable with a value it cannot take
        problems = "; ".join(f"ICC_{'_'.join(str(p) for p in e['loc']).upper() or 'SETTINGS'}: {e['msg']}"
                             for e in exc.errors())
        fail(f"invalid settings: {problems}", 2)


def fail(message: str, code: int = 1) -> NoReturn:
    """The message on stderr, and the command ended with exit code `code`."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def check_text(args: dict[str, str | None]) -> None:
    """Arguments that are text (bytes that are not UTF-8 arrive as surrogates), else a clear error, exit 2."""
    from assistant.inputs import InputError, check_argument

    for what, value in args.items():
        try:
            check_argument(value or "", what)
        except InputError as exc:
            fail(exc.message, 2)


T = TypeVar("T")


def read_or_fail(source: Path, read: Callable[[], T]) -> T:
    """`read()`, with an unusable profile or report file turned into a clear error and exit code 1."""
    from assistant.profile_io import ProfileError

    try:
        return read()
    except (ProfileError, DocumentError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{source}: {exc.strerror or exc}")


def write_or_fail(target: Path, data: bytes) -> None:
    try:
        target.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}")
    typer.echo(f"wrote {target}", err=True)


def make_filters(area: str | None = None, kind: str | None = None, city: str | None = None,
                 country: str | None = None, doc: str | None = None) -> Filters:
    """The filters of the options, else the error naming the valid areas or kinds, exit 2."""
    try:
        return Filters.from_input(area, kind, city, country, doc)
    except ValueError as exc:
        fail(str(exc), 2)


def runtime_or_fail(settings: Settings):  # type: ignore[no-untyped-def]
    """The index and models opened; a damaged index exits 2 (`build` repairs it), a missing or unusable one 1."""
    from assistant.runtime import open_runtime

    try:
        return open_runtime(settings)
    except IndexDamaged as exc:  # one line naming the file; `build` repairs it
        fail(str(exc), 2)
    except (IndexUnavailable, EmbedderError) as exc:
        fail(str(exc))
