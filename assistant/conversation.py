"""What a question means in its conversation: topic, places named, and references to earlier answers.

"and which of them are in Spain?" keeps the previous topic and narrows it to Spain; "tell me more about
the second one" points at the second practice of the previous answer. The history is explicit: the
earlier turns' `Answer.to_json()` dicts, oldest first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corpus.places import countries_named, fold

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "last": -1}
_MORE = re.compile(r"\b(more|details?|detail|elaborate|expand|explain|full|whole|describe|what (is|was|does))\b")
_REFERS = re.compile(r"\b(them|those|these|they|ones?|it|that|this|which of|any of|among)\b")
_WHICH_OF = re.compile(r"\b(which|any|how many|are any|is any|none) of (them|those|these|the above)\b|\bthose ones\b")
_FOLLOW_START = re.compile(r"^\s*(and|but|also|what about|how about|only|just|now|ok|okay|then)\b", re.I)
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|last|1st|2nd|3rd|4th|5th|6th)\b"
                      r"|(?:number|no\.?|#)\s*(\d)\b|\[(\d+)\]")
_STOP = {"and", "which", "of", "them", "those", "these", "are", "is", "in", "the", "a", "an", "what", "about",
         "how", "any", "only", "ones", "one", "there", "do", "does", "from", "with", "also", "me", "tell",
         "more", "show", "just", "then", "now", "city", "cities", "but", "for", "on", "that", "this", "they",
         "among", "it", "give", "list", "please", "ok", "okay", "where", "who", "some", "were", "was"}




def cities_in(text: str, known: Sequence[str]) -> list[str]:
    """Cities (or organisations) of the corpus named in a question, longest names first."""
    folded = " " + fold(re.sub(r"[^\w\s-]", " ", text)) + " "
    return [c for c in sorted(known, key=len, reverse=True) if c and f" {fold(c)} " in folded]


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-zà-ÿ]+", text.lower()) if w not in _STOP and len(w) > 2]


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


_TURN_TEXT = ("question", "answer", "query", "topic", "country", "city")
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
    low = q.lower()
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
            wanted = int(m.group(3))
            chosen = next((c for c in last.get("citations", []) if c.get("n") == wanted), None)
        else:
            n = _ORDINALS.get(m.group(1) or "", int(m.group(2) or 0))
            chosen = previous[n - 1] if n > 0 and n <= len(previous) else (previous[-1] if n == -1 and previous
                                                                             else None)
        if chosen is not None:
            return Reading(topic, detail=chosen, follow_up=True)
    if cities and _MORE.search(low) and len(own_topic) <= 3:
        chosen = next((c for c in previous if fold(c.get("city", "")) == fold(cities[0])), None)
        if chosen is not None:
            return Reading(topic, detail=chosen, follow_up=True)
    # "and which of them are in Spain?", "what about Germany?", "any in Italy?"
    refers = bool(_REFERS.search(low) or _FOLLOW_START.match(q))
    if (countries or cities) and (refers or len(own_topic) <= 1):
        earlier = tuple(previous) if _WHICH_OF.search(low) or _REFERS.search(low) else ()
        return Reading(topic, countries[0] if countries else "", cities[0] if cities else "", follow_up=True,
                       earlier=earlier)
    # "and for schools?": a short follow-up adds its words to the previous topic
    if _FOLLOW_START.match(q) and 0 < len(own_topic) <= 3 and not q.rstrip("?").lower().startswith("what about"):
        return Reading(f"{topic} {' '.join(own_topic)}", follow_up=True)
    return Reading(q, countries[0] if countries else "", cities[0] if cities else "")
