"""The scoring engine and city profiles, on the real Hämeenlinna report and on small files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import VARIANT_REPORT

from assistant.profile import AreaScore, CityProfile, WeakRule
from assistant.profile_io import (
    ProfileError,
    load_profile,
    profile_from_csv,
    profile_from_json,
    profile_from_report,
    profile_from_report_text,
    read_profile_file,
)
from assistant.settings import Settings
from corpus.areas import SLUGS
from corpus.errors import DocumentError
from corpus.load import load_document
from corpus.read import READERS, clean_pages, read_pages

SHARED = Path(os.environ.get("ICC_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
REPORT_TXT = SHARED / "corpus" / "icc-index-hameenlinna-2024.txt"
REPORT_PDF = SHARED / "corpus" / "pdf" / "icc-index-hameenlinna-2024.pdf"

# Written by hand from the report's sentences, e.g. MEDIA AND COMMUNICATION: "Hämeenlinna achieved a rate
# of 13%, which is considerably lower than the city sample's achievement rate of 46%."
EXPECTED = {
    "commitment": (53, 68),  # "achievement rate of 53% falls below the sample city's rate of 68%"
    "education": (85, 69),
    "neighbourhoods": (63, 68),
    "public_services": (44, 46),
    "business": (25, 52),
    "cultural": (69, 72),  # "a rate of 69% in cultural and civil life"
    "public_space": (63, 67),  # "... achievement rate of 67." without a percent sign
    "mediation": (27, 58),  # "the city sample's achievement of 58%"
    "language": (56, 46),
    "media": (13, 46),
    "international": (40, 69),  # "a rate of 40, which ..."
    "competence": (44, 60),
    "welcoming": (75, 58),
    "leadership": (58, 52),  # "a rate of 58, which ... rate of 52."
    "anti_discrimination": (38, 68),  # "stands at 38%, whereas the average ... is 68%"
    "participation": (25, 45),
    "interaction": (100, 70),
}

# Default rule: score = (sample - city, if positive) + 0.5 * (50 - city, if positive); weak above 10.
#   media 33 + 18.5 = 51.5, mediation 31 + 11.5 = 42.5, business 27 + 12.5 = 39.5,
#   anti_discrimination 30 + 6 = 36, international 29 + 5 = 34, participation 20 + 12.5 = 32.5,
#   competence 16 + 3 = 19, commitment 15; not weak: neighbourhoods 5, public_services 2 + 3 = 5,
#   public_space 4, cultural 3, and the areas at or above the sample and 50%.
EXPECTED_WEAK = ["media", "mediation", "business", "anti_discrimination", "international",
                 "participation", "competence", "commitment"]


def _read_report(path: Path) -> CityProfile:
    assert path.is_file(), f"the shared corpus is missing {path}; set ICC_SHARED_DIR"
    return load_profile(path)


@pytest.fixture(scope="module", params=["txt", "pdf"])
def report(request: pytest.FixtureRequest) -> CityProfile:
    return _read_report(REPORT_TXT if request.param == "txt" else REPORT_PDF)


# --- the real report ----------------------------------------------------------------------------


def test_all_17_rates_match_the_report(report: CityProfile) -> None:
    found = {s.slug: (s.city, s.sample) for s in report.scores}
    assert found == EXPECTED
    assert [s.slug for s in report.scores] == list(SLUGS)  # in the order of AREAS


def test_city_year_and_published_figures(report: CityProfile) -> None:
    assert report.city == "Hämeenlinna"
    assert report.year == 2024  # "INDEX ANALYSIS 2024", not the data year 2023 of the introduction
    assert report.published_aggregate == 51
    assert (report.published_lens, report.published_lens_sample) == (58, 63)
    assert Path(report.source) in (REPORT_TXT, REPORT_PDF)


def test_computed_aggregates_reproduce_the_published_one(report: CityProfile) -> None:
    core, extended, lens = report.aggregate("core"), report.aggregate("extended"), report.aggregate("lens")
    assert (core.n, core.of) == (14, 14) and core.complete
    assert core.value == pytest.approx(715 / 14)
    assert round(core.value or 0) == report.published_aggregate
    assert (extended.n, extended.of) == (17, 17)
    assert extended.value == pytest.approx(878 / 17)
    assert (lens.n, lens.of) == (6, 6)
    assert lens.value == pytest.approx((85 + 63 + 44 + 25 + 69 + 63) / 6)
    assert round(lens.value or 0) == report.published_lens
    with pytest.raises(ValueError, match="unknown group"):
        report.aggregate("all")


def test_json_contract(report: CityProfile) -> None:
    data = report.to_json()
    for key in ("city", "year", "aggregate", "computed_aggregate", "computed_aggregate_extended",
                "areas", "weak"):
        assert key in data
    assert data["aggregate"] == 51
    assert data["computed_aggregate"] == 51.1
    assert data["computed_aggregate_extended"] == 51.6
    assert data["areas"]["media"] == {"city": 13, "sample": 46}
    assert set(data["areas"]) == set(SLUGS)
    assert data["weak"] == EXPECTED_WEAK
    assert data["weak_details"][0]["reason"] == "13% against a sample of 46%: 33 points below"
    json.dumps(data)  # serialisable as it is


def test_weak_areas_order_and_reasons(report: CityProfile) -> None:
    weak = report.weak_areas()
    assert [w.slug for w in weak] == EXPECTED_WEAK
    media = weak[0]
    assert (media.name, media.city, media.sample, media.gap) == ("Media and communication", 13, 46, 33)
    assert media.score == pytest.approx(33 + 0.5 * 37)
    assert media.reason == "13% against a sample of 46%: 33 points below"
    by_slug = {w.slug: w for w in weak}
    assert by_slug["commitment"].reason == "53% against a sample of 68%: 15 points below"
    assert by_slug["participation"].reason == "25% against a sample of 45%: 20 points below"


def test_weak_rule_is_configurable(report: CityProfile) -> None:
    # the gap alone, any gap: every area below its sample, the widest gap first
    gap_only = report.weak_areas(WeakRule(abs_weight=0, min_score=0))
    assert [w.slug for w in gap_only] == [
        "media", "mediation", "anti_discrimination", "international", "business", "participation",
        "competence", "commitment", "neighbourhoods", "public_space", "cultural", "public_services"]
    assert [w.slug for w in report.weak_areas(WeakRule(limit=3))] == EXPECTED_WEAK[:3]
    # the absolute rate alone: below 50%, lowest first (ties keep the order of the areas)
    absolute = report.weak_areas(WeakRule(gap_weight=0, abs_weight=1, min_score=0))
    assert [w.slug for w in absolute] == [
        "media", "business", "participation", "mediation", "anti_discrimination", "international",
        "public_services", "competence"]


def test_conclusions_and_recommendations(report: CityProfile) -> None:
    mediation = report.score("mediation")
    assert mediation is not None
    assert mediation.strength == (
        "Hämeenlinna works with an intercultural mediation service run by a civil society organization.")
    assert mediation.weakness == (
        "The city doesn't have an organization dealing specifically with inter-religious relations.")
    assert mediation.recommendation == ("The municipality could explore creating/collaboration with an "
                                        "organization dealing specifically with inter-religious relations.")
    welcoming = report.score("welcoming")
    assert welcoming is not None
    assert welcoming.weakness == welcoming.recommendation == (
        "Hämeenlinna could organise a public ceremony to greet all people arriving to live in the city "
        "regardless of origin or nationality.")
    media = report.score("media")
    assert media is not None
    assert media.strength.endswith("in the local media. Nevertheless,")  # the report's cell stops there
    assert media.weakness.startswith("The city does not have instructed its communication department")
    interaction = report.score("interaction")
    assert interaction is not None
    assert interaction.weakness == "Hämeenlinna achieved a 100% score in this area."
    assert interaction.recommendation == ("Hämeenlinna could consider sharing some of its experiences in "
                                          "interaction with other ICC cities through the database.")
    assert all(s.strength and s.weakness and s.recommendation for s in report.scores)
    data = report.to_json()
    assert data["conclusions"]["mediation"]["strength"] == mediation.strength
    assert data["recommendations"]["welcoming"] == welcoming.recommendation


def test_report_text_through_the_reading_path_matches_load_profile() -> None:
    text, _ = clean_pages(read_pages(REPORT_PDF))
    profile = profile_from_report_text(text, source="upload.pdf")
    assert {s.slug: (s.city, s.sample) for s in profile.scores} == EXPECTED
    assert profile.source == "upload.pdf"


def test_the_profile_is_what_the_structure_steps_records_state() -> None:
    """One reader of a report: the profile is read from the document and records of the corpus reading path."""
    doc, records, _ = load_document(REPORT_PDF.stem, [REPORT_PDF])
    assert profile_from_report(doc, records, source=str(REPORT_PDF)) == load_profile(REPORT_PDF)
    with pytest.raises(ProfileError, match="no area rate found"):
        profile_from_report(doc, [r for r in records if not r.areas], source=str(REPORT_PDF))


def test_json_round_trip(report: CityProfile) -> None:
    again = profile_from_json(json.dumps(report.to_json()))
    assert again.scores == report.scores
    assert (again.city, again.year, again.published_aggregate) == ("Hämeenlinna", 2024, 51)
    assert again.to_json()["weak"] == EXPECTED_WEAK


# --- other phrasings (VARIANT_REPORT, in conftest.py: the report structure's tests read it too) ------------


def test_report_phrasings_vary() -> None:
    profile = profile_from_report_text(VARIANT_REPORT, source="variant.txt")
    rates = {s.slug: (s.city, s.sample) for s in profile.scores}
    assert rates == {
        "commitment": (53, 68), "public_space": (63, 67), "mediation": (27, 58), "language": (56, 46),
        "media": (13, 46), "international": (40, 69), "anti_discrimination": (38, 68),
    }
    assert (profile.city, profile.year, profile.published_aggregate) == ("Sampleton", 2021, 47)
    assert (profile.published_lens, profile.published_lens_sample) == (58, 63)
    assert profile.aggregate("core").n == 6 and profile.aggregate("core").of == 14
    commitment, media = profile.score("commitment"), profile.score("media")
    assert commitment is not None and media is not None
    assert (commitment.strength, commitment.weakness) == ("Sampleton has a plan.", "There is no budget.")
    assert media.weakness == "No monitoring of the media."
    assert commitment.recommendation == "Sampleton could adopt a public statement."
    assert media.recommendation == "The city may monitor the media."


def test_report_without_blank_lines_or_with_other_layouts_gives_the_same_profile() -> None:
    """The report structure's tolerance (corpus/structure/report.py) is the profile's: a text copied from a
    PDF viewer without blank lines, area names alone above their conclusions, dashes after the areas of the
    recommendations, Windows line ends."""
    expected = profile_from_report_text(VARIANT_REPORT)
    for text in ("\n".join(line for line in VARIANT_REPORT.splitlines() if line.strip()),
                 VARIANT_REPORT.replace("MEDIA AND COMMUNICATION ✓", "Media and communication\n✓"),
                 VARIANT_REPORT.replace("Media and communication: The", "Media and communication – The"),
                 VARIANT_REPORT.replace("\n", "\r\n")):
        assert profile_from_report_text(text) == expected


def test_report_with_area_names_in_lower_case() -> None:
    text = ("Index analysis for Lakeside\n\nEducation\n\nLakeside achieved a rate of 70%, which is higher "
            "than the city sample's achievement rate of 60%.\n\nParticipation\n\nLakeside's rate of 20% "
            "is below the sample's 45%.\n")
    profile = profile_from_report_text(text)
    assert {s.slug: (s.city, s.sample) for s in profile.scores} == {
        "education": (70, 60), "participation": (20, 45)}
    assert profile.city == "Lakeside"


# --- small files --------------------------------------------------------------------------------


def test_csv_and_json_accept_aliases(tmp_path: Path) -> None:
    csv_file = tmp_path / "rates.csv"
    csv_file.write_text("area,city,sample\ngovernance,58,52\nwelcoming of new arrivals,75,58\n"
                        "intelligence/competence,44,60\ncultural and civil life,69,72\n"
                        "multilingualism,56,46\nMedia and communication,13%,46%\n", encoding="utf-8")
    from_csv = load_profile(csv_file)
    expected = {"leadership": (58, 52), "welcoming": (75, 58), "competence": (44, 60),
                "cultural": (69, 72), "language": (56, 46), "media": (13, 46)}
    assert {s.slug: (s.city, s.sample) for s in from_csv.scores} == expected
    json_file = tmp_path / "rates.json"
    json_file.write_text(json.dumps({"city": "Lakeside", "year": 2023, "areas": {
        "governance": {"city": 58, "sample": 52}, "welcoming of new arrivals": {"city": 75, "sample": 58},
        "intelligence/competence": {"city": 44, "sample": 60}, "cultural and civil life": {"city": 69,
                                                                                           "sample": 72},
        "multilingualism": {"city": 56, "sample": 46}, "media": {"city": 13, "sample": 46}}}))
    from_json = load_profile(json_file)
    assert from_json.scores == from_csv.scores
    assert (from_json.city, from_json.year) == ("Lakeside", 2023)
    assert from_json.to_json()["weak"] == ["media", "competence"]  # 51.5 and 16 + 3 = 19


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_unknown_area_lists_slugs_and_nearest(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"rates.{kind}"
    if kind == "csv":
        path.write_text("area,city,sample\neducation,85,69\nmedai,13,46\n")
    else:
        path.write_text(json.dumps({"areas": {"education": {"city": 85}, "medai": {"city": 13}}}))
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    message = str(err.value)
    assert ("line 3" if kind == "csv" else "areas['medai']") in message
    assert "Did you mean 'media'?" in message
    assert all(slug in message for slug in SLUGS)


@pytest.mark.parametrize(("value", "problem"), [("120", "outside 0–100"), ("abc", "not a number"),
                                                ("-5", "outside 0–100")])
def test_csv_bad_rate_names_the_line(value: str, problem: str) -> None:
    with pytest.raises(ProfileError, match=rf"line 3: city rate '{value}' is {problem}"):
        profile_from_csv(f"area,city,sample\neducation,85,69\nmedia,{value},46\n")


@pytest.mark.parametrize(("value", "problem"), [(120, "outside 0–100"), ("abc", "not a number"),
                                                (True, "not a number")])
def test_json_bad_rate_names_the_key(value: object, problem: str) -> None:
    with pytest.raises(ProfileError, match=rf"areas\['media'\]: sample rate .* is {problem}"):
        profile_from_json({"areas": {"media": {"city": 13, "sample": value}}})


@pytest.mark.parametrize("name", ["empty.csv", "empty.json", "empty.txt", "empty.md"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("  \n\n")
    with pytest.raises(ProfileError, match="empty"):
        load_profile(path)


def test_text_without_rates_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("MEDIA AND COMMUNICATION\n\nThe city does not monitor the media.\n\nEDUCATION\n\n"
                    "Schools in 2019 ran 12 projects.\n")
    with pytest.raises(ProfileError, match="no area rate found"):
        load_profile(path)


def test_profile_without_rates_is_refused() -> None:
    with pytest.raises(ProfileError, match="no area rate found"):
        profile_from_csv("area,city,sample\nmedia,,\n")
    with pytest.raises(ProfileError, match="no area rate found"):
        profile_from_json('{"areas": {}}')


def test_csv_needs_a_header_and_each_area_once() -> None:
    with pytest.raises(ProfileError, match="line 1: a header 'area,city,sample' is required"):
        profile_from_csv("media,13,46\n")
    with pytest.raises(ProfileError, match=r"line 3: area 'media' is given twice \(also line 2\)"):
        profile_from_csv("area,city,sample\nmedia,13,46\nMedia and communication,14,46\n")


def test_invalid_json_is_refused() -> None:
    with pytest.raises(ProfileError, match="not valid JSON"):
        profile_from_json("{oops")
    with pytest.raises(ProfileError, match="'areas'"):
        profile_from_json({"city": "Lakeside"})


def test_missing_sample_rates_use_the_absolute_rate(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("area,city\nmedia,25\neducation,85\nbusiness,40\npublic space,45\n")
    profile = load_profile(path)
    assert all(s.sample is None for s in profile.scores)
    weak = profile.weak_areas()
    # no sample: (1 + 0.5) * (50 - city): media 37.5, business 15, public space 7.5 (not above 10)
    assert [w.slug for w in weak] == ["media", "business"]
    assert weak[0].reason == "25%, below the 50% threshold"
    assert weak[0].gap is None and weak[0].score == pytest.approx(37.5)
    data = profile.to_json()
    assert data["areas"]["media"] == {"city": 25, "sample": None}
    assert data["computed_aggregate"] == pytest.approx((25 + 85 + 40 + 45) / 4, abs=0.05)
    assert data["coverage"]["core"] == {"n": 4, "of": 14}


def test_mixed_samples_and_reasons() -> None:
    profile = profile_from_csv("area,city,sample\nmedia,45,46\nlanguage,20,15\neducation,30,\n")
    rule = WeakRule(min_score=0)
    reasons = {w.slug: w.reason for w in profile.weak_areas(rule)}
    assert reasons == {
        "media": "45% against a sample of 46%: 1 point below",
        "language": "20% against a sample of 15%, below the 50% threshold",
        "education": "30%, below the 50% threshold",
    }


def test_load_profile_judges_by_content(tmp_path: Path) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_text("area;city;sample\nmedia;13;46\n")
    assert load_profile(upload).score("media") == AreaScore("media", 13, 46)
    report = tmp_path / "report.upload"
    report.write_text("MEDIA AND COMMUNICATION\n\nLakeside achieved a rate of 13%, which is lower than "
                      "the city sample's achievement rate of 46%.\n")
    assert load_profile(report).score("media") == AreaScore("media", 13, 46)


def test_broken_pdf_raises_document_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a PDF\n")
    with pytest.raises(DocumentError):
        load_profile(path)


def test_city_profile_refuses_unknown_or_repeated_areas() -> None:
    with pytest.raises(ValueError, match="unknown area slug"):
        CityProfile("X", None, (AreaScore("culture", 1, 2),), None, "")
    with pytest.raises(ValueError, match="twice"):
        CityProfile("X", None, (AreaScore("media", 1, 2), AreaScore("media", 3, 4)), None, "")


# --- one reading of a report for its profile and its records ----------------------------------------


def test_a_report_is_read_once_for_its_profile_and_its_records(
        hash_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.draft import DraftParams, draft_from_file
    from index.embed import HashEmbedder
    from index.search import Searcher
    from index.store import load_index
    from web.uploads import profile_from_upload

    reads: list[Path] = []
    for suffix in (".pdf", ".txt"):
        reader = READERS[suffix]
        monkeypatch.setitem(READERS, suffix, lambda p, reader=reader: reads.append(p) or reader(p))
    searcher = Searcher(load_index(hash_home.index_dir, "hash"), HashEmbedder())

    profile, report = profile_from_upload(REPORT_PDF.read_bytes(), "report.pdf", tmp_path, searcher)
    assert len(reads) == 1  # once for the profile and the records (the same document as the index's)
    assert profile.scores == load_profile(REPORT_PDF).scores and profile.source == "report.pdf"
    assert report and {r.kind.value for r in report} == {"finding", "recommendation"}

    reads.clear()
    draft = draft_from_file(searcher, REPORT_TXT, DraftParams(areas=1))
    assert len(reads) == 1 and draft.areas
    # a report the index does not hold: the records of the one reading are the corpus reading path's
    read = read_profile_file(REPORT_TXT, records=True)
    assert read.document is not None and not read.rates
    assert list(read.records) == load_document(REPORT_TXT.stem, [REPORT_TXT])[1]
    assert read.profile == load_profile(REPORT_TXT)
    assert read_profile_file(REPORT_TXT).records == ()  # records only when asked for


def test_a_text_that_only_mentions_a_rate_is_not_a_report(tmp_path: Path) -> None:
    """Notes (or a README) that talk of a rate once under a heading that names an area: no city, one area,
    not a report (the project's README was read as "Language 60 vs 38")."""
    readme = tmp_path / "readme.txt"
    readme.write_text("Project notes\n\nLanguages\n\nThe achievement rate of the load test was 60% against 38% "
                      "for the sample run.\n\nNext steps\n\nMore tests.\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="names no city .* only 1 area"):
        load_profile(readme)
    notes = tmp_path / "notes.txt"  # a short report of three areas: read
    notes.write_text("Intercultural Cities Index analysis: Testville 2024\n\n"
                     + "".join(f"{name}\n\nThe city's achievement rate in {name.lower()} is {rate}%, "
                               f"against {sample}% for the sample.\n\n"
                               for name, rate, sample in (("Education", 40, 50), ("Mediation", 20, 45),
                                                          ("Language", 60, 38))), encoding="utf-8")
    profile = load_profile(notes)
    assert {s.slug: (s.city, s.sample) for s in profile.scores} == {
        "education": (40, 50), "mediation": (20, 45), "language": (60, 38)}
