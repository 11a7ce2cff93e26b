"""The `icc-assistant` command line (contracts in shared/docs/ARCHITECTURE.md)."""

from __future__ import annotations

import dataclasses
import difflib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from assistant.cli_support import (
    CorpusOpt,
    HomeOpt,
    JsonOpt,
    ModelOpt,
    check_text,
    fail,
    make_filters,
    make_settings,
    read_or_fail,
    runtime_or_fail,
    write_or_fail,
)
from assistant.evaluation.commands import eval_answers_cmd, eval_cmd, eval_drafts_cmd
from assistant.settings import Settings
from corpus.areas import SLUGS
from corpus.errors import CorpusError, DocumentError
from corpus.records import Kind, Record
from index.embed import EmbedderError
from index.search import Filters, Searcher
from index.store import IndexDamaged, IndexMissing, IndexUnavailable

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="ICC practice assistant: cited search, answers and draft recommendations from "
                       "Intercultural Cities reports, toolkits and practice booklets.")


@app.command()
def build(
    corpus: CorpusOpt = None, home: HomeOpt = None, model: ModelOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if nothing changed.")] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit with code 3 when a file was skipped (unreadable, encrypted, no text), "
                         "after indexing the rest.")] = False,
) -> None:
    """Parse, embed and index the corpus (incremental: cached embeddings are reused)."""
    import time

    from tqdm import tqdm

    from assistant.runtime import build as run_build

    settings = make_settings(corpus, home, model)
    bar: tqdm[Any] | None = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:  # the first call reports the cached texts: they start the bar, not its rate
            bar = tqdm(total=total, initial=done, desc="embedding", unit="text", file=sys.stderr)
        else:
            bar.update(done - bar.n)

    typer.echo(f"reading {settings.corpus_dir} ...", err=True)
    t0 = time.perf_counter()
    try:
        report = run_build(settings, force=force, progress=progress)
    except (CorpusError, EmbedderError) as exc:
        fail(str(exc))
        return
    except OSError as exc:  # a read-only or full ICC_HOME: the previous index, if any, is left as it was
        fail(f"cannot write the index in {settings.home}: {exc.strerror or exc}; free some space or make the "
              "folder writable (ICC_HOME), then build again")
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - t0
    for err in report.skipped:
        typer.secho(f"skipped {err}", fg=typer.colors.YELLOW, err=True)
    m = report.manifest
    if report.unchanged:
        typer.echo(f"index is up to date: {m.records} records from {m.documents} documents ({settings.index_dir})")
    else:
        typer.echo(f"indexed {m.records} records ({m.units} windows, {report.embedded} newly embedded; "
                   f"{report.embedded_sentences} sentences newly embedded) from "
                   f"{m.documents} documents in {seconds:.1f}s -> {settings.index_dir}")
    if strict and report.skipped:
        typer.secho(f"{len(report.skipped)} file(s) skipped (--strict)", fg=typer.colors.RED, err=True)
        raise typer.Exit(3)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The question or keywords.")],
    k: Annotated[int, typer.Option("-k", min=1, max=200, help="Number of hits.")] = 5,
    area: Annotated[str | None, typer.Option("--area", help=f"Only this ICC area: {', '.join(SLUGS)}.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this record kind: "
                                             + ", ".join(k.value for k in Kind))] = None,
    city: Annotated[str | None, typer.Option("--city", help="Only this city or organisation.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Only this country.")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Only this document id.")] = None,
    as_json: JsonOpt = False, home: HomeOpt = None, model: ModelOpt = None,
) -> None:
    """Hybrid (dense + BM25) search with filters."""
    from assistant.answer import MAX_QUESTION
    from assistant.questions import search_question

    check_text({"the query": query, "--area": area, "--kind": kind, "--city": city, "--country": country,
                "--doc": doc})
    if len(query) > MAX_QUESTION:  # the API's limit too
        fail(f"the query is {len(query):,} characters long; keep it under {MAX_QUESTION}", 2)
    if not query.strip():
        fail("the query is empty: give a question or keywords, e.g. "
              "icc-assistant search \"welcome ceremony for newcomers\"", code=2)
    filters = make_filters(area, kind, city, country, doc)
    rt = runtime_or_fail(make_settings(None, home, model))
    hits = search_question(rt.searcher, query, k, filters)
    if as_json:
        typer.echo(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("no matching passage" + _unknown_values(rt.searcher, filters))
    for h in hits:
        typer.echo(_format_hit(h.rank, h.score, h.record))


def _unknown_values(searcher: Searcher, f: Filters) -> str:
    """Why a filtered search found nothing, when a filter value alone matches no record at all (asked
    of the search's own filter columns, so the comparison is the one the search made)."""
    from corpus.places import fold

    records = searcher.records
    said = []
    for name, value, alone, values in (
            ("city or organisation", f.city, Filters(city=f.city), {r.city for r in records if r.city}),
            ("country", f.country, Filters(country=f.country), {r.country for r in records if r.country}),
            ("document", f.doc_id, Filters(doc_id=f.doc_id), {r.doc_id for r in records})):
        if not value or searcher.allowed(alone).any():
            continue
        near = difflib.get_close_matches(value, sorted(values), n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(near)}?" if near else \
            "known: " + ", ".join(sorted(values)[:12]) + (" …" if len(values) > 12 else "")
        if name.startswith("city") and any(fold(value) == fold(r.about_city) for r in records if r.about_city):
            hint = "a report assesses it: its findings come with --kind finding and its name in the query"
        said.append(f"no {name} {value!r} in the index ({hint})")
    return ": " + "; ".join(said) if said else ""


def _format_hit(rank: int, score: float, r: Record) -> str:
    who = f"{r.city} ({r.country})" if r.city and r.country else r.city or r.benchmark or r.about_city
    head = f"[{rank}] {r.kind.value}" + (f" · {who}" if who else "") + f" · score {score:.4f}"
    where = f"    {r.doc_title}, p. {r.page}" + (f" · {r.section}" if r.section else "")
    areas = f"    areas: {', '.join(r.areas)}" if r.areas else ""
    text = r.text if len(r.text) < 700 else r.text[:700].rsplit(" ", 1)[0] + " …"
    body = "\n".join("    " + line for line in text.splitlines() if line.strip())
    return "\n".join(x for x in (head, where, areas, body) if x) + "\n"


@app.command("corpus")
def corpus_cmd(
    kind: Annotated[str | None, typer.Option("--kind", help="Only this record kind.")] = None,
    area: Annotated[str | None, typer.Option("--area", help="Only this ICC area.")] = None,
    city: Annotated[str | None, typer.Option("--city", help="Only this city.")] = None,
    as_json: JsonOpt = False, corpus: CorpusOpt = None, home: HomeOpt = None, model: ModelOpt = None,
) -> None:
    """Print the structured records of the corpus (from the index; built first if missing)."""
    from index.store import load_index

    flt = make_filters(area, kind, city)
    settings = make_settings(corpus, home, model)
    try:
        index = load_index(settings.index_dir, settings.embed_model)
    except IndexMissing:
        from assistant.runtime import build as run_build

        typer.echo("no index yet: building it first ...", err=True)
        try:
            run_build(settings)
            index = load_index(settings.index_dir, settings.embed_model)
        except (CorpusError, EmbedderError, IndexUnavailable) as exc:
            fail(str(exc))
            return
    except IndexUnavailable as exc:  # there, but not for these settings: never overwritten unasked
        fail(str(exc))
        return
    records = [r for r in index.records if flt.accepts(r)]
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in records], ensure_ascii=False, indent=2))
        return
    for r in records:
        who = f" · {r.city}" + (f" ({r.country})" if r.country else "") if r.city else ""
        typer.echo(f"{r.id}  {r.kind.value}{who} · p. {r.page} · {r.section} · [{', '.join(r.areas)}]")


# the evaluation wing's commands (assistant/evaluation/commands.py), registered here for their place in --help
app.command("eval")(eval_cmd)
app.command("eval-answers")(eval_answers_cmd)
app.command("eval-drafts")(eval_drafts_cmd)


@app.command()
def profile(
    source: Annotated[Path, typer.Argument(help="An ICC report (PDF, .txt, .md) or rates as .json / .csv "
                                                  "(columns area,city,sample).")],
    as_json: JsonOpt = False,
) -> None:
    """The city profile: rates against the sample, aggregates and weak areas, weakest first."""
    from assistant.profile_io import load_profile

    prof = read_or_fail(source, lambda: load_profile(source))
    data = prof.to_json()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(_profile_table(prof, data))


def _profile_table(prof: Any, data: dict[str, Any]) -> str:
    from corpus.areas import BY_SLUG

    def fmt(v: Any) -> str:
        return "—" if v is None else f"{v:g}"

    weak = {w["slug"]: w for w in data["weak_details"]}
    rows = []
    order = [w["slug"] for w in data["weak_details"]] + [s.slug for s in prof.scores if s.slug not in weak]
    for slug in order:
        s = prof.score(slug)
        gap = None if s.city is None or s.sample is None else s.city - s.sample
        mark = "weak" if slug in weak else ""
        rows.append(f"{BY_SLUG[slug].name:<44} {fmt(s.city):>5} {fmt(s.sample):>7} "
                    f"{format(gap, '+g') if gap is not None else '—':>6}  {mark}")
    year = f" {data['year']}" if data.get("year") else ""
    lines = [f"{data['city'] or 'City'}{year}", "",
             f"{'area':<44} {'city':>5} {'sample':>7} {'gap':>6}", *rows, "",
             f"aggregate (published)        {fmt(data['aggregate'])}",
             f"aggregate (core, computed)   {fmt(data['computed_aggregate'])}  "
             f"[{data['coverage']['core']['n']} of {data['coverage']['core']['of']} areas]",
             f"aggregate (extended)         {fmt(data['computed_aggregate_extended'])}  "
             f"[{data['coverage']['extended']['n']} of {data['coverage']['extended']['of']} areas]",
             f"intercultural lens           {fmt(data['lens_aggregate'])}", ""]
    if data["weak_details"]:
        lines.append(f"weak areas, weakest first ({data['weak_rule']}):")
        lines += [f"  {i}. {w['name']}: {w['reason']}" for i, w in enumerate(data["weak_details"], start=1)]
    return "\n".join(lines)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question, e.g. 'How do other cities handle media monitoring?'")],
    area: Annotated[str | None, typer.Option("--area", help="Only practices of this ICC area.")] = None,
    history: Annotated[Path | None, typer.Option("--history", help="For a follow-up: a file with the earlier "
                                                 "`ask --json` output, or a list of them, oldest first.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Frame the answer in this language: en, fr, de, it "
                                             "or es (default: the question's own, English for any other; a "
                                             "follow-up of up to three words: the previous answer's).")] = None,
    as_json: JsonOpt = False, home: HomeOpt = None, model: ModelOpt = None,
) -> None:
    """A cited answer from practices of named cities (and guide questions on how to approach a topic). The
    answer's framing follows the question's language (French, German, Italian, Spanish; else English) or
    --lang; the quotes stay in the documents' English."""
    from assistant.answer import ask as run_ask
    from assistant.answer import check_question
    from assistant.i18n import check_language, translations
    from assistant.inputs import InputError, read_json_file, scrub

    check_text({"the question": question, "--area": area, "--lang": lang})
    try:  # refuse an empty question or an unknown language before the model is loaded
        check_question(question)
        lang = check_language(lang) if lang is not None else None
    except ValueError as exc:
        fail(str(exc), 2)
    areas = make_filters(area).areas
    turns: list[dict[str, Any]] = []
    if history is not None:
        try:  # at most 1 MB, nested at most 32 levels, text that is text: the web's rule (assistant/inputs.py)
            loaded = read_json_file(history, f"the history file {scrub(str(history))}")
        except InputError as exc:
            fail(exc.message, 2)
            return
        loaded = [loaded] if isinstance(loaded, dict) else loaded  # one earlier turn, as `ask --json` wrote it
        if not isinstance(loaded, list) or not all(isinstance(t, dict) and "question" in t for t in loaded):
            fail(f"{history}: give an `ask --json` output, or a JSON list of them, oldest first", 2)
        turns = loaded
    rt = runtime_or_fail(make_settings(None, home, model))
    try:
        answer = run_ask(rt.searcher, question, turns, areas[0] if areas else None, rt.ask_params, lang=lang)
    except ValueError as exc:
        fail(str(exc), 2)
        return
    if as_json:
        typer.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.text)
    if answer.citations:
        _ = translations(answer.language).gettext
        typer.echo(_("Sources:"))
        for c in answer.citations:
            typer.echo(f"  [{c.n}] {c.label()}")


@app.command()
def draft(
    report: Annotated[Path | None, typer.Argument(help="The city's ICC report (PDF, .txt, .md).")] = None,
    profile_file: Annotated[Path | None, typer.Option("--profile", help="Rates as .json / .csv instead of a "
                                                      "report (or a report too).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, docx or json.")] = "md",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write to this file (docx: default "
                                             "icc-draft-<city>.docx).")] = None,
    areas: Annotated[int | None, typer.Option("--areas", min=1, max=17, help="How many weak areas "
                                              "(env ICC_WEAK_LIMIT).")] = None,
    area: Annotated[list[str] | None, typer.Option("--area", help="Draft this area (a slug such as media; "
                                                   "repeat for several) instead of the weakest ones.")] = None,
    base_url: Annotated[str, typer.Option("--base-url", help="The web app's address (e.g. http://127.0.0.1:8000): "
                                          "sources then link to their passages.")] = "",
    home: HomeOpt = None, model: ModelOpt = None,
) -> None:
    """Draft recommendation sections for the weak areas of a city profile (or the ones chosen with --area),
    every statement cited."""
    from assistant.draft import DraftError, draft_from_file
    from assistant.export import draft_docx, draft_markdown

    source = report or profile_file
    if source is None or (report is not None and profile_file is not None):
        fail("give either a REPORT or --profile FILE", 2)
        return
    if fmt not in ("md", "docx", "json"):
        fail(f"unknown format {fmt!r}; use md, docx or json", 2)
    if not source.is_file():  # refused before the model and the index are loaded
        fail(f"{source}: no such file" if not source.exists() else f"{source}: not a file")
    settings = make_settings(None, home, model)
    rt = runtime_or_fail(settings)
    if base_url and not base_url.startswith(("http://", "https://")):
        fail(f"--base-url must start with http:// or https://, not {base_url!r}", 2)
    params = dataclasses.replace(rt.draft_params, areas=areas or settings.weak_limit)
    try:
        result = read_or_fail(source, lambda: draft_from_file(rt.searcher, source, params, areas=area or ()))
    except DraftError as exc:
        fail(str(exc), 2)
    if fmt == "docx":
        write_or_fail(out or Path(f"{result.file_stem()}.docx"), draft_docx(result, base_url))
        return
    text = (json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n" if fmt == "json"
            else draft_markdown(result, base_url))
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_or_fail(out, text.encode("utf-8"))



@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 8000,
    corpus: CorpusOpt = None, home: HomeOpt = None, model: ModelOpt = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Server processes (each loads the "
                                         "model; they share the index files and ICC_HOME).")] = 1,
) -> None:
    """Start the web app (builds the index first if there is none)."""
    import uvicorn

    from assistant.runtime import build as run_build
    from index.store import check_compatible, read_manifest, verify_index
    from web.app import create_app

    settings = make_settings(corpus, home, model)
    try:  # the manifest and the files' checksums tell; the app loads the index itself
        manifest = read_manifest(settings.index_dir)
        check_compatible(manifest, settings.embed_model, None)
        verify_index(settings.index_dir, manifest)
    except IndexDamaged as exc:
        fail(str(exc), 2)
    except IndexMissing:
        typer.echo("no index yet: building it first ...", err=True)
        try:
            run_build(settings)
        except (CorpusError, EmbedderError) as exc:
            fail(str(exc))
    except IndexUnavailable as exc:  # another model's index: refused, as by search, not overwritten
        fail(str(exc))
    typer.echo(f"ICC practice assistant on http://{host}:{port}/  (API docs at /docs)", err=True)
    if workers > 1:
        _serve_workers(settings, host, port, workers)
        return
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning",
                timeout_keep_alive=KEEP_ALIVE_S)


# Connections kept open 30 s after a response, longer than clients keep an idle one (httpx 5 s, the same as
# uvicorn's default: a request sent as the server closed the connection met a reset). A worker answers its
# supervisor's health check within 30 s, not 5: a worker busy with 50 clients' questions is not hung.
KEEP_ALIVE_S = 30
HEALTHCHECK_S = 30


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Several uvicorn worker processes, each making the app from the same settings (passed down in the
    environment) and loading the same read-only index files; the CPUs are shared out between their torch
    threads instead of each worker taking them all."""
    import uvicorn

    os.environ.update({"ICC_CORPUS_DIR": str(settings.corpus_dir), "ICC_HOME": str(settings.home),
                       "ICC_EMBED_MODEL": settings.embed_model})
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    uvicorn.run("web.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning",
                timeout_keep_alive=KEEP_ALIVE_S, timeout_worker_healthcheck=HEALTHCHECK_S)


def main() -> None:
    try:  # ICC_LOG_LEVEL; an invalid setting is named by the command itself (_settings)
        level = Settings().log_level
    except ValidationError:
        level = "WARNING"
    logging.basicConfig(level=level, format="%(levelname)s %(message)s")
    try:
        app()
    except (DocumentError, CorpusError) as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)
