"""Languages of answers and pages: which one to use, and its gettext catalogue.

The documents are English and so is every message in the code and templates (the msgids). An answer's
framing and the web pages are translated into the LANGUAGES below from the catalogues in `locale/`
(`.po` files, read and compiled when a language is first used: nothing to build at install time); quotes
stay as the documents have them. `pick_language` is the one rule for which language to use.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import pass_context
from jinja2.runtime import Context

from assistant.inputs import BadInput

# code → the language's own name, for the switch; English first: the documents' language and the fallback
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "de": "Deutsch", "it": "Italiano", "es": "Español"}
SOURCE = "en"
LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "assistant"

_TAG = re.compile(r"^\s*([A-Za-z]{1,8})(?:[-_][A-Za-z0-9]{1,8})*\s*$")
_PLACE = re.compile(r"^(.*) \(([^()]+)\)$")  # "Tampere (Finland)", as corpus.places writes a place
# our names of countries (corpus.places) that CLDR spells otherwise in English
_ALSO = {"Bosnia and Herzegovina": "BA", "Czech Republic": "CZ", "Turkey": "TR"}


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools look for)
    """Marks a message for the catalogue where it is defined; it is translated where it is shown."""
    return message


def supported(code: str | None) -> str | None:
    """The supported language a tag names ("fr", "FR", "fr-CH" → "fr"), else None."""
    m = _TAG.match(code or "")
    lang = m.group(1).lower() if m else ""
    return lang if lang in LANGUAGES else None


def check_language(code: str) -> str:
    """`code` as a supported language, or BadInput (a ValueError) naming the ones there are (a flag, a request
    field)."""
    lang = supported(code)
    if lang is None:
        raise BadInput(f"unknown language {code[:20]!r}: use one of {', '.join(LANGUAGES)}")
    return lang


def accepted(header: str) -> list[str]:
    """The supported languages of an Accept-Language header, most wanted first ("de-CH, fr;q=0.8, *;q=0.1"
    → ["de", "fr"]); q=0 means "not this one"."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate(header[:500].split(",")):
        tag, *params = part.split(";")
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = supported(tag)
        if lang and q > 0:
            ranked.append((-q, n, lang))
    return list(dict.fromkeys(lang for _, _, lang in sorted(ranked)))


def pick_language(chosen: str | None = None, question: str | None = None, accept: str = "",
                  known: frozenset[str] = frozenset(), previous: str = "") -> str:
    """The language to answer or show a page in: the one the user chose (`--lang`, the API's `lang`, the
    web switch) when it is supported; else the question's own language when it is one of LANGUAGES
    (English for any other; `known`: the documents' words, see index.language.detect), but for a question of
    up to three words that does not read as another language, the `previous` one of its conversation when
    given ("et en Italie ?" after a French answer); else the first supported one of an Accept-Language
    header; else English."""
    lang = supported(chosen)
    if lang:
        return lang
    if question is not None:
        from index.language import detect, neighbour_of

        found = detect(question, known)
        if found.foreign and found.code in LANGUAGES:
            return found.code
        # read as a neighbour of one of them ("estrategias antirrumores" as Latin, "mediació intercultural" as
        # Catalan): that one
        if found.foreign and (near := neighbour_of(question, [c for c in LANGUAGES if c != SOURCE])):
            return near
        return supported(previous) or SOURCE if len(re.findall(r"\w+", question)) <= 3 else SOURCE
    return next(iter(accepted(accept)), SOURCE)


@cache
def translations(lang: str, localedir: Path = LOCALE, domain: str = DOMAIN,
                 fallback: tuple[Path, str] | None = None) -> gettext.NullTranslations:
    """The catalogue of `lang` (the messages themselves for English or a missing catalogue), compiled in
    memory from its .po file once per process; a message it lacks is looked up in `fallback`
    (localedir, domain), then left in English."""
    po = localedir / lang / "LC_MESSAGES" / f"{domain}.po"
    if lang == SOURCE or not po.is_file():
        found = gettext.NullTranslations()
    else:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as f:
            catalog = read_po(f, locale=lang, domain=domain)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        found = gettext.GNUTranslations(buf)
    if fallback is not None:
        found.add_fallback(translations(lang, *fallback))  # built here, so no cached object is changed
    return found


def install(env: jinja2.Environment, catalogue: Callable[[str], gettext.NullTranslations]) -> None:
    """Jinja2's i18n extension on `env`, translating into the `lang` of each render (English without one):
    one environment serves every language, and `{% trans %}` and `_()` read the catalogue `catalogue(lang)`.
    Also the filters `t` (a message from a variable, such as an area's name), `place` (a country's name in
    the language), `in_text` (the same inside a sentence: "the Netherlands") and `noun` (a name inside a
    sentence)."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # a message's line breaks and indentation are not part of it

    def lang(ctx: Context) -> str:
        return str(ctx.get("lang") or SOURCE)

    @pass_context
    def gettext_(ctx: Context, message: str) -> str:
        return catalogue(lang(ctx)).gettext(message)

    @pass_context
    def ngettext_(ctx: Context, singular: str, plural: str, n: int) -> str:
        return catalogue(lang(ctx)).ngettext(singular, plural, n)

    @pass_context
    def place(ctx: Context, text: str) -> str:
        return local_place(str(text), lang(ctx))

    @pass_context
    def place_in_text_(ctx: Context, text: str) -> str:
        return place_in_text(str(text), lang(ctx))

    @pass_context
    def noun(ctx: Context, text: str) -> str:
        return common_noun(str(text), lang(ctx))

    env.install_gettext_callables(gettext_, ngettext_, newstyle=True)  # type: ignore[attr-defined]
    # `t` gives plain text, escaped like any variable where the template escapes (newstyle _() gives markup)
    env.filters.update(t=gettext_, place=place, in_text=place_in_text_, noun=noun)


def common_noun(name: str, lang: str) -> str:
    """A name ("Media and communication") inside a sentence, as a common noun: lower case, except in German,
    where nouns keep their capital ("Medien und Kommunikation")."""
    return name if lang == "de" else name.lower()


# countries whose English name takes the article inside a sentence ("practices in the Netherlands")
_WITH_THE = frozenset({"Netherlands", "United Kingdom", "United States", "Czech Republic", "Philippines",
                       "United Arab Emirates", "Dominican Republic", "Central African Republic", "Gambia",
                       "Bahamas", "Maldives", "Comoros", "Seychelles"})


def place_in_text(text: str, lang: str) -> str:
    """A place inside a sentence: `local_place`, with the article some countries take in English."""
    return f"the {text}" if lang == SOURCE and text in _WITH_THE else local_place(text, lang)


def local_place(text: str, lang: str) -> str:
    """A place as corpus.places writes it, its country named in `lang`: "Tampere (Finland)" → "Tampere
    (Finlande)", "Spain" → "Espagne". Cities and organisations keep their names."""
    if lang == SOURCE or not text:
        return text
    m = _PLACE.match(text)
    if m:
        country = _country(m.group(2), lang)
        return f"{m.group(1)} ({country})" if country else text
    return _country(text, lang) or text


@cache
def _territories() -> dict[str, str]:
    from babel import Locale

    return {**{name: code for code, name in Locale("en").territories.items() if len(code) == 2}, **_ALSO}


def _country(name: str, lang: str) -> str:
    code = _territories().get(name)
    if code is None:
        return ""
    from babel import Locale

    local: Any = Locale(lang).territories.get(code)
    return str(local) if local else ""
