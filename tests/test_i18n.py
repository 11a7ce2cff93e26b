"""Answers and pages in the user's language (issue 13): the rule that picks the language, the catalogues
(complete, in step with the templates, safe to render), answers framed in French, German, Italian and
Spanish with English quotes, and pages chosen by the switch or Accept-Language.

The fast tests use the hash embedder, whose answers are mostly "nothing found": the framing around quotes
is checked with a relevance floor of -1 (so the hash index quotes practices) and an explicit language;
the questions' own languages, end to end with quotes, with the real models (marked `slow`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.answer import Answer, AskParams, ask, render
from assistant.catalogues import ASSISTANT, Catalogue
from assistant.cli import app as cli
from assistant.i18n import accepted, local_place, pick_language, place_in_text, supported, translations
from assistant.runtime import Runtime, open_runtime
from assistant.settings import Settings
from index.language import detect
from web.app import create_app
from web.languages import WEB, local_path, page_translations

FOREIGN = ("fr", "de", "it", "es")
NOTE = "The quotes are in English, the language of the documents."
# one question per language, from the multilingual dev set: each gets quoted practices with the real models
QUESTIONS = {"fr": "Quelles villes mènent une stratégie anti-rumeurs ?",
             "de": "Wie organisiert man eine Willkommensfeier oder einen Empfang für neue Einwohner?",
             "it": "Servizio di mediazione interculturale per i conflitti di vicinato",
             "es": "Acceso a los servicios municipales para migrantes sin papeles sin miedo a ser denunciados"}


# --- the rule -------------------------------------------------------------------------------------------


def test_the_chosen_language_wins_then_the_questions_then_accept_language() -> None:
    assert pick_language("de", "How do cities welcome newcomers?") == "de"
    assert pick_language("FR-ch") == "fr" and supported("es_ES") == "es" and supported("pt") is None
    for lang, question in QUESTIONS.items():
        assert pick_language(None, question) == lang
        assert pick_language("xx", question) == lang  # an unsupported choice is no choice
    assert pick_language(None, "How do cities welcome newcomers?") == "en"
    assert pick_language(None, "Jak miasta witają nowych mieszkańców?") == "en"  # Polish: not offered
    assert pick_language(None, "integração de migrantes") == "en"  # nor Portuguese
    # a short Spanish question read as Latin, Aragonese, Galician (Catalan: the nearest offered) is Spanish
    for spanish in ("estrategias antirrumores", "población gitana", "mediación intercultural",
                    "mediació intercultural"):
        assert pick_language(None, spanish) == "es", spanish
    assert pick_language(None, "asdf qwer") == "en"  # a keyboard run is no language near one
    for english in ("anti rumour", "antidiscrimination", "pro bono legal aid"):  # nor are English keywords
        assert pick_language(None, english) == "en", english
    assert pick_language(None, "acolhimento de refugiados") == "en"  # Portuguese is not read as Spanish
    assert pick_language(None, "🙂🙂") == "en"
    assert pick_language(None, "Wie empfangen Städte Neuankömmlinge?", accept="fr") == "de"  # the question's
    assert pick_language(accept="de-CH, fr;q=0.8, en;q=0.5") == "de"
    assert pick_language(accept="en;q=0.5, de-CH;q=0.9, fr;q=0.95") == "fr"
    assert pick_language(accept="pt-BR, es;q=0.1") == "es"
    assert pick_language(accept="fr;q=0, it;q=0.3") == "it"
    assert pick_language(accept="*, fr;q=bad") == "en" and pick_language() == "en"
    # a follow-up of up to three words goes on in its conversation's language; a longer one, or one that reads
    # as a language of its own, does not; an unsupported previous language is none
    assert pick_language(None, "et en Italie ?", previous="fr") == "fr"
    assert pick_language(None, "tell me more about the first one", previous="fr") == "en"
    assert pick_language(None, "Wie empfangen Städte Neuankömmlinge?", previous="fr") == "de"
    assert pick_language(None, "and in Italy?", previous="xx") == "en"
    assert pick_language("es", "et en Italie ?", previous="fr") == "es"
    assert accepted("it, IT-ch;q=0.9, es;q=0.5") == ["it", "es"]


def test_country_names_follow_the_language_and_cities_keep_theirs() -> None:
    assert local_place("Tampere (Finland)", "fr") == "Tampere (Finlande)"
    assert local_place("Zurich (Switzerland)", "de") == "Zurich (Schweiz)"
    assert local_place("Spain", "it") == "Spagna" and local_place("Turkey", "es") == "Turquía"
    assert local_place("Assembly of European Regions", "fr") == "Assembly of European Regions"
    assert local_place("Tampere (Finland)", "en") == "Tampere (Finland)"
    # inside an English sentence some countries take the article ("practices in the Netherlands")
    assert place_in_text("Netherlands", "en") == "the Netherlands" and place_in_text("Spain", "en") == "Spain"
    assert place_in_text("United Kingdom", "fr") == "Royaume-Uni" and place_in_text("Tampere", "en") == "Tampere"


def test_a_switch_sends_the_browser_only_to_a_page_of_this_site() -> None:
    assert local_path("/practices?area=media") == "/practices?area=media"
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "/a\r\nX: y"):
        assert local_path(bad) == "/"


# --- the catalogues -------------------------------------------------------------------------------------


@pytest.mark.parametrize("catalogue", [ASSISTANT, WEB], ids=["assistant", "web"])
def test_the_catalogues_translate_every_message_of_the_sources(catalogue: Catalogue) -> None:
    """Extracts the messages of the templates and the code again and compares: a new message that no .po file
    has, a message left untranslated (an empty msgstr) or fuzzy, one no longer used, a translation that
    drops a placeholder or brings markup each fail (run `make catalogues`, then translate)."""
    messages = [m for m in catalogue.extract() if m.id]
    assert len(messages) > (50 if catalogue is ASSISTANT else 180)
    assert catalogue.problems() == []


def test_the_catalogue_check_finds_each_kind_of_problem(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "templates").mkdir(parents=True)
    (tmp_path / "pkg" / "templates" / "page.html").write_text(
        "<p>{% trans %}Hello{% endtrans %} {% trans name=x %}Bye {{ name }}{% endtrans %} {{ _('New one') }}</p>")
    cat = Catalogue(tmp_path / "pkg", "t", (("templates/*.html", "jinja2"),), tmp_path / "locale")
    assert any(p.endswith(": missing") for p in cat.problems())
    cat.update()
    assert any("untranslated: 'Hello'" in p for p in cat.problems())
    for lang in FOREIGN:
        po = cat.po(lang)
        text = po.read_text()
        text = text.replace('msgid "Hello"\nmsgstr ""', 'msgid "Hello"\nmsgstr "<b>Salut</b>"')
        text = text.replace('msgid "Bye %(name)s"\nmsgstr ""', 'msgid "Bye %(name)s"\nmsgstr "Au revoir %(nom)s"')
        text = text.replace('msgid "New one"\nmsgstr ""', 'msgid "New one"\nmsgstr "100 %"')
        po.write_text(text + '\nmsgid "Gone"\nmsgstr "Parti"\n')
    problems = "\n".join(cat.problems())
    assert "brings '<'" in problems and "placeholders ['nom'] instead of ['name']" in problems
    assert "does not format" in problems and "no longer used: 'Gone'" in problems


class _Text(HTMLParser):
    """The text a person reads in a page template (data and the attributes read out or shown), outside
    elements marked lang="en" (words the code writes in English) and <code>."""

    SHOWN = ("aria-label", "title", "alt", "placeholder", "data-confirm", "label")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.skip: list[str] = []  # the open elements whose text is exempt

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.skip or values.get("lang") == "en" or tag in ("code", "script", "style"):
            self.skip.append(tag)
        if not self.skip:
            self.found += [v for k, v in attrs if k in self.SHOWN and v]

    def handle_endtag(self, tag: str) -> None:
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.found.append(data)


# names that read the same in every language
NAMES = {"API", "Markdown", "Word (.docx)", "openapi.json", "ICC practice assistant"}


def untranslated(template: str, markup: bool = True) -> list[str]:
    """Words of a template outside {% trans %} blocks, _() calls and variables: text no catalogue can have."""
    source = re.sub(r"\{#.*?#\}", "", template, flags=re.S)
    source = re.sub(r"\{%-?\s*trans\b.*?%\}.*?\{%-?\s*endtrans\s*[-+]?%\}", "", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", source, flags=re.S)
    if markup:
        parser = _Text()
        parser.feed(source)
        texts = parser.found
    else:
        texts = source.splitlines()
    return [t.strip() for t in texts if re.search(r"[^\W\d_]{2,}", t) and t.strip() not in NAMES]


def test_every_text_of_the_templates_is_a_message_of_the_catalogues() -> None:
    assert untranslated("<p>Hello {{ name }}</p><p title='Hi there'>{% trans %}Bye{% endtrans %}</p>") == \
        ["Hello", "Hi there"]  # the check sees plain text, and a text in an attribute
    assert untranslated('<p lang="en">{{ rule }} as written</p><code>a,b</code>') == []
    pages = sorted((Path(WEB.root) / "templates").glob("*.html"))
    assert len(pages) > 15
    left = {p.name: untranslated(p.read_text()) for p in pages if p.name != "swagger.html"}  # Swagger UI: English
    assert {name: words for name, words in left.items() if words} == {}
    answer = (Path(ASSISTANT.root) / "templates" / "answer.md.j2").read_text()
    assert untranslated(answer, markup=False) == []


# --- answers --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hash_rt(hash_home: Settings) -> Runtime:
    return open_runtime(hash_home)


def framing(answer: Answer) -> str:
    """The answer without its quotes, its question and the names of places: the words of the framing."""
    text = answer.text
    for c in answer.citations:
        for s in c.sentences:
            text = text.replace(s, " ")
    for name in {c.record.city for c in answer.citations} | {c.record.country for c in answer.citations}:
        text = text.replace(name, " ") if name else text
    text = text.replace(answer.question.rstrip("?"), " ")
    return re.sub(r"\[\d+\]|\s+", " ", text)


def assert_framed_in(answer: Answer, lang: str) -> None:
    """Framed in `lang`, every quote as the documents have it, and the note that they are English."""
    tr = translations(lang).gettext
    assert answer.language == lang and answer.citations
    assert answer.text.rstrip().endswith(tr(NOTE)) and tr(NOTE) != NOTE
    for c in answer.citations:
        assert all(s in answer.text for s in c.sentences)  # quotes verbatim, in English
        assert detect(" ".join(c.sentences)).code == "en"
    words = framing(answer)
    assert detect(words).code == lang, words
    english = ("practice", "Related", "the same topic", "Guide questions", "None of", "describes", "recommends")
    assert not [w for w in english if w in words], words


@pytest.mark.parametrize("lang", FOREIGN)
def test_an_answer_is_framed_in_the_language_asked_for_and_quotes_stay_english(hash_rt: Runtime, lang: str) -> None:
    loose = AskParams(min_relevance=-1.0)  # the hash index would find the question off-topic
    answers = [ask(hash_rt.searcher, question, params=loose, lang=lang) for question in (
        "Neumarkt annual reception for newcomers", "How should a city approach anti-rumour work? guide questions")]
    for answer in answers:
        assert_framed_in(answer, lang)
        assert answer.to_json()["language"] == lang
    more = ask(hash_rt.searcher, "tell me more about the first one", [answers[0].to_json()], lang=lang)
    assert more.reading.detail is not None
    assert_framed_in(more, lang)


def test_an_english_question_is_answered_as_before(hash_rt: Runtime) -> None:
    loose = AskParams(min_relevance=-1.0)
    for question in ("Neumarkt annual reception for newcomers", "How do cities welcome newcomers?", "the"):
        plain = ask(hash_rt.searcher, question, params=loose)
        assert plain.language == "en" and "The quotes are in English" not in plain.text
        assert ask(hash_rt.searcher, question, params=loose, lang="en").text == plain.text
    found = ask(hash_rt.searcher, "Neumarkt annual reception for newcomers", params=loose)
    assert found.text.startswith("1 practice of Neumarkt (ICC area: Welcoming newcomers) that does what you "
                                 "asked, from 1 document:")
    assert "\n- Neumarkt (Germany) offers" in found.text


@pytest.mark.parametrize("lang", FOREIGN)
def test_the_question_s_language_frames_answers_that_quote_nothing(hash_rt: Runtime, lang: str) -> None:
    tr = translations(lang).gettext
    off = ask(hash_rt.searcher, QUESTIONS[lang])  # the hash index finds nothing on it
    assert off.language == lang and not off.citations and NOTE not in off.text
    assert off.text.startswith(tr("I found nothing in the documents that answers “%(question)s” well enough to "
                                  "cite.") % {"question": QUESTIONS[lang]})
    orphan = ask(hash_rt.searcher, {"fr": "Parlez-moi davantage du deuxième", "de": "Erzähl mir mehr über das "
                                    "zweite Beispiel", "it": "Dimmi di più sulla seconda pratica",
                                    "es": "Cuéntame más sobre la segunda práctica"}[lang], lang=lang)
    assert orphan.language == lang


def test_plain_answers_are_translated_messages() -> None:
    assert render("answer.md.j2", mode="orphan", lang="en").startswith("There is no earlier answer")
    de = translations("de").gettext
    assert render("answer.md.j2", mode="orphan", lang="de").strip() == de(
        "There is no earlier answer in this conversation to refer to. Ask a question first, for example “How do "
        "other cities handle media monitoring?”")
    assert render("answer.md.j2", mode="no_words", lang="es", question="¿y?").startswith("«¿y?» no contiene")


@pytest.mark.slow
@pytest.mark.parametrize("lang", FOREIGN)
def test_a_question_in_french_german_italian_or_spanish_is_answered_in_it(real_model_home: Settings,
                                                                          lang: str) -> None:
    answer = ask(open_runtime(real_model_home).searcher, QUESTIONS[lang])
    assert_framed_in(answer, lang)


@pytest.mark.slow
def test_the_chat_examples_find_practices_in_every_language(real_model_home: Settings) -> None:
    """The example questions the chat page offers, in each language it offers them: none may be a dead end."""
    from web.chat import EXAMPLES

    searcher = open_runtime(real_model_home).searcher
    for lang in ("en", *FOREIGN):
        for example in EXAMPLES:
            question = page_translations(lang).gettext(example)
            answer = ask(searcher, question)
            assert answer.found and answer.citations and answer.language == lang, question


# --- the command line and the API -----------------------------------------------------------------------


def test_ask_lang_is_checked_before_the_model_loads(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ask", "How do cities welcome newcomers?", "--lang", "pt"],
                                env={"ICC_HOME": str(tmp_path / "none")})
    assert result.exit_code == 2 and "unknown language 'pt': use one of en, fr, de, it, es" in result.output


def test_ask_json_names_the_language(hash_home: Settings) -> None:
    env = {"ICC_HOME": str(hash_home.home), "ICC_EMBED_MODEL": "hash", "ICC_CORPUS_DIR": str(hash_home.corpus_dir)}
    result = CliRunner().invoke(cli, ["ask", "How do cities welcome newcomers?", "--lang", "it", "--json"], env=env)
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["language"] == "it" and data["answer"].startswith("Non ho trovato")
    assert {"question", "answer", "citations", "match", "found", "areas", "nearest_areas", "query", "topic",
            "country", "city"} < set(data)
    result = CliRunner().invoke(cli, ["ask", QUESTIONS["fr"]], env=env)
    assert result.exit_code == 0 and result.output.startswith("Je n’ai rien trouvé")


@pytest.fixture(scope="module")
def client(hash_home: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(hash_home)) as c:
        yield c


def test_api_ask_takes_lang_and_names_the_language(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "How do cities welcome newcomers?", "lang": "de"})
    assert r.status_code == 200 and r.json()["language"] == "de" and r.json()["answer"].startswith("Ich habe")
    r = client.post("/api/ask", json={"question": QUESTIONS["es"]})
    assert r.json()["language"] == "es"
    assert client.post("/api/ask", json={"question": "How do cities welcome newcomers?"}).json()["language"] == "en"
    bad = client.post("/api/ask", json={"question": "How do cities welcome newcomers?", "lang": "klingon"})
    assert bad.status_code == 422 and "unknown language" in bad.text
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "language" in schemas["AnswerOut"]["properties"] and "language" in schemas["AnswerOut"]["required"]
    assert "lang" in schemas["AskRequest"]["properties"]


# --- pages ----------------------------------------------------------------------------------------------


def page_words(page: str) -> str:
    """The words of a page, without a document's own text (the reader's pages)."""
    page = re.sub(r"<script.*?</script>|<article class=\"page-text\".*?</article>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_accept_language_picks_the_page_language(client: TestClient) -> None:
    for header, lang, word in (("de-DE,de;q=0.9,en;q=0.8", "de", "Stadtprofil"), ("pt-BR, es;q=0.5", "es",
                               "Perfil de la ciudad"), ("fr;q=0, it;q=0.4", "it", "Profilo della città"),
                               ("pl", "en", "City profile"), ("", "en", "City profile")):
        r = client.get("/", headers={"Accept-Language": header})
        assert r.status_code == 200 and f'<html lang="{lang}">' in r.text, header
        assert r.headers["content-language"] == lang and "Accept-Language" in r.headers["vary"]
        assert word in r.text
    error = client.get("/no-such-page", headers={"Accept-Language": "fr"})
    assert error.status_code == 404 and "Il n’y a pas de page à cette adresse" in error.text


def test_the_switch_sets_the_cookie_and_keeps_the_page(hash_home: Settings) -> None:
    with TestClient(create_app(hash_home)) as c:
        page = c.get("/practices?area=media", headers={"Accept-Language": "de"})
        form = re.search(r'<form class="lang-switch" method="post" action="/lang"[^>]*>(.*?)</form>', page.text, re.S)
        assert form and 'name="next" value="/practices?area=media"' in form.group(1)
        assert re.findall(r'name="lang" value="(\w+)"', form.group(1)) == ["en", "fr", "de", "it", "es"]
        assert 'value="de" lang="de"' in form.group(1) and 'aria-current="true">DE<' in form.group(1)
        r = c.post("/lang", data={"lang": "it", "next": "/practices?area=media"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/practices?area=media"
        assert "lang=it" in r.headers["set-cookie"] and "samesite=lax" in r.headers["set-cookie"].lower()
        again = c.get("/practices?area=media", headers={"Accept-Language": "de"})  # the cookie wins
        assert '<html lang="it">' in again.text and "Pratiche" in again.text and "Tutti i paesi" in again.text
        assert c.post("/lang", data={"lang": "pt", "next": "//evil.example"}, follow_redirects=False).headers[
            "location"] == "/"
        assert '<html lang="it">' in c.get("/").text  # an unknown language changes nothing
        assert c.get("/lang", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("lang", FOREIGN)
def test_translated_pages_show_no_english_message(hash_home: Settings, lang: str) -> None:
    """The messages the pages look up at run time are the ones extracted: no English message is left in a
    translated page (a difference in whitespace between the two would leave one)."""
    english = [m.id for m in WEB.extract() if isinstance(m.id, str) and len(m.id) > 14 and "%(" not in m.id
               and page_translations(lang).gettext(m.id) != m.id]
    with TestClient(create_app(hash_home)) as c:
        c.cookies.set("lang", lang)
        answered = c.post("/chat", data={"question": "How do cities greet new residents?"})
        rates = c.post("/profile/rates", data={"city": "Testville", "city_media": "10", "sample_media": "50",
                                               "city_education": "80", "sample_education": "60"})
        pages = [answered, rates] + [c.get(u) for u in ("/", "/practices?q=zzzz", "/sources", "/profile", "/nope",
                                                        "/sources/icc-index-hameenlinna-2024?page=3")]
        for page in pages:
            assert f'<html lang="{lang}">' in page.text
            words = page_words(page.text)
            assert [m for m in english if m in words] == [], page.url
        assert f'class="answer not-found" lang="{lang}"' in answered.text  # the switch frames the chat's answers
