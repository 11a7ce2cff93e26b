"""City profiles from ICC Index reports (PDF, text), JSON and CSV, all validated by one function."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.inputs import BadInput
from assistant.profile import AreaScore, CityProfile
from corpus.areas import AREAS, find_area, resolve_area
from corpus.load import make_document
from corpus.read import READERS, clean_pages, decode_text, sniff_suffix
from corpus.records import Document, Family, Record
from corpus.structure import report, structure


class ProfileError(BadInput):
    """A profile that cannot be built; the message names the place in the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class Row:
    """One area as a source gives it, before validation; `where` names it in error messages."""

    name: str
    city: object
    sample: object
    where: str
    strength: str = ""
    weakness: str = ""
    recommendation: str = ""


def build_profile(
    rows: Iterable[Row],
    *,
    city: str = "",
    year: object = None,
    published_aggregate: object = None,
    source: str = "",
    label: str = "",
    lens: tuple[object, object] = (None, None),
) -> CityProfile:
    """The one validation every source goes through: known areas, each once, rates that are 0–100.

    Raises ProfileError naming the file (`label`, else `source`) and the row (`where`) for an unknown
    area (with the valid slugs and the nearest match), a duplicate area, a non-number or a rate outside
    0–100, and when no rate at all was given.
    """
    label = label or source or "profile"
    seen: dict[str, Row] = {}
    scores: dict[str, AreaScore] = {}
    for row in rows:
        try:
            slug = resolve_area(str(row.name)).slug
        except ValueError as exc:
            raise ProfileError(f"{label}: {row.where}: {exc}") from None
        if slug in seen:
            first = seen[slug].where
            raise ProfileError(f"{label}: {row.where}: area {slug!r} is given twice (also {first})")
        seen[slug] = row
        scores[slug] = AreaScore(
            slug, rate(row.city, f"{label}: {row.where}: city rate"),
            rate(row.sample, f"{label}: {row.where}: sample rate"),
            _space(row.strength), _space(row.weakness), _space(row.recommendation),
        )
    if not any(s.city is not None or s.sample is not None for s in scores.values()):
        raise ProfileError(f"{label}: no area rate found")
    return CityProfile(
        city=_space(city),
        year=_year(year, label),
        scores=tuple(scores[a.slug] for a in AREAS if a.slug in scores),
        published_aggregate=rate(published_aggregate, f"{label}: aggregate"),
        source=source,
        published_lens=rate(lens[0], f"{label}: lens rate"),
        published_lens_sample=rate(lens[1], f"{label}: lens sample rate"),
    )


def rate(value: object, what: str) -> float | None:
    """A rate from 0 to 100 as a float, None for an empty value, else ProfileError naming `what`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):  # JSON true is an int to Python, but never a rate
        raise ProfileError(f"{what} {value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().removesuffix("%").strip()
        if not re.fullmatch(r"[-+]?\d+(?:[.,]\d+)?", text):  # "53", "53%", "53.5", "53,5"
            raise ProfileError(f"{what} {value!r} is not a number")
        number = float(text.replace(",", "."))
    if not 0 <= number <= 100:
        raise ProfileError(f"{what} {value!r} is outside 0–100")
    return number


def _year(value: object, label: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2200:
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*(19|2[01])\d\d\s*", value):
        return int(value)
    raise ProfileError(f"{label}: year {value!r} is not a year")


def _space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- JSON and CSV -------------------------------------------------------------------------------


def _read(data: str | Path) -> tuple[str, str]:
    """(text, source) of a Path, or of a str that already holds the content."""
    if isinstance(data, Path):
        try:
            return decode_text(data.read_bytes()), str(data)
        except OSError as exc:
            raise ProfileError(f"{data}: cannot be read ({exc})") from None
    return data, ""


def profile_from_json(data: dict[str, Any] | str | Path) -> CityProfile:
    """A profile from a JSON object (or JSON text, or a .json file) shaped like `profile --json`.

    `areas` maps an area (slug, name or alias) to a rate or to {"city", "sample"}, or is a list of
    {"area", "city", "sample"}; `city`, `year`, `aggregate`, `conclusions`, `recommendations` are
    optional. Errors name the JSON key.
    """
    source = ""
    if not isinstance(data, dict):
        text, source = _read(data)
        if not text.strip():
            raise ProfileError(f"{source or 'JSON'}: the file is empty")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProfileError(f"{source or 'JSON'}: not valid JSON ({exc})") from None
    label = source or "JSON"
    if isinstance(data, list):
        data = {"areas": data}
    if not isinstance(data, dict) or not isinstance(data.get("areas"), dict | list):
        raise ProfileError(f"{label}: expected an object with an 'areas' object of area rates")
    conclusions: dict[str, Any] = _dict(data.get("conclusions"))
    recommendations: dict[str, Any] = _dict(data.get("recommendations"))
    rows = []
    items = data["areas"].items() if isinstance(data["areas"], dict) else enumerate(data["areas"])
    for key, value in items:
        where = f"areas[{key!r}]" if isinstance(key, str) else f"areas[{key}]"
        if isinstance(value, dict):
            name = key if isinstance(key, str) else str(value.get("area") or value.get("slug") or "")
            city_rate, sample = value.get("city"), value.get("sample")
        else:
            if not isinstance(key, str):
                raise ProfileError(f"{label}: {where}: expected {{'area', 'city', 'sample'}}")
            name, city_rate, sample = key, value, None
        area = find_area(name)
        keys = (name, area.slug) if area else (name,)  # to_json keys its extras by slug
        notes = _dict(next((conclusions[k] for k in keys if k in conclusions), None))
        advice = next((recommendations[k] for k in keys if k in recommendations), "")
        rows.append(Row(name, city_rate, sample, where, str(notes.get("strength", "")),
                        str(notes.get("weakness", "")), str(advice)))
    city = data.get("city")
    return build_profile(
        rows, city=city if isinstance(city, str) else "", year=data.get("year"),
        published_aggregate=data.get("aggregate"), source=str(data.get("source") or source), label=label,
        lens=_lens(data.get("published_lens")),
    )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _lens(value: object) -> tuple[object, object]:
    return (value.get("city"), value.get("sample")) if isinstance(value, dict) else (None, None)


def profile_from_csv(data: str | Path, city: str = "") -> CityProfile:
    """A profile from CSV text or a .csv file with a header `area,city,sample` (sample may be empty).

    Errors name the line of the file.
    """
    text, source = _read(data)
    label = source or "CSV"
    if not text.strip():
        raise ProfileError(f"{label}: the file is empty")
    first = text.strip().splitlines()[0]
    delimiter = max(",;\t", key=first.count)  # a spreadsheet may save with ; or tabs
    reader = csv.reader(io.StringIO(text.strip()), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    if "area" not in header or "city" not in header:
        raise ProfileError(f"{label}: line 1: a header 'area,city,sample' is required, found {first!r}")
    col = {name: header.index(name) for name in ("area", "city", "sample") if name in header}
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        where = f"line {reader.line_num}"
        get = {k: (cells[i].strip() if i < len(cells) else "") for k, i in col.items()}
        rows.append(Row(get["area"], get["city"], get.get("sample"), where))
    return build_profile(rows, city=city, source=source, label=label)


# --- reports ------------------------------------------------------------------------------------
# read by the structure step (corpus/structure/report.py) into records; the profile is what those state


MIN_REPORT_AREAS = 3  # a report rates 14 to 17 areas: a shortened one that names no city keeps several


def profile_from_report(doc: Document, records: Sequence[Record], source: str = "") -> CityProfile:
    """The profile an ICC Index report states, from its document and the records the report structure
    (`corpus.structure.report.build`) made of it: city, year, published aggregate and lens, and per area
    its rate against the sample, its ✓/✗ conclusion lines and its recommendation.

    Raises ProfileError when no area rate can be found in it.
    """
    label = source or "report"
    said = report.statements(doc, records)
    if not said.areas:
        raise ProfileError(f"{label}: no area rate found; is this an Intercultural Cities Index report?")
    if not said.city and len(said.areas) < MIN_REPORT_AREAS:  # notes or a README that talk of a rate once
        raise ProfileError(f"{label}: names no city and states the rate of only {len(said.areas)} area(s); is "
                           "this an Intercultural Cities Index report?")
    rows = [Row(a.slug, a.rate, a.sample, f"section {a.heading}", a.strength, a.weakness, a.recommendation)
            for a in said.areas]
    return build_profile(rows, city=said.city, year=said.year, published_aggregate=said.aggregate,
                         source=source, label=label, lens=said.lens or (None, None))


def profile_from_report_text(text: str, source: str = "") -> CityProfile:
    """The profile of a report's text (see profile_from_report), read as a report whatever its family.

    Raises ProfileError when the text is empty or no area rate can be found in it.
    """
    if not text.strip():
        raise ProfileError(f"{source or 'report'}: the file is empty")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = Document(doc_id="report", path=source, title="", text=text, page_starts=(0,))
    return profile_from_report(doc, report.build(doc)[1], source)


@dataclass(frozen=True, slots=True)
class ProfileFile:
    """What a profile file holds, read once: the profile and, for an ICC report (not rates), the report as a
    document and its records by the structure step (when asked for)."""

    profile: CityProfile
    rates: bool  # JSON or CSV rates, not a report
    document: Document | None = None
    records: tuple[Record, ...] = ()


def load_profile(path: Path) -> CityProfile:
    """The profile in a file (see read_profile_file)."""
    return read_profile_file(path).profile


def read_profile_file(path: Path, records: bool = False) -> ProfileFile:
    """The profile in a file and, with `records`, a report's document and records, all from one reading of
    the file. A .json or .csv file is read as rates; otherwise the content decides: a JSON object, a CSV with
    an `area,city,sample` header, or else an ICC report (PDF, text, Markdown) read through the corpus
    reading path, which raises DocumentError for a broken, encrypted or text-less file. Raises
    ProfileError for an empty file or an invalid profile."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise ProfileError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    if suffix == ".json" or (suffix != ".csv" and _is_json(data)):
        return ProfileFile(profile_from_json(path), rates=True)
    first = decode_text(data, "replace").strip().splitlines()[0].lower()
    if suffix == ".csv" or _CSV_HEADER.fullmatch(first):
        return ProfileFile(profile_from_csv(path), rates=True)
    text, starts = clean_pages(READERS[sniff_suffix(data, path.name)](path))
    if not records or not text.strip():
        return ProfileFile(profile_from_report_text(text, source=str(path)), rates=False)
    # the stem is the document id of the report's records ("upload-..." for an upload, not in the corpus)
    doc, found = structure(make_document(path.stem, path, text, starts))
    # a short or plain report that the structure step does not take for one is still read as a report
    as_report = found if doc.family is Family.REPORT else report.build(doc)[1]
    return ProfileFile(profile_from_report(doc, as_report, source=str(path)), False, doc, tuple(found))


_CSV_HEADER = re.compile(r"\s*area\s*[,;\t]\s*city\s*(?:[,;\t]\s*sample\s*)?")


def _is_json(data: bytes) -> bool:
    text = decode_text(data, "replace")
    if text.lstrip()[:1] not in ("{", "["):
        return False
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True
