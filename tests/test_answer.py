"""Cited answers (`ask`): practices of named cities, citations that hold, off-topic and follow-up questions.

The end-to-end tests use the real model (the relevance threshold is calibrated for it) and are `slow`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.answer import Answer, ask, check_question
from assistant.conversation import countries_in, read_question
from assistant.runtime import Runtime, open_runtime
from assistant.sentences import best_sentences, split_sentences
from assistant.settings import Settings
from corpus.load import Corpus
from corpus.records import Kind, Record
from index.embed import make_embedder

MEDIA = "How do other cities handle media monitoring?"


# --- without the model ------------------------------------------------------------------------------------

def test_sentences_are_exact_substrings_with_offsets() -> None:
    text = ("The Welcome Office\nIn Tampere (Finland), e.g. the city runs a council with 12 members. "
            "It meets at St. Mary's hall every month to advise the mayor.\n\n- a listed item that is long enough\n"
            "Short line.")
    sents = split_sentences(text)
    assert [s.text for s in sents] == [
        "In Tampere (Finland), e.g. the city runs a council with 12 members.",
        "It meets at St. Mary's hall every month to advise the mayor.",
        "a listed item that is long enough",
    ]
    assert all(text[s.start:s.end] == s.text for s in sents)


def test_best_sentences_picks_the_answering_sentence_and_explains_it() -> None:
    emb = make_embedder("hash")
    text = ("The city has a long history of trade and a beautiful old harbour with many visitors. "
            "It monitors local newspapers every month for negative stereotypes about migrants. "
            "The museum is open on Sundays and offers guided tours to all residents.")
    chosen = best_sentences("monitors newspapers for negative stereotypes", [text], emb)[0]
    texts = [s.text for s in chosen]
    assert "It monitors local newspapers every month for negative stereotypes about migrants." in texts
    # a sentence opening with "It" is not quoted without the sentence before it
    assert texts[0].startswith("The city has a long history")


@pytest.mark.parametrize("question", ["", "   ", "x" * 501])
def test_empty_or_overlong_questions_are_refused(question: str) -> None:
    with pytest.raises(ValueError, match="question|Ask"):
        check_question(question)


def test_countries_are_found_by_name_not_by_two_letter_codes() -> None:
    assert countries_in("and which of them are in Spain?") == ["Spain"]
    assert countries_in("what about the Netherlands or the UK") == ["Netherlands", "United Kingdom"]
    assert countries_in("is it in use? no") == []


def _turn(question: str, citations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"question": question, "query": question, "topic": question, "citations": citations}


def test_follow_ups_are_read_against_the_previous_turn() -> None:
    cites = [{"n": 1, "kind": "practice", "city": "Oslo", "record_id": "a"},
             {"n": 2, "kind": "guide_question", "city": "", "record_id": "g"},
             {"n": 3, "kind": "practice", "city": "Lublin", "record_id": "b"}]
    history = [_turn(MEDIA, cites)]
    spain = read_question("and which of them are in Spain?", history, ["Oslo", "Lublin"])
    assert (spain.query, spain.country, spain.follow_up) == (MEDIA, "Spain", True)
    second = read_question("tell me more about the second one", history, ["Oslo", "Lublin"])
    assert second.detail is not None and second.detail["record_id"] == "b"  # the second *practice*
    by_city = read_question("tell me more about Oslo", history, ["Oslo", "Lublin"])
    assert by_city.detail is not None and by_city.detail["record_id"] == "a"
    fresh = read_question("How do cities train their staff in intercultural competence?", history, ["Oslo"])
    assert fresh.query.startswith("How do cities train") and not fresh.follow_up
    alone = read_question("and which of them are in Spain?", [], ["Oslo"])
    assert alone.country == "Spain" and not alone.follow_up


# --- with the real model --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rt(real_model_home: Settings) -> Runtime:
    return open_runtime(real_model_home)


@pytest.fixture(scope="module")
def corpus_records(real_corpus: Corpus) -> dict[str, Record]:
    """Records as the corpus step makes them, read independently of the index."""
    return {r.id: r for r in real_corpus.records}


def check_citations(answer: Answer, corpus_records: dict[str, Record]) -> None:
    """Every bullet of the answer ends with the cited record's sentences, and each sentence is in that record."""
    by_n = {c.n: c for c in answer.citations}
    for c in answer.citations:
        record = corpus_records[c.record.id]
        assert c.sentences, c
        for s in c.sentences:
            assert s in record.text, (c.record.id, s)
    bullets = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert bullets
    for line in bullets:
        m = re.fullmatch(r"- (.+?) \[(\d+)\]", line)
        assert m, line
        c = by_n[int(m.group(2))]
        body = m.group(1)
        quoted = next((" ".join(c.sentences[i:j]) for i in range(len(c.sentences))
                       for j in range(len(c.sentences), i, -1) if body.endswith(" ".join(c.sentences[i:j]))), "")
        assert quoted, (line, c.sentences)
        framing = body[: len(body) - len(quoted)]
        assert len(framing) < 200, framing  # only the place, the title and the benchmark name frame a quote


@pytest.mark.slow
def test_media_question_gets_practices_of_several_named_cities(rt: Runtime,
                                                              corpus_records: dict[str, Record]) -> None:
    answer = ask(rt.searcher, MEDIA)
    assert answer.found and "media" in answer.areas
    practices = [c for c in answer.citations if c.record.kind == Kind.PRACTICE]
    assert len(practices) >= 3
    assert len({c.record.city for c in practices}) == len(practices)  # one practice per city
    assert all(c.record.city for c in practices)
    assert {"Oslo", "Lublin", "Paris", "Tampere"} & {c.record.city for c in practices}
    # findings about the report's own city are never presented as practices
    assert all(c.record.kind in (Kind.PRACTICE, Kind.GUIDE_QUESTION) for c in answer.citations)
    assert not any(c.record.about_city for c in answer.citations)
    check_citations(answer, corpus_records)
    data = answer.to_json()
    assert set(data) >= {"answer", "citations"} and data["answer"] == answer.text
    assert {"n", "doc_id", "doc_title", "page", "section", "quote"} <= set(data["citations"][0])


@pytest.mark.slow
def test_how_to_approach_questions_add_guide_questions(rt: Runtime, corpus_records: dict[str, Record]) -> None:
    answer = ask(rt.searcher, "How should a city approach hate crimes and rising tensions between groups?")
    kinds = [c.record.kind for c in answer.citations]
    assert Kind.GUIDE_QUESTION in kinds and Kind.PRACTICE in kinds
    assert "**Guide questions**" in answer.text
    check_citations(answer, corpus_records)


@pytest.mark.slow
@pytest.mark.parametrize("question", ["What is the capital of France?", "How do I bake sourdough bread?",
                                      "Who won the football world cup in 2018?"])
def test_off_topic_questions_say_so_and_suggest_areas(rt: Runtime, question: str) -> None:
    answer = ask(rt.searcher, question)
    assert not answer.found and answer.citations == []
    assert "found nothing" in answer.text
    assert len(answer.nearest_areas) == 3 and "nearest ICC policy areas" in answer.text


@pytest.mark.slow
def test_follow_ups_narrow_and_expand(rt: Runtime, corpus_records: dict[str, Record]) -> None:
    first = ask(rt.searcher, "Examples of intercultural strategies and plans adopted by cities")
    history = [first.to_json()]
    spain = ask(rt.searcher, "and which of them are in Spain?", history)
    assert spain.reading.follow_up and spain.reading.country == "Spain"
    assert spain.found and all(c.record.country == "Spain" for c in spain.citations)
    check_citations(spain, corpus_records)
    firsts = [c for c in first.citations if c.record.kind == Kind.PRACTICE]
    more = ask(rt.searcher, "tell me more about the second one", history)
    assert more.citations[0].record.id == firsts[1].record.id
    assert len(more.citations[0].sentences) >= min(3, len(split_sentences(firsts[1].record.text)))
    check_citations(more, corpus_records)


@pytest.mark.slow
def test_a_country_with_nothing_on_the_topic_is_said_plainly(rt: Runtime) -> None:
    first = ask(rt.searcher, MEDIA)
    answer = ask(rt.searcher, "and which of them are in Australia?", [first.to_json()])
    assert not answer.found and answer.citations == []
    assert "None of the practices" in answer.text and "Australia" in answer.text


@pytest.mark.slow
def test_a_question_about_the_reports_own_city_shows_its_findings_as_findings(
        rt: Runtime, corpus_records: dict[str, Record]) -> None:
    answer = ask(rt.searcher, "What does Hämeenlinna do to welcome newcomers?")
    assert answer.text.startswith("What the ICC report says about Hämeenlinna itself (findings, not practices)")
    findings = [c for c in answer.citations if c.record.kind == Kind.FINDING]
    practices = [c for c in answer.citations if c.record.kind == Kind.PRACTICE]
    assert findings and all(c.record.about_city == "Hämeenlinna" for c in findings)
    assert practices and all(c.record.city != "Hämeenlinna" and not c.record.about_city for c in practices)
    check_citations(answer, corpus_records)
