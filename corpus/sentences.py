"""Sentences of a text with their offsets: the units an answer quotes and the index embeds.

Every sentence is an exact substring of the text it came from, so a citation can be checked and
highlighted in its document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# a full stop after these is not the end of a sentence
_ABBREV = {"e.g", "i.e", "etc", "st", "dr", "mr", "mrs", "ms", "no", "nr", "approx", "vs", "cf", "incl", "fig",
           "art", "p", "pp", "ca", "ed", "eds", "prof", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
           "sep", "sept", "oct", "nov", "dec"}
_END = re.compile(r"[.!?…](?:[\"”’')\]]*)\s+(?=[\"“‘'(\[]?[A-ZÀ-ÖØ-Þ0-9])")
_MIN_WORDS = 6
@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # offsets into the record's text
    end: int
    text: str
    item: bool = False  # an entry of a bulleted list ("- Decentralized housing supply in all districts")


_BULLET = re.compile(r"(?:^|\n)[ \t]*[-•●▪*](?:[ \t]+o)?[ \t]*$")  # ("- o …": a second-level entry)


def list_item(text: str, start: int) -> bool:
    """Whether the sentence of `text` that starts at `start` opens an entry of a bulleted list."""
    return bool(_BULLET.search(text, max(0, start - 8), start))


def split_sentences(text: str, short_entries: bool = False) -> list[Sentence]:
    """Sentences of `text` with their offsets; paragraph and list breaks end a sentence too.
    Headings and other short lines without a verb-like length are dropped; so are a list's short entries
    ("Financial support;") unless `short_entries`."""
    out: list[Sentence] = []
    for para in _paragraphs(text):
        base, chunk = para.start(), para.group()
        cut = 0
        for m in _END.finditer(chunk):
            word = re.search(r"(\S+)$", chunk[cut:m.start() + 1])
            last = word.group(1).rstrip(".").lower().lstrip("(\"“") if word else ""
            if last in _ABBREV or (len(last) == 1 and last.isalpha()):
                continue
            if _inside_quote(chunk[cut:m.end()], chunk[m.end():m.end() + _QUOTE_REACH]):
                continue  # "the campaign 'See it. Say it. Report it.'" is one sentence
            _add(out, text, base + cut, base + m.end(), short_entries)
            cut = m.end()
        _add(out, text, base + cut, base + len(chunk), short_entries)
    return out


_OPENS = re.compile(r"(?:^|(?<=[\s(\[]))['‘\"“](?=[^\W\d_])")  # not "the '90s"
_CLOSES = re.compile(r"(?<=[\w.!?,;:])['’\"”](?=$|[\s.,;:!?)\]])")
_QUOTE_REACH = 80  # how far on a quotation opened in a sentence must close for a full stop inside it not to end it


def _inside_quote(before: str, after: str) -> bool:
    """Whether a full stop stands inside a short quotation: one opened before it in the sentence and not
    closed yet, which closes within _QUOTE_REACH characters after it."""
    return len(_OPENS.findall(before)) > len(_CLOSES.findall(before)) and bool(_CLOSES.search(after))


def _paragraphs(text: str) -> list[re.Match[str]]:
    """Runs of lines that belong to one paragraph: a line break ends one before a list item, and after
    a heading-like line (short, no closing punctuation) followed by a capitalised line."""
    out: list[re.Match[str]] = []
    for block in re.finditer(r"[^\n]+(?:\n(?!\n|\s*[-•●▪*]\s|\s*\d+[.)]\s)[^\n]+)*", text):
        lines = list(re.finditer(r"[^\n]+", block.group()))
        start = 0
        for a, b in zip(lines, lines[1:], strict=False):
            line = a.group().strip()
            if line and line[-1] not in ".,;:!?…-–—(" and len(line.split()) < 15 and b.group()[:1].isupper():
                if re.match(r"[-•●▪*]|\d+[.)]\s", line):  # a list item ends here
                    out.append(_span(text, block.start() + start, block.start() + a.end()))
                start = b.start()  # a heading is not a sentence to quote
        out.append(_span(text, block.start() + start, block.end()))
    return out


def _span(text: str, start: int, end: int) -> re.Match[str]:
    m = re.compile(r"[\s\S]*").match(text, start, end)
    assert m is not None
    return m


# capitals that open a sentence before its first word: the last line of a heading that the page's text ran into
# the paragraph ("… TO MAKE\nVILNIUS HOME Vilnius proudly serves as home …")
# (words of three capitals and more, one of five: "EU AMIF Funding supports …" keeps its acronyms)
_CAPS_HEAD = re.compile(r"(?=[^a-z]*[A-ZÀ-Ý]{5})(?:[A-ZÀ-Ý][A-ZÀ-Ý'’-]{2,}[:,]?\s+){2,}(?=[A-ZÀ-Ý][a-zß-ÿ])")


def _add(out: list[Sentence], text: str, start: int, end: int, short_entries: bool) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip(" \t-•●▪*"))
    piece = piece.strip(" \t-•●▪*\n")
    s = start + lead
    item = list_item(text, s)
    if item and (sub := re.match(r"o\s+(?=\S)", piece)):  # a second-level entry's "o" bullet ("- o Manuals …")
        piece, s = piece[sub.end():], s + sub.end()
    if not item and (s == 0 or text[s - 1] == "\n") and (caps := _CAPS_HEAD.match(piece)):
        piece, s = piece[caps.end():], s + caps.end()  # the end of a heading run into the paragraph under it
    if not piece or (len(piece.split()) < _MIN_WORDS and not (short_entries and item)):
        return
    out.append(Sentence(s, s + len(piece), piece, item))


# contact lines and addresses say nothing about what a city does
# (a phone number, not a span of years: "The Gender Plan 2018-2022 addresses …" is a sentence to quote)
CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://|www\.|"
                     r"(?<![\w-])(?!(?:19|20)\d\d ?[-–/] ?(?:19|20)?\d\d\b)\+?\d[\d ()/-]{7,}\d")
# a network's or organisation's call or statement about policy, not something it did
STATEMENT = re.compile(r"\b(calls? (on|for)|urges?|we (ask|demand|believe|call)|are aware of|must be|should be|"
                        r"need(s)? to be|is vital|is essential|plays? an? (essential|key|pivotal) role|"
                        r"serve as pivotal)\b", re.I)
# the index describing itself ("Indicators on ... have been included in the Index in 2019. The data collected
# so far is not yet relevant for statistical purposes. So far, 46 cities have replied to this new chapter")
ABOUT_INDEX = re.compile(r"\b(included in the (intercultural cities )?index|the (icc |intercultural cities )?index "
                         r"(is|was|has)|indicators on|data collected so far (is|are) not yet relevant|new "
                         r"(intercultural cities )?index chapter|new chapter of the (intercultural cities )?index)\b",
                         re.I)
# a sentence about cities or Europe in general ("Cities serve as pivotal actors ...") names no one who acts
GENERAL = re.compile(r"\b(cities|municipalities|local (and regional )?(authorities|governments)|the EU|European Union|"
                     r"Europe|member states)\b", re.I)


def unusable(sentence: str) -> bool:
    """A sentence never quoted: a contact line, e-mail or web address, or the index describing itself."""
    return bool(CONTACT.search(sentence) or ABOUT_INDEX.search(sentence))


def statement(sentence: str) -> bool:
    """A call or policy statement ("Cities call on the EU ...") rather than what someone did."""
    return bool(STATEMENT.search(sentence))


def policy_statement(text: str) -> bool:
    """Whether a text is a network's or organisation's statement about policy rather than something it
    did: at least four sentences, half of them calls or claims about cities and Europe in general."""
    sents = split_sentences(text)
    general = sum(1 for s in sents
                  if statement(s.text) or GENERAL.search(s.text.replace("Intercultural Cities", "ICC")))
    return len(sents) >= 4 and general >= 0.5 * len(sents)
