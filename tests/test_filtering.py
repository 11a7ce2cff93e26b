"""Filters: one builder from user input, and the per-record and column paths agreeing on the real corpus."""

from __future__ import annotations

import random

import pytest

from assistant.settings import Settings
from corpus.areas import AREAS, SLUGS
from corpus.places import fold
from corpus.records import Kind, Record
from index.filtering import Filters, RecordColumns
from index.store import load_index


@pytest.fixture(scope="module")
def records(hash_home: Settings) -> list[Record]:
    """The records of the real corpus as the index holds them (tagged with their areas)."""
    return load_index(hash_home.index_dir, "hash").records


def _cases(records: list[Record]) -> list[Filters]:
    """Every kind of filter on every value the corpus has, parts and other spellings of names, values no
    record has, and combinations."""
    cities = sorted({r.city for r in records if r.city})
    countries = sorted({r.country for r in records if r.country})
    docs = sorted({r.doc_id for r in records})
    about = sorted({r.about_city for r in records if r.about_city})
    cases = [Filters()]
    cases += [Filters(areas=(a,)) for a in SLUGS] + [Filters(areas=("media", "welcoming")), Filters(areas=("none",))]
    cases += [Filters(kinds=(k,)) for k in Kind] + [Filters(kinds=(Kind.PRACTICE, Kind.GUIDE_QUESTION))]
    cases += [Filters(city=c) for c in cities]
    cases += [Filters(city=c.upper()) for c in cities[:10]] + [Filters(city=fold(c)) for c in cities]
    cases += [Filters(city=c[: max(3, len(c) // 2)]) for c in cities[::5]]  # part of a name
    cases += [Filters(country=c) for c in countries] + [Filters(country=fold(c).upper()) for c in countries]
    cases += [Filters(country=c[:3]) for c in countries[:5]]  # a country is matched whole
    cases += [Filters(doc_id=d) for d in docs] + [Filters(doc_id=d.upper()) for d in docs[:3]]
    cases += [Filters(exclude_city=c) for c in about + cities[:10]] + [Filters(exclude_city=fold(c)) for c in about]
    cases += [Filters(city="Atlantis"), Filters(country="Atlantis"), Filters(doc_id="atlantis")]
    rng = random.Random(10)
    for _ in range(200):
        cases.append(Filters(
            areas=tuple(rng.sample(SLUGS, rng.choice((0, 0, 1, 2)))),
            kinds=tuple(rng.sample(list(Kind), rng.choice((0, 1, 1, 2)))),
            city=rng.choice(["", "", *cities]), country=rng.choice(["", "", "", *countries]),
            doc_id=rng.choice(["", "", "", *docs]), exclude_city=rng.choice(["", "", *about])))
    return cases


def test_the_record_and_column_paths_agree_on_every_filter(records: list[Record]) -> None:
    columns = RecordColumns(records)
    cases = _cases(records)
    assert len(cases) > 400
    nonempty = 0
    for f in cases:
        expected = [f.accepts(r) for r in records]
        assert columns.allowed(f).tolist() == expected, f
        nonempty += any(expected)
    assert nonempty > len(cases) // 2  # most cases select something: the comparison is not of empty masks


def test_filters_from_user_input() -> None:
    assert Filters.from_input() == Filters()
    assert Filters.from_input("", "", "", "", "") == Filters()
    assert Filters.from_input(area="media").areas == ("media",)
    media = next(a for a in AREAS if a.slug == "media")
    assert Filters.from_input(area=media.name).areas == ("media",)  # by name
    assert Filters.from_input(area=media.name.upper()).areas == ("media",)
    assert Filters.from_input(kind="Guide-Question").kinds == (Kind.GUIDE_QUESTION,)
    assert Filters.from_input(city="Genoa", country="Italy", doc="a-doc") == Filters(
        city="Genoa", country="Italy", doc_id="a-doc")
    with pytest.raises(ValueError, match="unknown area 'medai'.*Valid areas: .*media"):
        Filters.from_input(area="medai")
    with pytest.raises(ValueError, match="unknown kind 'story'; valid kinds: practice"):
        Filters.from_input(kind="story")
    with pytest.raises(ValueError, match="unknown area"):  # the area is checked first
        Filters.from_input(area="nowhere", kind="story")


def test_folding_takes_every_latin_letter_to_ascii() -> None:
    # the letters Unicode does not decompose (ł, ø, ß, æ) are spelt out, not dropped: a filter typed "Lodz"
    # finds a city written "Łódź"
    assert fold("Łódź") == "lodz"
    assert fold("  København\tStraßburg  ") == "kobenhavn strassburg"
    assert fold("Æblehaven Œuvre") == "aeblehaven oeuvre"
    lodz = Record(id="r", kind=Kind.PRACTICE, doc_id="d", doc_title="D", page=1, page_end=1, start=0, end=1,
                  headings=(), text="x", city="Łódź", country="Poland")
    assert Filters(city="Lodz").accepts(lodz) and RecordColumns([lodz]).allowed(Filters(city="lodz")).tolist() == [True]
