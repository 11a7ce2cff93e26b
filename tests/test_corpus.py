"""Files → records, on the real corpus (PDF and text of each document) and on small generated files."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import (
    BOOKLET,
    BROCHURE,
    CORPUS,
    CUT_AFTER,
    CUT_BEFORE,
    REPORT,
    TOOLKIT,
    DocLoader,
    LoadedDoc,
    SmallFiles,
    norm,
    source_path,
)

from corpus.areas import BY_SLUG, SLUGS
from corpus.errors import CorpusError, DocumentError
from corpus.load import Corpus, discover, load_corpus, load_document
from corpus.read import READERS, read_pages, sniff_suffix
from corpus.records import Kind, Record, is_fallback_title
from corpus.structure.base import display_text

FORMATS = ("pdf", "txt")


def containing(records: list[Record], snippet: str) -> list[Record]:
    want = norm(snippet)
    return [r for r in records if want in norm(r.text)]


def of_kind(records: list[Record], kind: Kind) -> list[Record]:
    return [r for r in records if r.kind is kind]


# --- the ICC report ------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=FORMATS)
def report(request: pytest.FixtureRequest, load_doc: DocLoader) -> LoadedDoc:
    return load_doc(REPORT, request.param)


def test_report_gives_about_34_practices(report: LoadedDoc) -> None:
    _, records = report
    practices = of_kind(records, Kind.PRACTICE)
    assert 30 <= len(practices) <= 40
    # every practice is another city's, with its country
    assert all(p.city and p.country for p in practices)
    assert not [p for p in practices if p.city == "Hämeenlinna"]


@pytest.mark.parametrize(
    ("snippet", "city", "country"),
    [
        ("In Bilbao (Spain)", "Bilbao", "Spain"),
        ("The city of Bradford (UK)", "Bradford", "United Kingdom"),
        ("Neumarkt (Germany)", "Neumarkt", "Germany"),
        ("the example of Camden (UK)", "Camden", "United Kingdom"),
    ],
)
def test_report_practice_city_and_country(report: LoadedDoc, snippet: str, city: str, country: str) -> None:
    _, records = report
    found = containing(records, snippet)
    assert len(found) == 1, [r.kind for r in found]
    assert found[0].kind is Kind.PRACTICE
    assert (found[0].city, found[0].country) == (city, country)


# Practices that the original report's page breaks cut in two: in the text file the cut shows as a
# blank line in mid-sentence, and the PDF re-rendering of the text breaks Neuchâtel and Geneva over two
# of its pages (Novellara and Modena fit on one page of the PDF).
CUT_PRACTICES = [
    ("Novellara", "enhance social inclusion of", "women - both foreign and Italian", False),
    ("Neuchâtel", "Based on this training, the participants", "decide on the pedagogical path", True),
    ("Geneva", "racial discrimination and discrimination", "based on ethnic origin, nationality", True),
    ("Modena", "experiencing discriminatory acts based on", "language, ethnic or social origin", False),
]


@pytest.mark.parametrize(("city", "before", "after", "pdf_pages"), CUT_PRACTICES)
def test_report_practice_continues_past_a_page_break(
    report: LoadedDoc, city: str, before: str, after: str, pdf_pages: bool
) -> None:
    doc, records = report
    mine = [r for r in of_kind(records, Kind.PRACTICE) if r.city == city]
    assert len(mine) == 1, f"{city}: {len(mine)} practice records"
    practice = mine[0]
    assert norm(f"{before} {after}") in norm(practice.text)  # one sentence again, nothing in between
    if doc.path.endswith(".pdf"):
        assert (practice.page_end > practice.page) is pdf_pages
        # the pages are those the PDF prints the record's first and last words on
        raw = [norm(p.text) for p in read_pages(Path(doc.path))]
        words = practice.text.split()
        assert " ".join(words[:8]) in raw[practice.page - 1]
        assert " ".join(words[-8:]) in raw[practice.page_end - 1]


@pytest.mark.parametrize(
    "snippet",
    [
        "Hämeenlinna achieved a rate of 13%",
        "the city does not monitor the way in which traditional local and/or national media portray",
        "The city does not monitor or research the character or the extent of discrimination",
        "The city does not organise a public ceremony to greet all people arriving",
        "Hämeenlinna works with an intercultural mediation service run by a civil society organization",
        "The city of Hämeenlinna has a designated unit to welcome newcomers",
    ],
)
def test_report_findings_about_the_city_are_findings(report: LoadedDoc, snippet: str) -> None:
    _, records = report
    found = containing(records, snippet)
    assert found, snippet
    assert {r.kind for r in found} == {Kind.FINDING}
    assert all(r.about_city == "Hämeenlinna" for r in found)


def test_report_conclusion_lines_are_findings_tagged_with_their_area(report: LoadedDoc) -> None:
    _, records = report
    lines = [r for r in records if r.headings[:1] == ("Overall Conclusions",) and r.title]
    assert all(r.kind is Kind.FINDING for r in lines)
    marks = Counter((r.areas, r.title) for r in lines)
    expected = {((slug,), mark): 1 for slug in SLUGS for mark in ("Strength", "Weakness")}
    assert marks == expected
    for r in lines:
        assert r.headings[1] == BY_SLUG[r.areas[0]].name
    media_weak = next(r for r in lines if r.areas == ("media",) and r.title == "Weakness")
    assert "monitor" in media_weak.text
    assert "communication department" in media_weak.text
    welcome_weak = next(r for r in lines if r.areas == ("welcoming",) and r.title == "Weakness")
    assert "public ceremony" in welcome_weak.text


def test_report_practice_stops_where_advice_to_the_city_begins(report: LoadedDoc) -> None:
    """Montreal's survey is followed, in the same paragraph, by advice to Hämeenlinna about staff
    training: that advice is a recommendation, not part of what Montreal does."""
    _, records = report
    montreal = next(r for r in containing(records, "major survey") if r.kind is Kind.PRACTICE)
    assert montreal.city == "Montreal"
    assert montreal.text.rstrip().endswith("co-creation with the relevant players.")
    advice = containing(records, "the city may wish to consider other capacity building forms")
    assert len(advice) == 1 and advice[0].kind is Kind.RECOMMENDATION
    assert advice[0].about_city == "Hämeenlinna" and advice[0].areas == montreal.areas == ("competence",)
    assert advice[0].start >= montreal.end


def test_report_practice_of_a_city_named_without_its_country(report: LoadedDoc) -> None:
    """'Likewise, the Inclusive Auckland Framework developed in the Australian city of Auckland ...' is
    Auckland's practice, not more of Reykjavík's; the gazetteer gives the country."""
    _, records = report
    reykjavik = next(r for r in records if r.city == "Reykjavík")
    assert "Auckland" not in reykjavik.text
    auckland = [r for r in records if r.city == "Auckland"]
    assert len(auckland) == 1 and auckland[0].kind is Kind.PRACTICE
    assert auckland[0].country == "New Zealand" and auckland[0].text.startswith("Likewise, the Inclusive")
    assert auckland[0].title == "Inclusive Auckland Framework"


def test_report_conclusion_lines_hold_only_their_own_line(report: LoadedDoc) -> None:
    _, records = report
    weak = next(r for r in records if r.headings[:1] == ("Overall Conclusions",)
                and r.areas == ("interaction",) and r.title == "Weakness")
    assert "congratulate" not in weak.text


def test_report_recommendations_per_area(report: LoadedDoc) -> None:
    _, records = report
    per_area = [r for r in of_kind(records, Kind.RECOMMENDATION)
                if r.headings[:1] == ("Recommendations",) and r.areas]
    assert sorted(r.areas for r in per_area) == sorted((slug,) for slug in SLUGS)
    for r in per_area:
        assert r.text.startswith(BY_SLUG[r.areas[0]].name + ":"), r.text[:60]
    media = containing(records, "Media and communication: The city may explore providing support")
    assert len(media) == 1
    assert media[0].kind is Kind.RECOMMENDATION and media[0].areas == ("media",)


def test_report_back_cover_is_not_a_recommendation(report: LoadedDoc) -> None:
    _, records = report
    blurb = containing(records, "The Council of Europe is the continent's leading human rights organisation")
    assert blurb
    assert all(r.kind is not Kind.RECOMMENDATION for r in blurb)
    # nor the programme's description before it, though the report's credits name the city ("This report was
    # written within the framework of … Hämeenlinna"): the city is named there, not told to act
    for text in ("The Council of Europe and its partner cities have developed and validated",
                 "Diversity has become a key feature of societies today",
                 "This report was written within the framework of the Joint Project"):
        found = containing(records, text)
        assert found and all(r.kind is Kind.PASSAGE for r in found), text
    # the last recommendation that addresses the city is one
    assert all(r.kind is Kind.RECOMMENDATION for r in containing(records, "may wish to consider further examples"))


def test_report_area_sections_split_findings_practices_and_advice(report: LoadedDoc) -> None:
    _, records = report
    media = [r for r in records if r.headings[:1] == ("Media and Communication",)]
    kinds = Counter(r.kind for r in media)
    assert kinds[Kind.FINDING] >= 2 and kinds[Kind.PRACTICE] == 2 and kinds[Kind.RECOMMENDATION] >= 1
    assert {r.city for r in media if r.kind is Kind.PRACTICE} == {"Erlangen", "Paris"}
    assert all(r.areas == ("media",) for r in media)


# --- running headers and footers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "doc_id",
    [
        REPORT,
        TOOLKIT,
        BOOKLET,
        BROCHURE,
    ],
)
def test_pdf_running_footer_never_in_a_record(load_doc: DocLoader, doc_id: str) -> None:
    doc, records = load_doc(doc_id, "pdf")
    raw = read_pages(source_path(doc_id, "pdf"))
    assert doc_id in raw[1].text  # the footer is printed: the check below means something
    assert doc_id not in doc.text
    assert not [r.id for r in records if doc_id in r.text]
    # nor do bare page numbers survive as paragraphs
    assert not re.search(r"(?m)^\s*\d{1,3}\s*$", doc.text)


# --- the toolkit ---------------------------------------------------------------------------------


def _toolkit_source() -> str:
    return (CORPUS / f"{TOOLKIT}.txt").read_text(encoding="utf-8")


def _toolkit_questions() -> list[str]:
    """The "- " lines between GUIDE QUESTIONS and EXAMPLES of the text file."""
    out, inside = [], False
    for line in _toolkit_source().splitlines():
        if line.strip() == "GUIDE QUESTIONS":
            inside = True
        elif line.strip() == "EXAMPLES":
            inside = False
        elif inside and line.startswith("- "):
            out.append(norm(line[2:]))
    return out


_MARKER = re.compile(r"(?:●●●|-\s*(?:•\s*){0,2})\s*\**([A-ZÀ-Þ][A-ZÀ-Þ ]*[A-ZÀ-Þ])\**\s*-*")


def _toolkit_example_cities() -> list[str]:
    return [m.group(1).title() for line in _toolkit_source().splitlines() if (m := _MARKER.fullmatch(line.strip()))]


@pytest.fixture(scope="module", params=FORMATS)
def toolkit(request: pytest.FixtureRequest, load_doc: DocLoader) -> LoadedDoc:
    return load_doc(TOOLKIT, request.param)


def test_toolkit_guide_questions(toolkit: LoadedDoc) -> None:
    _, records = toolkit
    questions = of_kind(records, Kind.GUIDE_QUESTION)
    expected = _toolkit_questions()
    assert len(expected) == 72
    assert [norm(q.text) for q in questions] == expected  # one record per question, in order
    headings = {norm(line).lower() for line in _toolkit_source().splitlines()
                if line.strip() and line.strip().isupper()}
    for q in questions:
        assert "\n" not in q.text and q.text[0].isupper()
        assert re.match(r"[^?]+\?", q.text), q.text  # a question first (a note may follow it)
        assert q.benchmark and q.benchmark.lower() in headings, q.benchmark
        assert q.headings == (q.benchmark, "Guide questions")
        assert q.areas
    assert sum(q.text.endswith("?") for q in questions) >= 70


def test_toolkit_examples_are_practices_with_cities(toolkit: LoadedDoc) -> None:
    _, records = toolkit
    practices = of_kind(records, Kind.PRACTICE)
    assert len(practices) == 27
    # the city under each "Examples" heading, except where the text says the practice is another city's
    # ("The municipal police forces in Fuenlabrada, near Madrid, ..." under Madrid)
    expected = ["Fuenlabrada" if c == "Madrid" else c for c in _toolkit_example_cities()]
    assert [p.city for p in practices] == expected
    assert {"Genoa", "Tampere", "Oslo", "Zurich", "Lublin", "Riga"} <= {p.city for p in practices}
    assert all(p.country and p.benchmark and "Examples" in p.headings for p in practices)
    oslo = next(p for p in practices if p.city == "Oslo")
    assert oslo.country == "Norway"
    assert oslo.benchmark == "Engagement of Non-governmental Stakeholders including Media"
    assert "Although there are standards set for media in Norway" in oslo.text


# --- the booklet ---------------------------------------------------------------------------------

_TOC = re.compile(r"^\s*\d{1,2}\.\s+(.+?)(?:\s*\([^)]*\))?\.{3,}\s*\d+\s*$")


def _booklet_entries() -> list[str]:
    """Entry names of the booklet's table of contents, read from the text file here, independently."""
    head = (CORPUS / f"{BOOKLET}.txt").read_text(encoding="utf-8")[:5000]
    return [m.group(1).strip() for line in head.splitlines() if (m := _TOC.match(line))]


@pytest.fixture(scope="module", params=FORMATS)
def booklet(request: pytest.FixtureRequest, load_doc: DocLoader) -> LoadedDoc:
    return load_doc(BOOKLET, request.param)


def test_booklet_has_practices_for_every_contents_entry(booklet: LoadedDoc) -> None:
    _, records = booklet
    entries = _booklet_entries()
    assert len(entries) == 25
    practices = of_kind(records, Kind.PRACTICE)
    # Eurocities' entry is the network's calls on the EU: searchable passages, not practices
    statements = [r for r in records if r.kind == Kind.PASSAGE and r.city == "Eurocities"]
    assert len(statements) >= 2 and any("call on the EU" in r.text for r in statements)
    assert {p.city for p in practices} == set(entries) - {"Eurocities"}
    # in the order of the contents
    assert list(dict.fromkeys(p.city for p in practices)) == [e for e in entries if e != "Eurocities"]
    cities, orgs = entries[:17], entries[17:]
    assert all(p.headings[0] == "Cities and municipalities" for p in practices if p.city in cities)
    assert all(p.headings[0] == "Organisations" for p in practices if p.city in orgs)


@pytest.mark.parametrize(
    ("snippet", "owner", "country"),
    [
        ("COMMIT to Rights: Office for Non-Discrimination", "Girona", "Spain"),  # its heading is lost
        ("For Essen, the project is a great success", "Essen", "Germany"),
        ("intergenerational coaching", "DUO for a JOB", ""),
        ("Established in 1951, IOM is the leading intergovernmental organization", "IOM", ""),
        ("Mirroring Malmö", "Malmö", "Sweden"),
        ("sentuerk@zfti.de", "Centre for Studies on Turkey and Integration Research/Stiftung Zentrum für "
                             "Türkeistudien und Integrationsforschung", "Germany"),
    ],
)
def test_booklet_passages_belong_to_their_entry(booklet: LoadedDoc, snippet: str, owner: str, country: str) -> None:
    _, records = booklet
    found = containing(records, snippet)
    assert len(found) == 1
    assert found[0].kind is Kind.PRACTICE
    assert (found[0].city, found[0].country) == (owner, country)


def test_booklet_fuenlabrada_does_not_take_girona_text(booklet: LoadedDoc) -> None:
    _, records = booklet
    fuenlabrada = [r for r in records if r.city == "Fuenlabrada"]
    assert fuenlabrada
    assert not [r for r in fuenlabrada if "COMMIT to Rights" in r.text or "Girona" in r.text]


# --- every document: ids, offsets, pages ---------------------------------------------------------

ALL_DOCS = [(d, f) for d in (REPORT, TOOLKIT, BOOKLET, BROCHURE) for f in FORMATS]


@pytest.mark.parametrize(("doc_id", "fmt"), [(REPORT, "pdf"), (BOOKLET, "txt")])
def test_record_ids_are_stable(doc_id: str, fmt: str) -> None:
    first = load_document(doc_id, [source_path(doc_id, fmt)])[1]
    second = load_document(doc_id, [source_path(doc_id, fmt)])[1]
    assert [r.id for r in first] == [r.id for r in second]
    assert len({r.id for r in first}) == len(first)
    assert all(r.id.startswith(doc_id + ":") for r in first)


def test_record_ids_are_unique_in_the_corpus(real_corpus: Corpus) -> None:
    ids = [r.id for r in real_corpus.records]
    assert len(ids) == len(set(ids)) > 400


@pytest.mark.parametrize(("doc_id", "fmt"), ALL_DOCS)
def test_record_offsets_point_at_the_record_text(load_doc: DocLoader, doc_id: str, fmt: str) -> None:
    doc, records = load_doc(doc_id, fmt)
    assert records
    for r in records:
        shown = norm(display_text(doc.text[r.start:r.end]))
        words = r.text.split()
        assert shown.startswith(" ".join(words[:5])), (r.id, shown[:60], r.text[:60])
        assert shown.endswith(" ".join(words[-5:])), (r.id, shown[-60:], r.text[-60:])
        assert r.page == doc.page_of(r.start) and r.page_end == doc.page_of(r.end - 1)
        assert 1 <= r.page <= r.page_end <= doc.page_count


@pytest.mark.parametrize("doc_id", [REPORT, TOOLKIT, BOOKLET, BROCHURE])
def test_pdf_record_pages_are_the_printed_pages(load_doc: DocLoader, doc_id: str) -> None:
    doc, records = load_doc(doc_id, "pdf")
    raw = [norm(display_text(p.text)) for p in read_pages(source_path(doc_id, "pdf"))]
    assert doc.page_count == len(raw) > 1
    for r in records:
        lines = [line for line in r.text.splitlines() if line.strip()]
        head, tail = " ".join(lines[0].split()[:6]), " ".join(lines[-1].split()[-6:])
        assert head in raw[r.page - 1], (r.id, r.page, head)
        assert tail in raw[r.page_end - 1], (r.id, r.page_end, tail)


def test_txt_records_show_no_markdown(load_doc: DocLoader) -> None:
    leaks = []
    for doc_id in (REPORT, TOOLKIT, BOOKLET, BROCHURE):
        for r in load_doc(doc_id, "txt")[1]:
            leaks += [(r.id, f) for f in ("title", "city", "text") if "**" in getattr(r, f) or "](#" in getattr(r, f)]
    assert not leaks


def test_whole_corpus_prefers_pdf_and_finds_every_family(real_corpus: Corpus) -> None:
    docs = {d.doc_id: d for d in real_corpus.documents}
    assert set(docs) == {REPORT, TOOLKIT, BOOKLET, BROCHURE}
    assert not real_corpus.skipped
    assert all(d.path.endswith(".pdf") and len(d.sources) == 2 for d in docs.values())
    assert {d.doc_id: d.family.value for d in docs.values()} == {
        REPORT: "icc_report", TOOLKIT: "toolkit", BOOKLET: "booklet", BROCHURE: "generic"}
    assert docs[REPORT].title == "Intercultural Cities Index analysis: Hämeenlinna 2024"


# --- small generated files -----------------------------------------------------------------------


def test_two_page_pdf_joins_the_cut_paragraph_and_numbers_pages(small_files: SmallFiles) -> None:
    doc, records, errors = load_document("two-page", [small_files.two_page()])
    assert not errors and doc.page_count == 2
    cut = [r for r in records if CUT_BEFORE in r.text]
    assert len(cut) == 1
    paragraph = next(p for p in cut[0].text.split("\n\n") if CUT_BEFORE in p)
    assert CUT_AFTER in paragraph  # one paragraph again
    assert (cut[0].page, cut[0].page_end) == (1, 2)
    assert doc.page_of(doc.text.index("The city of Testville runs")) == 1
    assert doc.page_of(doc.text.index(CUT_AFTER)) == 2
    evaluation = next(r for r in records if r.text.startswith("The evaluation of the programme"))
    assert (evaluation.page, evaluation.page_end) == (2, 2)


def test_two_page_pdf_drops_the_running_footer(small_files: SmallFiles) -> None:
    doc, records, _ = load_document("two-page", [small_files.two_page()])
    assert "doc-name" not in doc.text
    assert norm(f"{CUT_BEFORE} {CUT_AFTER}") in norm(doc.text)


def test_three_page_pdf_drops_the_running_footer(small_files: SmallFiles) -> None:
    path = small_files.three_page()
    assert "doc-name" in read_pages(path)[0].text  # printed on the page
    doc, records, _ = load_document("three-page", [path])
    assert doc.page_count == 3
    assert "doc-name" not in doc.text
    assert not re.search(r"(?m)^\s*\d\s*$", doc.text)  # nor the page numbers
    assert norm(f"{CUT_BEFORE} {CUT_AFTER}") in norm(doc.text)
    assert [r.page for r in records if r.text.startswith("A third page")] == [3]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        ("broken", "not a readable PDF"),
        ("encrypted", "encrypted"),
        ("textless", "text layer"),
        ("empty_txt", "empty"),
    ],
)
def test_unreadable_files_raise_document_error_with_reason(small_files: SmallFiles, make: str, words: str) -> None:
    path = getattr(small_files, make)()
    with pytest.raises(DocumentError) as info:
        load_document(path.stem, [path])
    assert words in info.value.reason
    assert info.value.path == str(path)
    assert str(path) in str(info.value)


def test_unsupported_suffix_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError, match="unsupported file type"):
        read_pages(path)
    assert set(READERS) == {".pdf", ".txt", ".md"}


def test_text_pages_split_on_form_feeds(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("FIRST PART\n\nPage one has a paragraph long enough to be worth retrieving on its own.\f"
                    "SECOND PART\n\nPage two has another paragraph long enough to be worth retrieving.\n")
    doc, records, _ = load_document("notes", [path])
    assert doc.page_count == 2
    assert [(r.page, r.headings) for r in records] == [(1, ("FIRST PART",)), (2, ("SECOND PART",))]


def test_sniff_suffix_judges_by_content(small_files: SmallFiles) -> None:
    assert sniff_suffix(small_files.two_page().read_bytes(), "upload.txt") == ".pdf"
    assert sniff_suffix("Hämeenlinna".encode(), "report.md") == ".md"
    assert sniff_suffix(b"plain words", "whatever.pdf") == ".txt"
    with pytest.raises(DocumentError):
        sniff_suffix(b"\x00\x01\x02binary", "image.png")


def test_corpus_folder_skips_the_broken_file(small_files: SmallFiles, tmp_path: Path) -> None:
    shutil.copy(small_files.three_page(), tmp_path / "good.pdf")
    shutil.copy(small_files.broken(), tmp_path / "bad.pdf")
    corpus = load_corpus(tmp_path)
    assert [d.doc_id for d in corpus.documents] == ["good"]
    assert [Path(e.path).name for e in corpus.skipped] == ["bad.pdf"]
    assert corpus.records and {r.doc_id for r in corpus.records} == {"good"}


def test_text_twin_is_read_when_the_pdf_is_broken(small_files: SmallFiles, tmp_path: Path) -> None:
    (tmp_path / "pdf").mkdir()
    shutil.copy(small_files.broken(), tmp_path / "pdf" / "guide.pdf")
    (tmp_path / "guide.txt").write_text("A GUIDE\n\nThe guide explains how the welcome desk works, who runs it "
                                        "and when it is open to newcomers.\n")
    assert list(discover(tmp_path)) == ["guide"]
    corpus = load_corpus(tmp_path)
    assert [d.path for d in corpus.documents] == [str(tmp_path / "guide.txt")]
    assert [Path(e.path).name for e in corpus.skipped] == ["guide.pdf"]


def test_missing_or_empty_corpus_folder_is_a_corpus_error(small_files: SmallFiles, tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")
    with pytest.raises(CorpusError, match="no PDF"):
        load_corpus(tmp_path)
    (tmp_path / "README.md").write_text("# About this folder\n\nNot a document.\n")
    with pytest.raises(CorpusError):
        load_corpus(tmp_path)  # a README is not a document
    shutil.copy(small_files.encrypted(), tmp_path / "locked.pdf")
    with pytest.raises(CorpusError, match="encrypted"):
        load_corpus(tmp_path)  # nothing readable: the reason is told



# --- titles users see ------------------------------------------------------------------------------


def test_toolkit_example_titles_are_names_not_first_words(toolkit: LoadedDoc) -> None:
    _, records = toolkit
    titles = {(r.city, r.text[:30]): r.title for r in of_kind(records, Kind.PRACTICE)}
    by_start = {start: title for (_, start), title in titles.items()}

    def title_of(start: str) -> str:
        return next(t for s, t in by_start.items() if s.startswith(start))

    assert title_of("Although there are standards") == "Example from Oslo"  # not "Although"
    assert title_of("Community centres across") == "Example from Zurich"  # not "Community"
    assert title_of("Supporting Group: Due to") == "Supporting Group"
    assert title_of("The Centro Studi") == "Centro Studi 'Medi'"
    assert title_of("Tampere City Library") == "Tampere City Library"
    for title in titles.values():  # a name of two or more words, a title line, or the fallback
        assert len(title.split()) > 1, title
    assert not [r.id for r in records if "-----" in r.text]  # the toolkit's rules after an entry are dropped


def test_report_practice_titles_are_names_not_quoted_words(report: LoadedDoc) -> None:
    _, records = report
    titles = {r.city: r.title for r in of_kind(records, Kind.PRACTICE) if r.city in
              ("Novellara", "Barcelona", "Bilbao", "Rotterdam", "Sabadell", "Braga", "Reykjavík", "Geneva", "Tampere")}
    assert titles["Novellara"] == "La Rosa dei Venti"  # small words inside a name kept
    assert titles["Braga"] == "(Re)Writing our neighbourhood"
    assert titles["Reykjavík"] == "Can't I do or say anything anymore?"
    # quoted words of the text are not names: 'territorialisation', 'this Plan reflects Bilbao's pride ...'
    assert titles["Barcelona"] != "territorialisation" and not titles["Bilbao"].startswith("this Plan")
    assert titles["Rotterdam"] != "language behaviour"
    assert all(t[:1].isupper() or t[:1] == "(" for t in titles.values()), titles
    # the name of the practice the suggestion opens with, not one it mentions later: Barcelona's is its
    # Neighbourhood Plan, not the "Trobada BCN Ciutat Diversa" event; Sabadell's Gender Plan is no "Espai Dones"
    assert titles["Barcelona"] == "Neighbourhood Plan"
    assert is_fallback_title(titles["Sabadell"], "Sabadell")
    # a later name the text gives as the practice's own ('adopted … under the title "…"') is one
    assert titles["Geneva"] == "Cultural Diversity and Anti-Racism Policy"
    # a name that opens with the city's own ("a systematic network of Tampere Ambassadors"), not the city's
    # administration ("Ansan City offers …")
    assert titles["Tampere"] == "Tampere Ambassadors"
    from corpus.structure.report import _practice_title
    assert is_fallback_title(_practice_title("Ansan City offers Korean language education for non-nationals.",
                                             "Ansan"), "Ansan")


def test_imprints_are_not_records(real_corpus: Corpus) -> None:
    """'© Council of Europe, July 2024. All rights reserved.', the reproduction terms and the toolkit's
    copyright page are in the documents (the reader shows them) but are nothing to retrieve."""
    texts = {d.doc_id: d.text for d in real_corpus.documents}
    assert "All rights reserved" in texts[REPORT] and "Copyright © 2014 EUROCITIES" in texts[TOOLKIT]
    leaked = [r.id for r in real_corpus.records if r.text.startswith(("© Council of Europe", "Copyright ©"))
              or "reproduction of extracts" in r.text]
    assert not leaked


def test_report_recommendations_survive_another_lead_in(tmp_path: Path) -> None:
    """The back matter starts after the last paragraph that addresses the city, wherever that is: a
    report whose recommendations open with other words still has all 17, and its back cover is not one."""
    text = source_path(REPORT, "txt").read_text(encoding="utf-8")
    lead_in = "When it comes to the intercultural efforts, with reference to the survey, Hämeenlinna could " \
              "enhance the sectors below by introducing different initiatives:"
    assert lead_in in text
    other = tmp_path / f"{REPORT}.txt"
    other.write_text(text.replace(lead_in, "Based on the results of the analysis, the following are proposed:"),
                     encoding="utf-8")
    _, records, _ = load_document(REPORT, [other])
    per_area = [r for r in records if r.kind is Kind.RECOMMENDATION and r.headings[:1] == ("Recommendations",)
                and r.areas]
    assert sorted(r.areas[0] for r in per_area) == sorted(SLUGS)
    blurb = containing(records, "The Council of Europe is the continent's leading human rights organisation")
    assert blurb and all(r.kind is Kind.PASSAGE for r in blurb)


def test_a_passage_with_an_image_credit_and_more_is_kept(load_doc: DocLoader) -> None:
    """The brochure's credits line runs into the programme's description: the passage stays."""
    _, records = load_doc(BROCHURE, "txt")
    kept = containing(records, "© Front page image")
    assert len(kept) == 1 and "Intercultural Cities Programme supports" in kept[0].text.replace("\n", " ")
