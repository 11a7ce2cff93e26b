"""Command-line input within bounds (issue 15, item 7): arguments that are not UTF-8, `--history` files too
large or too deep, queries longer than the API allows, and HTML in the Markdown draft of an uploaded report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, REPORT
from typer.testing import CliRunner

from assistant.answer import MAX_QUESTION
from assistant.cli import app
from assistant.export import markdown_safe
from assistant.inputs import MAX_FILE_BYTES, InputError, check_argument, read_json_file
from assistant.settings import Settings

# what Python makes of the bytes b"caf\xe9" (Latin-1) on a UTF-8 system: a surrogate for the byte 0xe9
LATIN1_ARG = b"caf\xe9 culture".decode("utf-8", "surrogateescape")


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def home_env(hash_home: Settings) -> dict[str, str]:
    return {"ICC_HOME": str(hash_home.home), "ICC_EMBED_MODEL": "hash", "ICC_CORPUS_DIR": str(CORPUS)}


def one_clear_line(output: str) -> str:
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1, output
    return output


@pytest.mark.parametrize("args", [
    ["search", LATIN1_ARG],
    ["search", "welcome", "--city", LATIN1_ARG],
    ["ask", LATIN1_ARG],
    ["ask", "How do cities welcome newcomers?", "--area", LATIN1_ARG],
])
def test_arguments_that_are_not_utf8_are_refused_clearly(runner: CliRunner, home_env: dict[str, str],
                                                         args: list[str]) -> None:
    result = runner.invoke(app, args, env=home_env)
    assert result.exit_code == 2
    assert "the byte 0xe9, which is not UTF-8 text" in one_clear_line(result.output)


def test_check_argument_tells_a_byte_from_a_half_character() -> None:
    assert check_argument("café", "x") == "café"
    with pytest.raises(InputError, match="byte 0xff"):
        check_argument("\udcff", "the query")
    with pytest.raises(InputError, match="lone surrogate"):
        check_argument("\ud800", "the query")


def test_search_has_the_query_limit_of_the_api(runner: CliRunner, home_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["search", "welcome " * 12_500], env=home_env)
    assert result.exit_code == 2
    assert f"100,000 characters long; keep it under {MAX_QUESTION}" in one_clear_line(result.output)
    assert runner.invoke(app, ["search", "w" * MAX_QUESTION, "--json"], env=home_env).exit_code == 0


def test_a_history_file_over_1_mb_is_refused_without_reading_it_all(runner: CliRunner, home_env: dict[str, str],
                                                                   tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"question": "q", "answer": "a" * (MAX_FILE_BYTES + 10)}]), encoding="utf-8")
    result = runner.invoke(app, ["ask", "and in Spain?", "--history", str(big)], env=home_env)
    assert result.exit_code == 2 and "larger than 1 MB" in one_clear_line(result.output)
    # an endless file: read up to the limit, then refused (it used to be read until the OOM killer came)
    with pytest.raises(InputError, match="larger than 1 MB"):
        read_json_file(Path("/dev/zero"), "the history file")


def test_a_deeply_nested_history_file_is_refused(runner: CliRunner, home_env: dict[str, str],
                                                 tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="ascii")
    result = runner.invoke(app, ["ask", "and in Spain?", "--history", str(deep)], env=home_env)
    assert result.exit_code == 2 and "more than 32 levels deep" in one_clear_line(result.output)


@pytest.mark.parametrize("content,message", [
    (b'[{"question": "q\\ud800"}]', "lone surrogate"),
    (b"\xff\xfe not json", "not valid JSON"),
    (b'[{"question": "q"', "not valid JSON"),
])
def test_a_broken_history_file_gets_a_message(runner: CliRunner, home_env: dict[str, str], tmp_path: Path,
                                              content: bytes, message: str) -> None:
    path = tmp_path / "history.json"
    path.write_bytes(content)
    result = runner.invoke(app, ["ask", "and in Spain?", "--history", str(path)], env=home_env)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_markdown_safe_leaves_no_html_tag() -> None:
    assert markdown_safe("A <script>alert(1)</script> and <img src=x onerror=alert(1)>") == \
        "A &lt;script>alert(1)&lt;/script> and &lt;img src=x onerror=alert(1)>"
    assert markdown_safe("**Bold** [1], a > b") == "**Bold** [1], a > b"


def test_the_markdown_draft_of_an_upload_escapes_its_html(runner: CliRunner, home_env: dict[str, str],
                                                          tmp_path: Path) -> None:
    text = (CORPUS / f"{REPORT}.txt").read_text(encoding="utf-8")
    sentence = "mediation service run by a civil society organization."
    assert sentence in text
    hostile = tmp_path / "report <img src=x onerror=alert(1)>.txt"
    hostile.write_text(text.replace(sentence, "mediation service run by <script>alert('x')</script> people."),
                       encoding="utf-8")
    result = runner.invoke(app, ["draft", str(hostile), "--areas", "17"], env=home_env)
    assert result.exit_code == 0, result.output
    assert "<script>" not in result.stdout and "<img" not in result.stdout
    assert "&lt;script>alert('x')&lt;/script>" in result.stdout
