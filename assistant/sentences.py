"""Sentences of a record and the ones that best answer a question: selected, never rewritten.

Every sentence returned is an exact substring of the record's text, so a citation can be checked
and highlighted in its document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from corpus.places import cities_with_country, fold, known_cities_in
from corpus.records import Record
from corpus.sentences import Sentence, split_sentences, statement, unusable
from index.backends import tokenize
from index.embed import Embedder
from index.store import LoadedIndex

# "it does not regularly monitor ...": what a city does not do is rarely what a reader asked about
_NEGATED = re.compile(r"\b(does not|doesn't|do not|don't|did not|has not|have not|is not|are not|lacks?|"
                      r"no longer|not yet|nor)\b", re.I)
# a problem the city faces ("Currently, Schifflange faces new challenges, including a housing shortage …") is not
# what it does: quoted only when nothing says the response better
_PROBLEM = re.compile(r"\b(faces?|facing|faced|confronted with) (\w+ ){0,2}(challenges?|problems?|difficult(y|ies)|"
                      r"issues?)(,| such as| including| like|:)|"
                      r"\b(challenges|problems|difficulties) (include|such as)\b|"
                      r"^(\w+, )?there (is|was|are|were) (a |an )?(lack|shortage|absence)\b", re.I)
# a sentence that leans on the one before it: quoted, it needs that one too
# (also after a date that opens it, "In 2005, it conducted …", and in lower case once a connective is cut off:
# "However, they must …" → "they must …")
_DANGLING = re.compile(r"(?:(?:In|Since|By|From|Until|After|Before) (?:\w+ )?\d{4}(?:[–-]\d{2,4})?, )?"
                       r"(It|Its|This|That|These|Those|They|Their|There|He|She|The latter|The former|Such|"
                       r"All of (this|these|them)|Both|Here|However|Otherwise|Additionally|Likewise|Moreover|"
                       r"Furthermore|Also|In addition|Linked to|Similarly|Nevertheless|Therefore|Thus|Still|Since then|"
                       r"Then|As a result|In this way|To this end|For this reason|Consequently|Hence|Accordingly|"
                       r"Meanwhile|In turn|In doing so|Following this|After that|Afterwards)\b", re.I)
# ... or that opens on what the one before set up ("Based on that, Botkyrka …", "With this program, we offer …"), or
# on the people of an activity it has not named ("The children expressed …", "Participants engage in …")
_SET_UP = re.compile(r"(?:(?i:Based on|Building on|With|Through|Thanks to|As part of|Within|Beyond|Besides|"
                     r"Apart from|Alongside|Along with|In addition to|On top of|Following|Under|Via|From) "
                     r"(?i:this|that|these|those|it|them|such)\b|"
                     r"The (?:participants|attendees|children|pupils|customers|clients|users|trainees|volunteers|"
                     r"families|youngsters|group members)\b|(?:Participants|Attendees|Trainees)\b)")
# ... or whose pronoun, early on, is the object of a preposition with nothing before it to stand for ("People go
# to them for advice …", "Together with them, we seek …")
_OBJECT_PRONOUN = re.compile(r"^\W*(?:[\w'’-]+,?\s){0,8}(?:to|with|about|for|of|from|by|on|in) (?:them|it)\b"
                             r"(?! (?:is|was|has) )", re.I)


def leans_back(sentence: str) -> bool:
    """Whether a sentence leans on the one before it: quoted, it needs that one too."""
    return bool(_DANGLING.match(sentence) or _SET_UP.match(sentence) or _OBJECT_PRONOUN.match(sentence))


# the report's advice to its own city ("the city may wish to consider ...") is not what another city does
_ADVICE = re.compile(r"\b(may wish to|might wish to|could consider|may consider|might consider|could explore|"
                     r"may be interested|could be interested|might be interested|it could be interesting|"
                     r"is encouraged to|would benefit)\b", re.I)


# how much longer than other quotes a leaning sentence quoted with its antecedent, and nothing else, may run
PAIR_ROOM = 300

# an opening connective that only links to the sentence before: the quote may start after it
CONNECTIVE = re.compile(r"(For instance|For example|However|Otherwise|Additionally|Likewise|Moreover|Furthermore|"
                        r"Also|In addition|Similarly|Nevertheless|Nonetheless|Therefore|Thus|Still|Besides|Finally|"
                        r"Lastly|In that sense|In this sense|In (?:this|that) (?:respect|regard|context)|"
                        r"On the other hand|At the same time|In general|Overall),\s+")


def _terms(text: str) -> set[str]:
    return {t for t in tokenize(text) if len(t) > 2}


_CITY_OF = re.compile(r"\b[Cc]ity of ([A-ZÀ-Þ][\w'’-]+)")


def _other_place(sentence: str, city: str) -> bool:
    """Whether a sentence speaks of another city and not of `city` (a record that ran on into the next
    city's practice): a known city, "Auckland (New Zealand)" or "the city of Auckland"."""
    if not city or fold(city) in fold(sentence):
        return False
    named = [c for _, c, _ in known_cities_in(sentence)] + [c for _, c, _ in cities_with_country(sentence)] \
        + _CITY_OF.findall(sentence)
    return any(fold(other) != fold(city) for other in named)


def flawed(sentence: str, city: str = "") -> bool:
    """A sentence that cannot stand for what `city` does: advice to a report's own city that does not
    name `city` ("the city may wish to consider ..."), or another city's practice. ("Hämeenlinna could
    consider the example of Camden, where ..." introduces Camden's practice: not flawed for Camden.)"""
    advice = bool(_ADVICE.search(sentence)) and not (city and fold(city) in fold(sentence))
    return advice or _other_place(sentence, city)


def closed(sentence: str) -> bool:
    """Whether a sentence ends on closing punctuation (a heading or a list's entry does not)."""
    return sentence.rstrip().endswith((".", "!", "?", ";", "”", '"', ")"))


def fragment(sentence: str) -> bool:
    """A heading, slogan or list label rather than a sentence: short and without closing punctuation."""
    return len(sentence.split()) < 14 and not closed(sentence)


def heading(s: Sentence) -> bool:
    """A line of its own that heads what follows: a fragment that is no list entry nor introduces one."""
    return fragment(s.text) and not s.item and not s.text.endswith(":")


def embedded(records: Sequence[Record], index: LoadedIndex | None, embedder: Embedder
             ) -> list[tuple[list[Sentence], np.ndarray]]:
    """Each record's sentences with their vectors: as built into the index, so that an answer embeds only
    its question; records not in the index (an uploaded report's) are embedded here, in one batch."""
    out: list[tuple[list[Sentence], np.ndarray] | None] = [index.sentences(r) if index is not None else None
                                                              for r in records]
    missing = [i for i, o in enumerate(out) if o is None]
    if missing:
        split = {i: split_sentences(records[i].text) for i in missing}
        flat = [s.text for i in missing for s in split[i]]
        vecs = embedder.embed_batch(flat) if flat else np.zeros((0, embedder.dim), np.float32)
        pos = 0
        for i in missing:
            n = len(split[i])
            out[i] = (split[i], vecs[pos:pos + n])
            pos += n
    return [o for o in out if o is not None]


# where a report's advice introduces another city's practice: "… could consider the example of Camden (UK),
# where …", "… could be interested in the case of the city of Novellara …"
_INTRODUCED = re.compile(r"\b(?:example|case|experience|practice|model)s? of (?:the (?:city|town|municipality) of )?",
                         re.I)


def trimmed(s: Sentence, city: str = "") -> Sentence:
    """The sentence without an opening connective ("Otherwise, an example ..." → "an example ..."), and,
    for `city`'s practice, without the report's advice that introduces it ("Hämeenlinna could consider the
    example of Camden (UK), where uses …" → "Camden (UK), where uses …"): the quote says what the city does."""
    m = CONNECTIVE.match(s.text)
    if m:
        s = Sentence(s.start + m.end(), s.end, s.text[m.end():], s.item)
    if city:
        for m in _INTRODUCED.finditer(s.text):
            if fold(s.text[m.end():m.end() + len(city)]) == fold(city) and _ADVICE.search(s.text[:m.start()]):
                return Sentence(s.start + m.end(), s.end, s.text[m.end():], s.item)
    return s


def _with_antecedents(chosen: list[int], sents: Sequence[Sentence], usable: Mapping[int, float], max_chars: int,
                      most: int) -> list[int]:
    """`chosen` (sorted) with what each sentence that leans on the one before ("It has been in place since
    2010.") needs: that one, when it is usable, does not lean on another in turn, and fits in `max_chars` and
    `most`; else, when something else is quoted, the leaning sentence is left out rather than quoted without
    it."""
    def leans(j: int) -> bool:
        return j > 0 and leans_back(trimmed(sents[j]).text)

    def antecedent(j: int) -> bool:  # the sentence before j can be quoted with it: usable, not leaning in turn
        return j - 1 in usable and not leans(j - 1)

    # a leaning sentence whose antecedent cannot be quoted goes first, when something else is quoted: it must
    # not crowd out one that can have its antecedent
    out = [j for j in chosen if not (leans(j) and j - 1 not in chosen and not antecedent(j))] or list(chosen)
    for j in list(out):
        if j not in out or j - 1 in out or not leans(j):
            continue
        pair = [j - 1, j]
        # room for the pair: the other sentences go, the least good first, while there are too many; never a
        # better one than the leaning sentence (then that one goes instead)
        rest = sorted((i for i in out if i != j), key=lambda i: usable.get(i, 0.0))
        while rest and len(rest) + 2 > most and usable.get(rest[0], 0.0) <= usable.get(j, 0.0):
            rest.pop(0)
        leans_too = j - 2 not in rest and leans(j - 1)
        # the pair alone may run longer: a leaning sentence is quoted with what it leans on or not at all
        if j - 1 in usable and not leans_too and len(rest) + 2 <= most and \
                sum(len(sents[i].text) for i in (*rest, *pair)) <= (max_chars if rest else max_chars + PAIR_ROOM):
            out = sorted([*rest, *pair])  # say what "it" is before it is used
        elif len(out) > 1:
            out.remove(j)
    if len(out) == 1 and leans(out[0]):
        # alone, it would lean on nothing shown: the best sentence that does not lean, or that can come with the
        # one it leans on, when nearly as good
        def with_antecedent(i: int) -> list[int] | None:
            if not leans(i):
                return [i]
            ok = antecedent(i) and len(sents[i - 1].text) + len(sents[i].text) <= max_chars + PAIR_ROOM
            return [i - 1, i] if ok else None

        alone = [i for i in usable if i != out[0] and with_antecedent(i)]
        if alone and usable[(best := max(alone, key=lambda i: usable[i]))] >= 0.6 * usable[out[0]]:
            out = with_antecedent(best) or out
    return out


def best_sentences(query: str, split: Sequence[Sequence[Sentence]], sims: Sequence[np.ndarray], most: int = 2,
                   max_chars: int = 420, cities: Sequence[str] = (), must: str = "",
                   titles: Sequence[str] = ()) -> list[list[Sentence]]:
    """For each record (its sentences and their similarities to the query), the one or two sentences
    that best say what was done about the query, in reading order.

    Score = cosine to the query + term overlap + a small bonus for the opening sentence (which
    usually says who does what), less penalties for what is not a practice (advice, another city, a
    question, a negation, a call, a heading). A second sentence is kept when it is nearly as good, or
    when it directly follows the best one, and both fit in `max_chars`. A sentence that leans on the one
    before ("They ...") comes with that one; contact lines and web addresses are never chosen. `must`: words
    the quote should hold (what a follow-up narrowed the topic to: "and in schools?"); a record's sentences
    that hold none of them come after those that do. `titles`: each record's title, never quoted alone when the
    record says more ("COMMIT to Rights: Office for Non-Discrimination" above the project it names)."""
    qterms = _terms(query)
    needed = _terms(must)
    out: list[list[Sentence]] = []
    for n, (sents, sim) in enumerate(zip(split, sims, strict=True)):
        title = fold(titles[n]) if n < len(titles) else ""
        usable = [j for j, s in enumerate(sents) if not unusable(s.text)]
        if title and len(usable) > 1:  # the title is said above the quote
            usable = [j for j in usable if fold(sents[j].text).rstrip(" .:") != title] or usable
        # the next section's headings, left at the record's end ("A better inclusion of migrants starts in cities")
        end = len(sents)
        while end > 0 and heading(sents[end - 1]):
            end -= 1
        usable = [j for j in usable if j < end] or usable
        if not usable:
            out.append([])
            continue
        city = cities[n] if n < len(cities) else ""
        terms = {j: _terms(sents[j].text) for j in usable}
        holding = {j for j in usable if needed & terms[j]}
        scores: dict[int, float] = {}
        for j in usable:
            t = sents[j].text
            overlap = len(qterms & terms[j]) / (len(qterms) or 1)
            scores[j] = (float(sim[j]) + 0.25 * overlap + (0.05 if j == 0 else 0.0)
                         - (0.1 if len(t) > max_chars else 0.0)
                         - (0.15 if t.endswith("?") else 0.0)  # a question is not what was done
                         - (0.15 if _NEGATED.search(t) else 0.0)
                         - (0.15 if _PROBLEM.search(t) else 0.0)
                         - (0.2 if statement(t) else 0.0)
                         - (0.3 if flawed(t, city) else 0.0)
                         - (0.2 if fragment(t) and not sents[j].item else 0.0)  # a list's entry is no heading
                         - (0.1 if j == 0 and leans_back(t) else 0.0)  # leans on nothing it can show
                         - (0.5 if holding and j not in holding else 0.0))
        order = sorted(scores, key=lambda j: -scores[j])
        first = order[0]
        chosen = [first]
        for j in order[1:]:
            if len(chosen) >= most:
                break
            if heading(sents[j]) or (fragment(sents[j].text) and not sents[first].text.endswith(":")
                                     and not qterms & terms[j] and scores[j] < 0.9 * scores[first]):
                continue  # a heading, or another entry's label off the question, is not part of what it says
            near = abs(j - first) == 1
            if (near or scores[j] >= 0.9 * scores[first]) and \
                    len(sents[first].text) + len(sents[j].text) <= max_chars:
                chosen.append(j)
        chosen = _with_antecedents(sorted(chosen), sents, scores, max_chars + 200, max(most, 2))
        last = chosen[-1]
        if sents[last].text.rstrip().endswith(":") and last + 1 in scores and \
                sum(len(sents[j].text) for j in chosen) + len(sents[last + 1].text) <= max_chars + PAIR_ROOM:
            chosen.append(last + 1)  # "… free from discrimination:" says what follows: its first entry comes too
        picked = [sents[j] for j in chosen]
        picked[0] = trimmed(picked[0], city)  # the first quoted sentence opens on what the city does
        out.append(picked)
    return out
