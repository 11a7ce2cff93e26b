"""Keeping the gettext catalogues in step with the code: extract every message, update the .po files, and
say what is missing. Used by `scripts/catalogues.py` (which writes) and the tests (which only check). Each
floor declares its own catalogue (ASSISTANT here, web.languages.WEB); Babel's extraction is imported only
when one is extracted, so declaring costs nothing at run time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.i18n import DOMAIN, LANGUAGES, LOCALE, SOURCE

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
JINJA = "jinja2.ext:babel_extract"
# as the app's environments parse templates (assistant/answer.py, assistant/i18n.py install)
JINJA_OPTIONS = {"trimmed": "true", "newstyle_gettext": "true", "silent": "false", "trim_blocks": "true",
                 "lstrip_blocks": "true"}
COMMENTS = ("Translators:",)

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog


@dataclass(frozen=True)
class Catalogue:
    """One domain's messages: where they come from (files of a package, by glob and method, and messages
    that are data, such as the areas' names) and where its .po files live."""

    root: Path  # the package folder
    domain: str
    sources: tuple[tuple[str, str], ...]  # (glob under root, "jinja2" or "python")
    localedir: Path
    names: Callable[[], Iterable[str]] = field(default=lambda: ())

    def po(self, lang: str) -> Path:
        return self.localedir / lang / "LC_MESSAGES" / f"{self.domain}.po"

    def extract(self) -> Catalog:
        """Every message of the sources, as a template catalogue (no translations)."""
        from babel.messages.catalog import Catalog
        from babel.messages.extract import extract_from_file

        template = Catalog(domain=self.domain, project="icc-assistant", fuzzy=False)
        for pattern, method in self.sources:
            for path in sorted(self.root.glob(pattern)):
                where = str(path.relative_to(self.root.parent))
                found = extract_from_file(JINJA if method == "jinja2" else method, str(path), keywords=KEYWORDS,
                                          comment_tags=COMMENTS,
                                          options=JINJA_OPTIONS if method == "jinja2" else {},
                                          strip_comment_tags=True)
                for lineno, message, comments, context in found:
                    template.add(message, locations=[(where, lineno)], auto_comments=comments, context=context)
        for name in self.names():
            template.add(name, auto_comments=["data: a name the code shows translated"])
        return template

    def read(self, lang: str) -> Catalog:
        from babel.messages.pofile import read_po

        with self.po(lang).open("rb") as f:
            return read_po(f, locale=lang, domain=self.domain)

    def update(self) -> list[str]:
        """Brings each language's .po file in step with the sources: new messages added untranslated, messages
        no longer used dropped, translations kept. Returns what is left to translate."""
        from babel.messages.catalog import Catalog
        from babel.messages.pofile import write_po

        template = self.extract()
        todo: list[str] = []
        for lang in LANGUAGES:
            if lang == SOURCE:
                continue
            path = self.po(lang)
            catalog = self.read(lang) if path.is_file() else Catalog(locale=lang, domain=self.domain,
                                                                     project="icc-assistant", fuzzy=False)
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False,
                           update_creation_date=False)
            catalog.obsolete.clear()
            catalog.header_comment = (f"# {self.domain}: the ICC practice assistant's messages in {LANGUAGES[lang]} "
                                      f"({lang}).\n# Kept in step with the code by scripts/catalogues.py.")
            catalog.project, catalog.version = "icc-assistant", "0.1"
            catalog.last_translator = catalog.language_team = "ICC practice assistant developers"
            catalog.msgid_bugs_address = ""
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as f:  # file names without line numbers: moving a line changes no catalogue
                write_po(f, catalog, width=100, sort_output=False, include_previous=False, include_lineno=False)
            todo += [f"{path}: {m.id!r}" for m in catalog if m.id and not _translated(m.string)]
        return todo

    def problems(self) -> list[str]:
        """What keeps the catalogues from matching the sources: a message missing from a .po file or left
        untranslated (or fuzzy), a message the sources no longer have, a translation that would break (_unsafe)."""
        expected = {_key(m.id): m for m in self.extract() if m.id}
        out: list[str] = []
        for lang in LANGUAGES:
            if lang == SOURCE:
                continue
            path = self.po(lang)
            if not path.is_file():
                out.append(f"{path}: missing")
                continue
            catalog = self.read(lang)
            have = {_key(m.id): m for m in catalog if m.id}
            out += [f"{path}: not in the catalogue: {k!r}" for k in expected if k not in have]
            out += [f"{path}: no longer used: {k!r}" for k in have if k not in expected]
            for key, m in have.items():
                if not _translated(m.string) or m.fuzzy:
                    out.append(f"{path}: untranslated: {key!r}")
                else:
                    out += [f"{path}: {key!r}: {e}" for e in _unsafe(m.id, m.string)]
        return out


Text = str | tuple[str, ...] | list[str] | None  # a message's id or string: one, or a plural's forms


def _forms(value: Text) -> list[str]:
    return [value] if isinstance(value, str) else list(value or ())


def _key(message_id: Text) -> str:
    return _forms(message_id)[0]


def _translated(string: Text) -> bool:
    strings = _forms(string)
    return bool(strings) and all(s.strip() for s in strings)


_NAMED = re.compile(r"%\((\w+)\)s")


def _unsafe(message_id: Text, string: Text) -> list[str]:
    """What would break a page or an answer: a translation must use the message's placeholders (%(name)s),
    no others, and format (a lone % fails); and since the pages take translations as HTML, it may not bring
    markup characters (", <, >, &) that the message does not have."""
    ids = _forms(message_id)
    wanted = set().union(*(_NAMED.findall(i) for i in ids))
    out = []
    for s in _forms(string):
        got = set(_NAMED.findall(s))
        if got != wanted:
            out.append(f"placeholders {sorted(got)} instead of {sorted(wanted)}")
        try:
            s % dict.fromkeys(wanted, "x")
        except (ValueError, TypeError, KeyError) as exc:
            out.append(f"does not format: {exc}")
        out += [f"brings {c!r}" for c in '"<>&' if c in s and not any(c in i for i in ids)]
    return out


def _area_names() -> list[str]:
    from corpus.areas import AREAS

    return [a.name for a in AREAS]


ASSISTANT = Catalogue(Path(__file__).resolve().parent, DOMAIN, (("templates/answer.md.j2", "jinja2"),
                                                              ("*.py", "python")), LOCALE, _area_names)
