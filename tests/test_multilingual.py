"""Questions in other languages (issue 13): language detection, the torch-free query path, the multilingual
signal in search and answers, and input no model reads well (other scripts, emoji, right-to-left, mixed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REAL_MODEL, SHARED

from assistant.answer import ask
from assistant.runtime import Runtime, open_runtime
from assistant.settings import Settings
from corpus.records import Kind
from index.embed import E5Embedder, make_embedder, make_multilingual
from index.language import detect

DATA = Path(__file__).parent / "data"
ODD = ["🙂🙂🙂", "🌍 🤝 🏙️ ?", "كيف تستقبل المدن الوافدين الجدد؟", "איך ערים מקבלות מהגרים חדשים?",
       "How do cities 歓迎 newcomers and les nouveaux arrivants?", "新来的移民怎么办", "ქალაქები და მიგრანტები",
       "Comment les villes accueillent-elles les nouveaux arrivants ? And in Spain?"]


def test_languages_are_told_apart_and_short_english_stays_english() -> None:
    rows = [json.loads(line) for line in (SHARED / "eval" / "multilingual-dev.jsonl").read_text().splitlines()]
    assert all(detect(r["query"]).code == r["lang"] and detect(r["query"]).foreign for r in rows)
    for english in ("welcome ceremony", "diversity charter", "How do other cities handle media monitoring?"):
        assert not detect(english).foreign, english
    assert detect("🙂🙂🙂").code == "" and not detect("🙂🙂🙂").foreign  # nothing to tell: English assumed


def test_multilingual_model_setting() -> None:
    assert make_multilingual("auto", "hash") is None
    assert make_multilingual("none", REAL_MODEL) is None
    assert isinstance(make_multilingual("auto", REAL_MODEL), E5Embedder)
    with pytest.raises(Exception, match="unknown multilingual model"):
        make_multilingual("babel", REAL_MODEL)


@pytest.mark.parametrize("question", ODD)
def test_odd_input_gets_a_clear_answer_with_the_hash_embedder(hash_home: Settings, question: str) -> None:
    answer = ask(open_runtime(hash_home).searcher, question)
    assert answer.text.strip()


# --- with the real models -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rt(real_model_home: Settings) -> Runtime:
    return open_runtime(real_model_home)


@pytest.mark.slow
def test_numpy_query_path_agrees_with_sentence_transformers() -> None:
    embedder = make_embedder(REAL_MODEL)
    texts = ["How do other cities handle media monitoring?", "Quelles villes mènent une stratégie anti-rumeurs ?",
             "🙂", "word " * 400]
    light = embedder.embed_batch(texts)  # few texts: the numpy engine
    from sentence_transformers import SentenceTransformer

    from index.embed import packaged_model_dir

    full = SentenceTransformer(str(packaged_model_dir()), device="cpu").encode(texts, normalize_embeddings=True)
    assert np.min(np.sum(light * full, axis=1)) > 0.9999


@pytest.mark.slow
def test_a_search_imports_no_torch(real_model_home: Settings) -> None:
    home, corpus = str(real_model_home.home), str(real_model_home.corpus_dir)
    code = ("import sys; from assistant.runtime import open_runtime; from assistant.settings import Settings; "
            "from assistant.questions import search_question; "
            f"rt = open_runtime(Settings(home={home!r}, corpus_dir={corpus!r})); "
            "hits = search_question(rt.searcher, 'Wie organisiert man eine Willkommensfeier?', 5); "
            "assert hits; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_multilingual_dev_set_meets_the_bar(rt: Runtime) -> None:
    from assistant.evaluation.retrieval import evaluate, read_questions

    result = evaluate(rt.searcher, read_questions(SHARED / "eval" / "multilingual-dev.jsonl"))
    # the bar; measured 0.875 / 0.79 (README; e5 alone scored 0.81 / 0.64)
    assert result["hit@5"] >= 0.85 and result["mrr@10"] >= 0.70
    more = evaluate(rt.searcher, read_questions(Path(__file__).parent / "data" / "multilingual-extra.jsonl"))
    assert more["hit@5"] >= 0.85 and more["mrr@10"] >= 0.70  # measured 0.90 / 0.76 (e5 alone 0.75 / 0.69)


@pytest.mark.slow
@pytest.mark.parametrize(("question", "evidence"), [
    # e5 alone found neither in the first 10
    ("Formación intercultural para el personal y los funcionarios municipales", "Regarding intercultural training"),
    ("Покроковий план інтеграції біженців від прибуття до житла", "5-step plan"),
])
def test_a_question_in_another_language_finds_what_its_english_reading_finds(rt: Runtime, question: str,
                                                                            evidence: str) -> None:
    from assistant.questions import search_question

    hits = search_question(rt.searcher, question, 5)
    assert any(evidence.lower() in " ".join(h.record.text.split()).lower() for h in hits)


@pytest.mark.slow
def test_the_language_is_read_on_the_whole_question_not_on_its_topic(rt: Runtime) -> None:
    # without its place, "Integrationsrat" alone could pass for English; the question is German all through
    answer = ask(rt.searcher, "Integrationsrat in Deutschland?")
    assert answer.language == "de" and answer.found and answer.reading.country == "Germany"
    assert "Erlangen" in [c.record.city for c in answer.citations if c.record.kind == Kind.PRACTICE]


@pytest.mark.slow
def test_the_english_reading_of_a_question(rt: Runtime) -> None:
    reading = rt.searcher.reading("Wie können Migranten bei Kommunalwahlen wählen oder kandidieren?").split()
    assert len(reading) == rt.searcher.params.reading_words and {"elections", "candidates", "vote"} <= set(reading)
    assert all(w in rt.searcher.index.terms for w in reading)
    # an English question is read as it is
    assert rt.searcher.weights(detect("How do migrants vote in local elections?"))[3:] == (0.0, 0.0)
    assert min(rt.searcher.weights(detect("Wie können Migranten wählen?"))[3:]) > 0.9


@pytest.mark.slow
@pytest.mark.parametrize("question", ["Quelle est la capitale de la France ?", "Ricetta della pizza margherita",
                                      "Wer hat die Fußballweltmeisterschaft 2014 gewonnen?",
                                      # off the topic without its place, and with it
                                      "Meilleurs restaurants en France"])
def test_translated_off_topic_questions_are_off_topic(rt: Runtime, question: str) -> None:
    answer = ask(rt.searcher, question)
    assert not answer.found and len(answer.nearest_areas) == 3


@pytest.mark.slow
def test_keyboard_runs_are_no_language_and_no_eval_question_is_taken_for_one(rt: Runtime) -> None:
    import re

    for nonsense in ("asdf qwerty zxcv", "blah blah", "kjhkjh sdfsdf", "qwertyuiop", "asdfgh", "xqzv blorft wuppl"):
        assert rt.searcher.gibberish(nonsense), nonsense
        answer = ask(rt.searcher, nonsense)  # had quoted a practice "that does what you asked"
        assert not answer.found and answer.match == "none" and not answer.citations
        # said to have no words to search for, in English (one had been answered in German), not sent to the
        # policy areas "nearest" to it
        assert answer.language == "en" and "has no words to search the documents for" in answer.text
        assert not answer.nearest_areas
    questions: list[str] = []
    for name in ("answers-translated.json", "answers-heldout-translated.json", "answers-heldout.json"):
        questions += [q["query"] for q in json.loads((DATA / name).read_text())]
    questions += [json.loads(line)["query"] for line in (SHARED / "eval" / "multilingual-dev.jsonl").read_text()
                  .splitlines() if line.strip()]
    questions += [json.loads(line)["query"] for line in (DATA / "multilingual-extra.jsonl").read_text()
                  .splitlines() if line.strip()]
    latin = [q for q in questions if not re.search(r"[^\W\d_]", re.sub(r"[A-Za-zÀ-ÖØ-öø-ɏ]", "", q))]
    assert len(latin) > 100 and not [q for q in latin if rt.searcher.gibberish(q)]
    # other scripts are not judged: a piece of Chinese is one character
    assert not rt.searcher.gibberish("新来的移民怎么办")


@pytest.mark.slow
@pytest.mark.parametrize("question", ["Comment les villes accueillent-elles les nouveaux arrivants ?",
                                      "Servizio di mediazione interculturale per i conflitti di vicinato",
                                      "Wie organisiert man einen Empfang für neue Einwohner?"])
def test_questions_in_other_languages_get_graded_practices(rt: Runtime, question: str) -> None:
    answer = ask(rt.searcher, question)
    assert answer.found and answer.match in ("direct", "related")
    assert any(c.grade for c in answer.citations)


@pytest.mark.slow
@pytest.mark.parametrize("question", ODD)
def test_odd_input_gets_a_clear_answer(rt: Runtime, question: str) -> None:
    from assistant.i18n import local_place

    answer = ask(rt.searcher, question)
    assert answer.text.strip()
    if not answer.found:  # off-topic (with the nearest areas), no words, or nothing from the place asked for
        place = answer.reading.country or answer.reading.city
        assert answer.nearest_areas or "no words" in answer.text or (
            place and f"({local_place(place, answer.language)})" in answer.text.splitlines()[0])


def test_a_short_query_of_the_documents_words_is_english() -> None:
    """Two words are too few for a language identifier ("migrant entrepreneurs" reads as French to it); when
    the documents use every one of them, the query is English. Longer texts and other words are left to it."""
    known = frozenset({"migrant", "entrepreneurs", "media", "monitoring", "la", "ville"})
    assert detect("migrant entrepreneurs").foreign  # what the identifier alone says
    assert not detect("migrant entrepreneurs", known).foreign and not detect("Media monitoring", known).foreign
    assert detect("médiation interculturelle", known).code == "fr"  # words the documents do not use
    assert detect("Festivals interculturels organisés ou soutenus par la ville", known).code == "fr"
    # accents aside: "cafés" is the documents' "cafes"
    cafes = frozenset({"language", "cafes"})
    assert detect("language cafés").foreign and not detect("language cafés", cafes).foreign


@pytest.mark.slow
def test_keyword_queries_are_answered_in_english(rt: Runtime) -> None:
    for query in ("migrant entrepreneurs", "media monitoring"):
        assert rt.searcher.language(query).code == "en"
        assert ask(rt.searcher, query).language == "en"
    assert ask(rt.searcher, "médiation interculturelle").language == "fr"
