"""Countries and a small gazetteer of cities, to attribute a practice to its city and country."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Set
from functools import cache
from importlib import resources

# Names and codes that documents use for countries, mapped to the name we show.
COUNTRY_ALIASES: dict[str, str] = {
    "uk": "United Kingdom", "united kingdom": "United Kingdom", "great britain": "United Kingdom",
    "england": "United Kingdom", "scotland": "United Kingdom", "wales": "United Kingdom",
    "the netherlands": "Netherlands", "netherlands": "Netherlands", "nl": "Netherlands",
    "usa": "United States", "us": "United States", "united states": "United States",
    "korea": "South Korea", "south korea": "South Korea", "republic of korea": "South Korea",
    "es": "Spain", "dk": "Denmark", "de": "Germany", "pl": "Poland", "se": "Sweden", "be": "Belgium",
    "bg": "Bulgaria", "lu": "Luxembourg", "fi": "Finland", "lt": "Lithuania", "it": "Italy",
    "fr": "France", "pt": "Portugal", "at": "Austria", "ch": "Switzerland", "no": "Norway",
    "ie": "Ireland", "gr": "Greece", "cy": "Cyprus", "lv": "Latvia", "ee": "Estonia", "cz": "Czechia",
    "sk": "Slovakia", "si": "Slovenia", "hr": "Croatia", "hu": "Hungary", "ro": "Romania",
    "rs": "Serbia", "ua": "Ukraine", "tr": "Turkey", "turkiye": "Turkey", "is": "Iceland", "mt": "Malta",
}
_COUNTRY_LIST = [
    "Albania", "Andorra", "Armenia", "Australia", "Austria", "Azerbaijan", "Belgium",
    "Bosnia and Herzegovina", "Bulgaria", "Canada", "Croatia", "Cyprus", "Czechia", "Czech Republic",
    "Denmark", "Estonia", "Finland", "France", "Georgia", "Germany", "Greece", "Hungary", "Iceland",
    "Ireland", "Israel", "Italy", "Japan", "Kosovo", "Latvia", "Liechtenstein", "Lithuania",
    "Luxembourg", "Malta", "Mexico", "Moldova", "Monaco", "Montenegro", "Morocco", "Netherlands",
    "New Zealand", "North Macedonia", "Norway", "Poland", "Portugal", "Romania", "Russia", "Serbia",
    "Slovakia", "Slovenia", "South Korea", "Spain", "Sweden", "Switzerland", "Tunisia", "Turkey",
    "Ukraine", "United Kingdom", "United States",
]
COUNTRIES = frozenset(_COUNTRY_LIST)


# letters that Unicode does not decompose into a Latin letter and an accent ("Łódź", "København", "Straßburg")
_UNDECOMPOSED = str.maketrans({"ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe",
                               "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH", "ı": "i"})


def fold(text: str) -> str:
    """Text without accents, case or runs of white space ("Hämeenlinna " → "hameenlinna", "Łódź" → "lodz"): the
    one folding rule of names, filters, words and file names."""
    text = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", text).strip().lower()


def slug(text: str, most: int) -> str:
    """Folded text as a file name's words: letters and digits joined by "-", at most `most` characters
    ("Hämeenlinna" → "hameenlinna")."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:most]


_FOLDED_COUNTRIES = {fold(prefix + name): name for name in COUNTRIES for prefix in ("", "the ")}


def country_name(text: str) -> str:
    """The country a name, code or alias stands for, or "" when it is not a country."""
    key = fold(text)
    return COUNTRY_ALIASES.get(key) or _FOLDED_COUNTRIES.get(key, "")


def _rows(name: str) -> list[list[str]]:
    """The tab-separated rows of corpus/data/`name`, without comments and blank lines."""
    text = resources.files("corpus").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def gazetteer() -> dict[str, tuple[str, str]]:
    """Folded city name → (city as written, country), from corpus/data/cities.tsv."""
    table: dict[str, tuple[str, str]] = {}
    for city, country, *aliases in _rows("cities.tsv"):
        for name in (city, *aliases):
            table[fold(name)] = (city, country)
    return table


@cache
def _names_by_city() -> dict[str, frozenset[str]]:
    by_city: dict[str, set[str]] = {}
    for name, (city, _) in gazetteer().items():
        by_city.setdefault(city, {fold(city)}).add(name)
    return {city: frozenset(names) for city, names in by_city.items()}


@cache
def _spellings() -> dict[str, frozenset[str]]:
    spelt: dict[str, set[str]] = {}
    for row in _rows("cities.tsv"):
        for name in (row[0], *row[2:]):
            spelt.setdefault(fold(name), set()).add(re.sub(r"\s+", " ", name.strip().lower()))
    return {key: frozenset(names) for key, names in spelt.items()}


def written_as_named(text: str, name: str) -> bool:
    """Whether `text` writes the gazetteer name `name` (folded) as a name: with a capital ("Genes", "Munchen"), or
    in lower case with its own accents ("genève"). In lower case without them it may be a word of the question
    ("genes" is no Gênes), not the city."""
    spellings = _spellings().get(name, frozenset({name}))
    words = re.sub(r"[^\w\s-]", " ", text).split()
    lowered = f" {' '.join(words).lower()} "
    capitalised = f" {' '.join(fold(w) if w[:1].isupper() else '·' for w in words)} "
    return any(f" {s} " in lowered for s in spellings) or f" {name} " in capitalised


def names_of(city: str) -> frozenset[str]:
    """Every folded name the gazetteer gives the city that `city` names ("Munich" or "München" → munich,
    munchen, munique, …), or `city` alone, folded, when the gazetteer does not have it."""
    entry = gazetteer().get(fold(city))
    return _names_by_city().get(entry[0], frozenset()) | {fold(city)} if entry else frozenset({fold(city)})


@cache
def _world_cities() -> dict[str, tuple[str, str]]:
    """Folded name → (city, country) of the cities of the world a question may name: the gazetteer's names
    ("Milano" for Milan), then corpus/data/world_cities.tsv (from GeoNames: scripts/world_cities.py), the first
    of a name kept."""
    table: dict[str, tuple[str, str]] = dict(gazetteer())
    for city, country in _rows("world_cities.tsv"):
        table.setdefault(fold(city), (city, country_name(country) or country))
    return table


_LOCATING = frozenset({"near", "around", "outside", "beyond"})
# people a question may say come from a city ("refugees from Aleppo", "réfugiés venus de Kharkiv"): not a city
# asked about
_ORIGIN = re.compile(r"\b(refugees?|migrants?|immigrants?|newcomers?|people|persons|families|students|workers|"
                     r"arrivals|seekers|children|women|men|youth|communit(y|ies)|diaspora|refugies?|"
                     r"immigres?|personnes|familles|fluchtlinge[n]?|gefluchtete[n]?|zuwanderer[n]?|menschen|"
                     r"rifugiati|migranti|persone|famiglie|refugiados|migrantes|personas|familias)"
                     r"( (who|that|qui|die|che|que) (came|come|fled|arrived|sont venus|kamen|sono arrivati|llegaron))?"
                     r" (from|de|du|des|venus de|venant de|aus|von|da|dal|dalla|di|desde|procedentes de)"
                     r"( [\w-]+ (and|or|et|ou|und|oder|e|o|y))?$")  # "from Lviv and Kharkiv"
_POSSESSIVE = re.compile(r"['’]s$")
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][\w'’-]*(?: [A-ZÀ-ÖØ-Þ][\w'’-]*){0,2}")


def cities_elsewhere(text: str, known: Set[str], common: Set[str], curated_only: bool = False
                     ) -> list[tuple[str, str, str]]:
    """(name as written, city, country) of the cities of the world that `text` names with a capital ("What does
    Lyon do …") and the documents do not have: not among `known` (folded names of their places), nor a word
    they use in lower case (`common`, folded: "Nice", "Reading", "Police"). A name is a whole run of up to three
    capitalised words, less the text's first word, capitalised as any first word is ("Cómo …" is no Como, "Does
    Lyon …" is Lyon), unless the whole run names a city ("New York …"); not a place the question only locates
    something by ("near Madrid"). `curated_only`: only the gazetteer's names (corpus/data/cities.tsv), for a
    language that capitalises every noun ("die Lage" is no Lage, "Wien" is Vienna)."""
    world = gazetteer() if curated_only else _world_cities()
    found: list[tuple[str, str, str]] = []
    for m in _CAPITALISED.finditer(text):
        before = re.findall(r"\w+", text[:m.start()])
        words = [_POSSESSIVE.sub("", w) for w in m.group().split()]
        if not before and not (len(words) > 1 and fold(" ".join(words)) in world):
            words = words[1:]  # "Does Lyon …": "Lyon"; but "New York …"
        if not words or (before and before[-1].lower() in _LOCATING) or \
                _ORIGIN.search(fold(" ".join(before[-6:]))):
            continue
        # the whole run of capitalised words, never a part of it: "San Sebastian" is no San, "Martin Luther King"
        # no Martin; but in German, whose nouns follow a name capitalised, the longest start of the run that
        # is a curated name ("Wien Geflüchteten" → "Wien")
        if curated_only:
            words = next((words[:k] for k in range(len(words), 0, -1) if fold(" ".join(words[:k])) in world), words)
        name = " ".join(words)
        key = fold(name)
        if key in world and key not in known and not (len(words) == 1 and key in common) and not country_name(key) \
                and all(f[1:] != world[key] for f in found):
            found.append((name, *world[key]))
    return found


def is_place(name: str) -> bool:
    """Whether a practice's `city` names a place (a city the gazetteer knows, or a country) rather than
    an organisation ("Council of Europe", "Eurocities")."""
    return bool(name) and (fold(name) in gazetteer() or bool(country_name(name)))


def nearest_names(value: str, names: Iterable[str], n: int = 3) -> list[str]:
    """The `n` names closest in spelling to `value` (accents and case aside), closest first."""
    by_key = {fold(x): x for x in names if x}
    keys = difflib.get_close_matches(fold(value), list(by_key), n=n, cutoff=0.0)
    return [by_key[k] for k in keys]


def city_country(name: str) -> tuple[str, str]:
    """(city, country) for a city name the gazetteer knows, else (name, "")."""
    hit = gazetteer().get(fold(name))
    return hit if hit else (name.strip(), "")


_CITY_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’.\-]*"
# "In Bilbao (Spain)", "The city of Bradford (UK)", "Neumarkt (Germany) offers", "Donostia-San Sebastian (Spain)"
CITY_WITH_COUNTRY = re.compile(rf"((?:{_CITY_WORD}[ ]){{0,2}}{_CITY_WORD}) \(((?:the )?[A-Z][\w ]+?)\)")
_LEADING = {"in", "the", "city", "of", "for", "by", "and", "at", "from", "since", "to", "council"}


def cities_with_country(text: str) -> list[tuple[int, str, str]]:
    """Every "City (Country)" mention in `text`: (offset, city, country), in order."""
    found = []
    for m in CITY_WITH_COUNTRY.finditer(text):
        country = country_name(m.group(2))
        if not country:
            continue
        words = m.group(1).split(" ")
        while words and words[0].lower() in _LEADING:
            words = words[1:]
        # keep the longest tail that the gazetteer knows, else the last word(s) that are capitalised
        city = " ".join(words)
        for i in range(len(words)):
            tail = " ".join(words[i:])
            if fold(tail) in gazetteer():
                city = gazetteer()[fold(tail)][0]
                break
        else:
            city = words[-1] if len(words) > 1 and "-" not in city else city
        if city:
            found.append((m.start(), city, country))
    return found


# "the Australian city of Auckland", "the city of Ghent": a city introduced without its country
_CITY_OF = re.compile(rf"\b[Tt]he (?:[A-Z][a-z]+ )?city of ({_CITY_WORD}(?: {_CITY_WORD}){{0,2}})(?! \()")


def cities_called(text: str) -> list[tuple[int, str, str]]:
    """Every "City (Country)" mention, and every "the [Adjective] city of City" that the gazetteer
    knows (its country from the gazetteer): (offset, city, country), in order."""
    found = cities_with_country(text)
    table = gazetteer()
    for m in _CITY_OF.finditer(text):
        words = m.group(1).split(" ")
        for n in range(len(words), 0, -1):
            hit = table.get(fold(" ".join(words[:n])))
            if hit:
                found.append((m.start(), *hit))
                break
    found.sort()
    return found


_WORD_GOES_ON = re.compile(r"[\w-]")


@cache
def _first_words() -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """One pattern for the first words of the gazetteer's names (longest first), and the names by first word."""
    by_first: dict[str, list[str]] = {}
    for key in gazetteer():
        by_first.setdefault(key.split(" ")[0], []).append(key)
    words = sorted(by_first, key=len, reverse=True)
    return re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, words))})(?![\w-])"), by_first


def known_cities_in(text: str) -> list[tuple[int, str, str]]:
    """Gazetteer cities named in `text` (whole words, case-sensitive first letter): (offset, city, country)."""
    found = []
    folded = fold(text)
    if len(folded) != len(text):  # accents changed the length: fall back to a slower exact scan
        folded = text.lower()
    pattern, by_first = _first_words()
    table = gazetteer()
    for m in pattern.finditer(folded):
        if not text[m.start()].isupper():
            continue
        for key in by_first[m.group()]:
            end = m.start() + len(key)
            if folded.startswith(key, m.start()) and not _WORD_GOES_ON.match(folded, end):
                found.append((m.start(), *table[key]))
    found.sort()
    return found


# words for cities, towns, municipalities or their examples in the languages of data/demonyms.tsv, folded
PLACE_NOUNS = (
    r"cit(?:y|ies)|towns?|municipalit(?:y|ies)|councils?|local authorit(?:y|ies)|capitals?|examples?|practices?|"
    r"ones|regions?|villages?|"  # English
    r"villes?|communes?|municipalites?|collectivites|exemples?|pratiques?|metropoles?|"  # French
    r"stadte?n?|gemeinden?|kommunen?|beispiele?n?|stadtverwaltungen|"  # German
    r"citta|comuni|comune|municipi|esempi|pratiche|amministrazioni|"  # Italian
    r"ciudades?|municipios?|ayuntamientos?|localidades|ejemplos?|practicas|pueblos?")  # Spanish


@cache
def _demonyms() -> list[tuple[re.Pattern[str], str]]:
    """(pattern, country) per row of data/demonyms.tsv: an adjective of the country next to a place noun,
    before it ("Finnish cities", "deutsche Städte") or after it ("villes finlandaises", "città italiane")."""
    out = []
    text = resources.files("corpus").joinpath("data/demonyms.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        country, en, fr, de, it, es = line.split("\t")

        def adjective(*cells: str) -> str:  # a stem and an inflection ("deutsch|en"), not a compound ("Deutschkurs")
            return rf"(?:{'|'.join(re.escape(x) for cell in cells for x in cell.split('|') if x)})[a-z]{{0,3}}\b"

        # English and German put the adjective before the noun, French, Italian and Spanish after it
        out.append((re.compile(rf"\b(?P<before>{adjective(en, de)})[ -](?:{PLACE_NOUNS})\b|"
                               rf"\b(?:{PLACE_NOUNS}) (?P<after>{adjective(fr, it, es)})"), country))
    return out


# localised country names that are everyday words ("Island" is German for Iceland, "lingua franca", "suède",
# Italian "Monaco" is Munich)
_NOT_NAMES = frozenset({"island", "franca", "suede", "monaco"})
NAME_LANGUAGES = ("fr", "de", "it", "es", "pt", "nl")  # besides English: languages whose country names are known


@cache
def _country_names() -> dict[str, str]:
    """Folded name or unambiguous alias → country: the English names, aliases of more than three letters,
    and the names in NAME_LANGUAGES ("Espagne", "Spanien", "Spagna", "España"), from Babel's CLDR data."""
    names = {fold(c): c for c in COUNTRIES}
    names.update({k: v for k, v in COUNTRY_ALIASES.items() if len(k) > 3})
    try:
        from babel import Locale
    except ImportError:  # Babel is a dependency; without it, English names only
        return names
    english = {fold(v.replace("&", "and")): k for k, v in Locale("en").territories.items() if len(k) == 2}
    two_letters = {v: k.upper() for k, v in COUNTRY_ALIASES.items() if len(k) == 2}  # "Turkey" is "Türkiye"
    codes = {c: english.get(fold(c)) or two_letters.get(c) for c in COUNTRIES}
    for language in NAME_LANGUAGES:
        local = Locale(language).territories
        for country, code in codes.items():
            name = fold(local.get(code, "")) if code else ""
            if len(name) > 3 and name not in _NOT_NAMES:
                names.setdefault(name, country)
    return names


# codes that name a country only in capitals ("UK", not "uk" or "it")
_CODES = {"UK": "United Kingdom", "USA": "United States"}


def countries_in(text: str) -> list[str]:
    """Countries named in a question, by full name (in English or one of NAME_LANGUAGES) or an unambiguous
    alias ("UK", "the Netherlands", "Spagna")."""
    folded = " " + fold(re.sub(r"[^\w\s]", " ", text)) + " "
    found: list[str] = []
    for key, name in sorted(_country_names().items(), key=lambda kv: -len(kv[0])):
        if f" {key} " in folded and name not in found:
            found.append(name)
    for code, name in _CODES.items():
        if re.search(rf"\b{code}\b", text) and name not in found:
            found.append(name)
    return found


# words that put a country's name after them ("cities in Italy", "villes en France", "Städte in Deutschland")
_INTO = frozenset({"in", "en", "im", "from", "of", "de", "di", "du", "da", "aus", "nach", "della", "del", "dans",
                   "au", "aux", "a", "von", "vom", "zu", "bei", "pour", "fur", "per", "para", "with", "mit", "avec",
                   "con"})
_ARTICLES = frozenset({"the", "la", "le", "les", "l", "die", "der", "den", "il", "el", "los", "las"})
# words a city that is part of the question's sentence never follows ("Tampere and Lyon", "und München")
_JOINING = frozenset({"and", "or", "und", "oder", "et", "ou", "e", "o", "y", "ni"})
# English verbs whose subject a city is ("What does Tampere do", "How has Genoa fought …")
_AUXILIARIES = frozenset({"do", "does", "did", "has", "have", "had", "is", "was", "can", "could", "should",
                          "would", "will", "might", "may"})


def _core(word: str) -> str:
    """A word as names are matched ("d'Italia" → "italia", "Spain's" → "spain", "(Spain)" → "spain")."""
    word = re.sub(r"^\W+|\W+$", "", word)
    word = re.sub(r"^\w{1,4}['’](?=\w)", "", word)  # an elided article or preposition: l', d', dell', nell'
    return fold(_POSSESSIVE.sub("", word))


def without_place(text: str, country: str = "", city: str = "", stand_in: str = "",
                  subject_after_any_word: bool = False) -> str:
    """`text` without what names `country` or `city` in it: the name (with the article and preposition before
    it) or the adjective of the country's cities ("Which Spanish cities help …" → "Which cities help …",
    "antirumores en Barcelona" → "antirumores"), so that what is left is the topic, the place being a
    filter. Names are matched as `countries_named` reads them; a dropped word keeps the punctuation that
    ends a clause ("¿… españolas?" → "¿…?"). A city that is the subject of an English question's verb
    ("What does Tampere do …") gives way to `stand_in` ("the city") when there is one, rather than leave "What
    does do …"; with `subject_after_any_word` (French, German, Italian, Spanish, whose questions put the
    subject after the verb: "Que fait Genève …", "Was macht München …"), so does a city after any word but an
    article, a preposition or a conjunction."""
    words = text.split()
    cores = [_core(w) for w in words]
    drop: set[int] = set()
    replace: dict[int, str] = {}  # the first word of a dropped name → what stands in for it
    names: set[str] = set()
    if country:
        names |= {k for k, v in _country_names().items() if v == country} | {fold(country)}
    city_names = set(names_of(city)) if city else set()
    names |= city_names  # a city under any of its names ("München" for Munich)
    codes = {c for c, name in _CODES.items() if name == country}  # "UK", as countries_in reads it
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            key = " ".join(cores[i:i + n])
            code = n == 1 and re.sub(r"^\W+|\W+$", "", words[i]) in codes
            if drop & set(range(i, i + n)) or not (key in names or code):
                continue
            drop |= set(range(i, i + n))
            before = cores[i - 1] if i > 0 else ""
            joined_on = i + n < len(words) - 1 and cores[i + n] in _JOINING  # "Barcelona and Rotterdam"
            if stand_in and key in city_names and before and not joined_on and (before in _AUXILIARIES or (
                    subject_after_any_word and before not in _INTO | _ARTICLES | _JOINING)):
                own = _POSSESSIVE.search(words[i + n - 1])  # "What is Tampere's approach" → "the city's"
                replace[i] = stand_in + (own.group() if own else "")
            j = i - 1
            while j >= 0 and cores[j] in _ARTICLES:
                j -= 1
            first = i
            if j >= 0 and cores[j] in _INTO:
                drop |= set(range(j, i))
                first = j
            # a conjunction that joined the name to another: "Tampere and Lyon", "from Modena and from Lyon",
            # "Barcelona and Rotterdam"
            if first > 1 and cores[first - 1] in _JOINING and first - 2 not in drop:
                drop.add(first - 1)
            elif joined_on:
                drop.add(i + n)
    if country:
        starts, pos = [], 0
        for c in cores:  # where each word starts in the joined words
            starts.append(pos)
            pos += len(c) + 1
        joined = " ".join(cores)
        for pattern, c in _demonyms():
            if c == country:
                for m in pattern.finditer(joined):
                    group = "before" if m.group("before") else "after"
                    drop |= {i for i, s in enumerate(starts) if m.start(group) <= s < m.end(group)}
    out: list[str] = []
    for i, w in enumerate(words):
        if i not in drop:
            # a comma that went on to a dropped name went with it ("How do Oslo, Genoa and Bergen …" about Oslo)
            out.append(w[:-1] if w.endswith(",") and i + 1 in drop and i + 1 not in replace else w)
            continue
        if i in replace:
            out.append(replace[i])
        # "españolas?" leaves "?", "(Spain)" nothing, and a list's comma nothing ("Barcelona, Rotterdam …")
        ending = re.search(r"[?!.;:]+(?=,?$)", w)
        if ending and out:
            out[-1] += ending.group()
    return " ".join(out).strip(" ,")


def countries_named(question: str) -> list[str]:
    """Countries a question names, by name or by an adjective of its cities ("an Italian city", "ciudades
    españolas"); not by a language ("teach German")."""
    folded = fold(question)
    found = countries_in(question)
    return found + [c for pattern, c in _demonyms() if c not in found and pattern.search(folded)]
