"""What a question means in its conversation: topic, places named, and references to earlier answers.

"and which of them are in Spain?" keeps the previous topic and narrows it to Spain; "tell me more about
the second one" points at the second practice of the previous answer. The history is explicit: the
earlier turns' `Answer.to_json()` dicts, oldest first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corpus.places import countries_named, fold, names_of, written_as_named

# Follow-ups in English, French, German, Italian and Spanish (the framing languages, assistant/i18n.py), matched
# on the folded question (corpus.places.fold: no accents, lower case): "tell me more about the second one",
# "cuéntame más sobre el segundo", "und welche davon sind in Spanien?"
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
    "sixth": 6, "6th": 6, "last": -1,
    "premier": 1, "premiere": 1, "deuxieme": 2, "seconde": 2, "troisieme": 3, "quatrieme": 4, "cinquieme": 5,
    "sixieme": 6, "dernier": -1, "derniere": -1,
    "erste": 1, "ersten": 1, "erstes": 1, "erster": 1, "zweite": 2, "zweiten": 2, "zweites": 2, "zweiter": 2,
    "dritte": 3, "dritten": 3, "drittes": 3, "dritter": 3, "vierte": 4, "vierten": 4, "funfte": 5, "funften": 5,
    "sechste": 6, "sechsten": 6, "letzte": -1, "letzten": -1, "letztes": -1, "letzter": -1,
    "primo": 1, "prima": 1, "secondo": 2, "seconda": 2, "terzo": 3, "terza": 3, "quarto": 4, "quarta": 4,
    "quinto": 5, "quinta": 5, "sesto": 6, "sesta": 6, "ultimo": -1, "ultima": -1,
    "primero": 1, "primer": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercero": 3, "tercer": 3, "tercera": 3,
    "cuarto": 4, "cuarta": 4, "sexto": 6, "sexta": 6,
}
_MORE = re.compile(
    r"\b(more|details?|elaborate|expand|explain|full|whole|describe|what (is|was|does)|"
    r"plus|davantage|detaille?r?|decri[rs]e?|explique[rz]?|"  # French
    r"mehr|genauer|einzelheiten|erklare|erzahl\w*|beschreib\w*|"  # German
    r"piu|dettagli|approfondisci|spiega(mi)?|descrivi|"  # Italian
    r"mas|detalles?|cuentame|explica(me)?|describe(me)?)\b")  # Spanish
_REFERS = re.compile(  # not the pronoun of an inverted question ("organisent-elles", "existe-t-il")
    r"(?<![-'’])\b(them|those|these|they|ones?|it|that|this|which of|any of|among|"
    r"eux|elles|ceux|celles|lesquel(le)?s|parmi|"
    r"davon|diese[nmr]?|denen|darunter|"
    r"loro|questi|queste|quelli|quelle|quali|"
    r"ellos|ellas|estos|estas|esos|esas|cuales)\b")
_WHICH_OF = re.compile(
    r"\b(which|any|how many|are any|is any|none) of (them|those|these|the above)\b|\bthose ones\b|"
    r"\blesquel(le)?s\b|\b(parmi|d'entre) (eux|elles|ceux-ci|celles-ci)\b|"
    r"\b(welche|wie viele|einige|keine?r?) (davon|von (ihnen|diesen|denen))\b|"
    r"\b(quali|quanti|quante|nessuno|alcuni) (di|tra|fra) (loro|questi|queste|quelli|quelle)\b|"
    r"\b(cuales|cuantos|cuantas|alguno|algunos|ninguno) de (ellos|ellas|estos|estas|esos|esas)\b")
_FOLLOW_START = re.compile(
    r"^\s*(and|but|also|what about|how about|only|just|now|ok|okay|then|"
    r"et|mais|aussi|seulement|et pour|qu'en est-il|"
    r"und|aber|auch|nur|was ist mit|"
    r"e|ma|anche|solo|e per|"
    r"y|pero|tambien|solo|y en|y para|que hay de)\b(?![-'’])", re.I)
# an ordinal points at a practice when nothing but "one", "practice" or "example" follows it ("the second one",
# "sur le deuxième"), not when it qualifies a word of its own ("the first step", "le premier accueil",
# "la prima accoglienza"; "secondo voi" is "according to you")
_POINTED = (r"(?=\s*(?:[?.!,;:]|$|(?:one|ones|practice|example|item|pratique|exemple|beispiel|praxisbeispiel|"
            r"pratica|esempio|practica|ejemplo|uno|una)\b))")
_ORDINAL = re.compile(rf"\b({'|'.join(sorted(_ORDINALS, key=len, reverse=True))})\b{_POINTED}"
                      r"|(?:number|no\.?|#|numero|nummer|n\.?o)\s*(\d)\b|\[(\d+)\]")
_STOP = {
    "and", "which", "of", "them", "those", "these", "are", "is", "in", "the", "a", "an", "what", "about", "how",
    "any", "only", "ones", "one", "there", "do", "does", "from", "with", "also", "me", "tell", "more", "show",
    "just", "then", "now", "city", "cities", "but", "for", "on", "that", "this", "they", "among", "it", "give",
    "list", "please", "ok", "okay", "where", "who", "some", "were", "was",
    # French
    "et", "les", "des", "une", "sur", "dans", "est", "sont", "qui", "que", "quoi", "quel", "quelle", "quels",
    "quelles", "lesquels", "lesquelles", "eux", "elles", "ceux", "celles", "parmi", "plus", "moi", "dis", "dites",
    "pour", "avec", "aussi", "mais", "seulement", "ville", "villes", "premier", "premiere", "deuxieme", "dernier",
    # German
    "und", "die", "der", "das", "den", "dem", "ein", "eine", "welche", "welcher", "davon", "sind", "ist", "mir",
    "mehr", "uber", "auch", "aber", "nur", "von", "mit", "fur", "diese", "denen", "stadt", "stadte", "erzahl",
    "erzahle", "zweite", "zweiten", "erste", "ersten", "dritte", "letzte",
    # Italian
    "per", "con", "del", "della", "delle", "dei", "degli", "quali", "quale", "sono", "loro", "questi", "queste",
    "quelli", "tra", "fra", "piu", "anche", "solo", "citta", "dimmi", "primo", "secondo", "terzo",
    # Spanish
    "los", "las", "por", "para", "cuales", "cual", "estan", "esta", "son", "ellos", "ellas",
    "estos", "estas", "entre", "mas", "sobre", "tambien", "pero", "ciudad", "ciudades", "cuentame", "dime",
    "primero", "segundo", "tercero", "ultimo",
}


def cities_in(text: str, known: Sequence[str]) -> list[str]:
    """Cities (or organisations) of the corpus named in a question, under their own name or another of the
    gazetteer's ("München", "Milano", "Genève"), in the order the question names them, each once."""
    folded = " " + fold(re.sub(r"[^\w\s-]", " ", text)) + " "
    found = [(at, c) for name, c, own in _names_table(tuple(known))
             if (at := folded.find(f" {name} ")) >= 0 and (own or written_as_named(text, name))]
    return list(dict.fromkeys(c for _, c in sorted(found, key=lambda x: x[0])))


@lru_cache(maxsize=8)
def _names_table(known: tuple[str, ...]) -> tuple[tuple[str, str, bool], ...]:
    """(folded name, city, whether it is the name the documents give it) for every name of every known city,
    longest name first: made once per list of cities (an index's), not per question. The documents' own name is
    read however written ("rotterdam"); another of the gazetteer's only when written as a name ("Gênes", "genève",
    not "genes")."""
    names = {fold(c): (c, True) for c in known if c}
    for c in known:
        for name in names_of(c) if c else ():
            names.setdefault(name, (c, False))
    return tuple(sorted(((n, c, own) for n, (c, own) in names.items()), key=lambda x: len(x[0]), reverse=True))


def content_words(text: str) -> list[str]:
    """The words of a question that say what it is about (no function words, in the framing languages)."""
    return [w for w in re.findall(r"[a-z]+", fold(text)) if w not in _STOP and len(w) > 2]


@dataclass(frozen=True, slots=True)
class Reading:
    """How to answer a question: what to search for, narrowed how, or which earlier item to expand."""

    query: str  # what to search for
    country: str = ""
    city: str = ""
    detail: dict[str, Any] | None = None  # a citation of an earlier answer to expand
    follow_up: bool = False
    orphan: bool = False  # refers to an earlier answer ("the second one", "which of them") when there is none
    earlier: tuple[dict[str, Any], ...] = ()  # for "which of them are in Spain?": the practices it asks about
    # "tell me more about the fifth one" (or "[7]") when the previous answer has fewer practices (sources):
    # (the number asked, how many it has, "practice" or "source")
    beyond: tuple[int, int, str] | None = None
    narrowing: str = ""  # "and for young people?": the words a follow-up adds to the previous topic


_TURN_TEXT = ("question", "answer", "query", "topic", "country", "city", "language")
_TURN_LISTS = ("areas", "nearest_areas")
# not "url": a link a caller sends back is not followed; pages build their own from doc_id and page
_CITATION_TEXT = ("record_id", "doc_id", "doc_title", "section", "city", "country", "kind", "title", "quote",
                  "grade")


def _citation(c: object) -> dict[str, Any] | None:
    if not (isinstance(c, dict) and isinstance(c.get("n"), int)):
        return None
    page = c.get("page")
    return {"n": c["n"], "page": page if isinstance(page, int) else None,
            **{k: str(c.get(k) or "") for k in _CITATION_TEXT}}


def clean_history(data: object) -> list[dict[str, Any]]:
    """Earlier turns as a caller sent them back (a web form, the API, a file), reduced to the fields of
    `Answer.to_json()` that follow-ups use, each of the right type; a turn without a question and an
    answer, and anything that is not a list of turns, is dropped. Callers are not trusted."""
    turns = []
    for item in data if isinstance(data, list) else []:
        if not (isinstance(item, dict) and isinstance(item.get("question"), str)
                and isinstance(item.get("answer"), str)):
            continue
        turn: dict[str, Any] = {k: item[k] if isinstance(item.get(k), str) else "" for k in _TURN_TEXT}
        turn.update({k: [s for s in item.get(k) or [] if isinstance(s, str)] if isinstance(item.get(k), list)
                     else [] for k in _TURN_LISTS})
        cites = item.get("citations")
        turn["citations"] = [c for c in map(_citation, cites if isinstance(cites, list) else []) if c]
        turn["found"] = item.get("found") is not False
        turns.append(turn)
    return turns


def _last(history: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    return history[-1] if history else None


def _practice_citations(turn: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [c for c in turn.get("citations", []) if c.get("kind") == "practice"]


def read_question(question: str, history: Sequence[Mapping[str, Any]], known_cities: Sequence[str]) -> Reading:
    """Resolve a question against the conversation so far."""
    q = question.strip()
    low = fold(q)
    last = _last(history)
    countries = countries_named(q)
    cities = [c for c in cities_in(q, known_cities) if c not in countries]
    words = content_words(q)
    place_words = {w for p in (*countries, *cities) for w in content_words(p)}
    own_topic = [w for w in words if w not in place_words]
    m = _ORDINAL.search(low)
    if last is None:
        refers_back = (m and (_MORE.search(low) or _REFERS.search(low)) and len(own_topic) <= 3) or \
            (_WHICH_OF.search(low) and len(own_topic) <= 1)
        return Reading(q, countries[0] if countries else "", cities[0] if cities else "", orphan=bool(refers_back))

    topic = str(last.get("topic") or last.get("query") or last.get("question") or "")
    previous = _practice_citations(last)
    # "tell me more about the second one", "more on [2]", "tell me more about Tampere"
    if m and (_MORE.search(low) or _REFERS.search(low)) and len(own_topic) <= 3:
        if m.group(3):  # a citation number
            n, count, what = int(m.group(3)), len(last.get("citations", [])), "source"
            chosen = next((c for c in last.get("citations", []) if c.get("n") == n), None)
        else:  # after an answer that lists no practice ("none is from Cyprus"), the last one that did
            listing = last if previous else next((t for t in reversed(history) if _practice_citations(t)), last)
            listed = _practice_citations(listing)
            n, count, what = _ORDINALS.get(m.group(1) or "", int(m.group(2) or 0)), len(listed), "practice"
            chosen = listed[n - 1] if n > 0 and n <= len(listed) else (listed[-1] if n == -1 and listed else None)
            if chosen is None:  # what is said is of the previous answer: "The previous answer shows no practice …"
                count = len(previous)
            else:
                topic = str(listing.get("topic") or listing.get("query") or listing.get("question") or "")
        if chosen is not None:
            return Reading(topic, detail=chosen, follow_up=True)
        return Reading(topic, follow_up=True, beyond=(n, count, what))  # not that many: say so, nothing else
    if cities and _MORE.search(low) and len(own_topic) <= 3:
        chosen = next((c for c in previous if fold(c.get("city", "")) == fold(cities[0])), None)
        if chosen is not None:
            return Reading(topic, detail=chosen, follow_up=True)
    # "and which of them are in Spain?", "what about Germany?", "any in Italy?"
    # a question with a topic of its own is a new question, whatever pronoun it uses ("How do Italian cities
    # fight racism in schools that are segregated?")
    refers = bool(_REFERS.search(low) or _FOLLOW_START.match(low)) and len(own_topic) <= 2
    if (countries or cities) and (refers or len(own_topic) <= 1):
        earlier = tuple(previous) if _WHICH_OF.search(low) or _REFERS.search(low) else ()
        return Reading(topic, countries[0] if countries else "", cities[0] if cities else "", follow_up=True,
                       earlier=earlier)
    # "and for schools?": a short follow-up adds its words to the previous topic
    if (start := _FOLLOW_START.match(low)) and 0 < len(own_topic) <= 3 and \
            not low.rstrip("?").startswith("what about"):
        # matched on the folded text: its words are the question's first ("and for young people" → "for young people")
        added = " ".join(q.split()[len(start.group().split()):]).strip(" ?!.¿¡")
        # the place of the previous answer stays: "and for women?" after "What does Genoa do for newcomers?"
        return Reading(f"{topic.rstrip(' ?!.')} {added or ' '.join(own_topic)}", str(last.get("country") or ""),
                       str(last.get("city") or ""), follow_up=True, narrowing=" ".join(own_topic))
    return Reading(q, countries[0] if countries else "", cities[0] if cities else "")
