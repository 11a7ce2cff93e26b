"""The report structure on short texts and other layouts than Hämeenlinna's: one reader of an ICC report
(corpus/structure/report.py), whose records the city profile is read from (assistant/profile_io.py)."""

from __future__ import annotations

import pytest
from conftest import VARIANT_REPORT

from corpus.areas import BY_SLUG, LENS_SLUGS
from corpus.records import Document, Kind, Record
from corpus.structure import report as report_structure


def _variant(text: str) -> list[Record]:
    """The records the report structure makes of a report text, whatever family it would be detected as."""
    return report_structure.build(Document("variant", "variant.txt", "", text, (0,)))[1]


def _cells(records: list[Record]) -> dict[tuple[tuple[str, ...], str], str]:
    return {(r.areas, r.title): r.text for r in records if r.title in ("Strength", "Weakness")}


VARIANT_CELLS = {(("commitment",), "Strength"): "Sampleton has a plan.",
                 (("commitment",), "Weakness"): "There is no budget.",
                 (("media",), "Strength"): "Occasional actions.",
                 (("media",), "Weakness"): "No monitoring of the media."}


@pytest.mark.parametrize("layout", [
    "as written",  # "COMMITMENT" alone on the line above its ✓, "MEDIA AND COMMUNICATION ✓ ..." on one line
    "area above in lower case",
    "area on the line of its mark in lower case",
    "area alone as a paragraph",
])
def test_report_conclusions_take_the_area_named_on_their_line_or_alone_above(layout: str) -> None:
    text = {
        "as written": VARIANT_REPORT,
        "area above in lower case": VARIANT_REPORT.replace("MEDIA AND COMMUNICATION ✓", "Media and communication\n✓"),
        "area on the line of its mark in lower case": VARIANT_REPORT.replace("MEDIA AND COMMUNICATION ✓",
                                                                             "Media and communication ✓"),
        "area alone as a paragraph": VARIANT_REPORT.replace("CONCLUSIONS\n\nCOMMITMENT\n",
                                                            "CONCLUSIONS\n\nCOMMITMENT\n\n"),
    }[layout]
    records = _variant(text)
    assert _cells(records) == VARIANT_CELLS
    # the area name above the table is no finding of its own, nor a section of its own
    assert not [r for r in records if r.text.strip().upper() == "COMMITMENT"]
    assert [r.headings[0] for r in records if r.areas == ("commitment",) and r.kind is Kind.FINDING
            and not r.title] == ["1. Commitment"]


def test_report_recommendations_with_a_dash_or_run_together_are_one_an_area() -> None:
    text = VARIANT_REPORT.replace("statement.\n\nMedia and communication: The",
                                  "statement.\nMedia and communication – The")
    recs = {r.areas: r.text for r in _variant(text) if r.kind is Kind.RECOMMENDATION and r.areas}
    assert recs == {("commitment",): "Commitment: Sampleton could adopt a public statement.",
                    ("media",): "Media and communication – The city may monitor the media."}
    assert report_structure.area_lead(recs[("media",)]) == (BY_SLUG["media"], len("Media and communication – "))
    assert report_structure.area_lead("When it comes to the areas below: the city") == (None, 0)


def test_report_headings_numbered_in_lower_case_or_without_blank_lines() -> None:
    def findings(records: list[Record]) -> dict[tuple[str, ...], str]:
        return {r.areas: r.text for r in records if r.kind is Kind.FINDING and not r.title and r.areas}

    as_written = findings(_variant(VARIANT_REPORT))
    assert set(as_written) == {("commitment",), ("public_space",), ("mediation",), ("international",),
                               ("anti_discrimination",), ("media",), ("language",), tuple(LENS_SLUGS)}
    roman = _variant(VARIANT_REPORT.replace("\nPUBLIC SPACE\n", "\nIV. PUBLIC SPACE\n"))
    assert findings(roman) == as_written
    # copied from a PDF viewer: no blank line anywhere, every line a paragraph
    no_blank = _variant("\n".join(line for line in VARIANT_REPORT.splitlines() if line.strip()))
    assert set(findings(no_blank)) == set(as_written)
    assert _cells(no_blank) == VARIANT_CELLS
    # area names in lower case are headings when no capitals name an area
    lower = _variant("Index analysis for Lakeside\n\nEducation\n\nLakeside achieved a rate of 70%, which is higher "
                     "than the sample's 60%.\n\nMore text about schools.\n")
    assert [(r.kind, r.areas, r.about_city) for r in lower] == [
        (Kind.FINDING, ("education",), "Lakeside"), (Kind.FINDING, ("education",), "Lakeside")]


@pytest.mark.parametrize(("text", "expected"), [
    (VARIANT_REPORT, ("Sampleton", "Norway", 2021)),  # the cover's year, not the data's
    ("Intercultural Cities Index analysis of the city of Lake Side. © Council of Europe, May 2022",
     ("Lake Side", "", 2022)),
    ("Rivertown has an aggregate Intercultural Cities Index result of 47.", ("Rivertown", "", None)),
    ("RIVERTOWN: AN OVERVIEW\n\nText.", ("Rivertown", "", None)),
    ("Lakeside achieved a rate of 13%. Lakeside's achievement rate in media is 20%. Hilltop achieved 3%.",
     ("Lakeside", "", None)),
    ("No city named here.", ("", "", None)),
])
def test_report_city_and_year(text: str, expected: tuple[str, str, int | None]) -> None:
    assert report_structure.assessed_city(text) == expected
