"""The words of a draft's recommendation paragraph (assistant/draft.py chooses what it says; this module, how):
the report's gap as an action in the report's own words (`verb_phrase`), whether a practice's sentence says
what it did and so may be quoted as its action (`says_what_it_does`), and the part of it the paragraph
quotes (`clause`)."""

from __future__ import annotations

import re

from assistant.sentences import CONNECTIVE, flawed, fragment, unusable
from corpus.sentences import statement

# "the city does not monitor X": the report's own words for what the city could do
_VERB_PHRASE = re.compile(r"\b(?:does not|doesn't|do not|don't)\s+(?P<vp>[a-z][^.;:]*)", re.I)
_NEXT_NEGATION = re.compile(r",?\s+(?:and|or|nor)\s+(?:it\s+)?(?:does not|doesn't|do not|don't)\s+|,\s+(?:although|"
                            r"but|while|whereas|as|since|even though|which is|leading)\b|\s+although\b", re.I)
_NOT_A_VERB = frozenset({"out", "in", "on", "a", "an", "the", "any", "yet", "of", "to", "for", "with", "as", "by",
                         "currently", "always", "necessarily", "only", "so", "its", "their"})


def verb_phrase(sentence: str) -> str:
    """'The city does not monitor how media portray X.' → 'monitor how media portray X' (the first such
    clause; '' when the sentence has none that reads as an action)."""
    m = _VERB_PHRASE.search(sentence)
    if not m:
        return ""
    vp = m.group("vp")
    cut = _NEXT_NEGATION.search(vp)
    if cut:
        vp = vp[:cut.start()]
    vp = vp.strip(" ,")
    words = vp.split()
    if not words or words[0].lower() in _NOT_A_VERB or len(words) < 3 or len(words) > 32:
        return ""
    if re.search(r"\b(that|those) of\b", vp, re.I):
        return ""  # "does not adequately mirror that of ...": leans on a noun before it
    if words[0].lower() in ("have", "has") and len(words) > 1 and words[1].lower().endswith("ed"):
        return ""  # "does not have instructed ...": the report's slip, not an action to repeat
    return vp


# a sentence that says what someone did or does (not a problem, a purpose, a slogan or a partner list)
_ACTS = re.compile(
    r"\b(set(s|ting)? up|launch(ed|es)?|creat(ed|es)|establish(ed|es)|organi[sz](ed|es)|runs?|ran|offer(s|ed)|"
    r"provid(es|ed)|develop(s|ed)|adopt(s|ed)|introduc(es|ed)|implement(s|ed)|train(s|ed)|support(s|ed)|fund(s|ed)|"
    r"finance[sd]|hold(s)?|(has|have|had) been \w+ing|(is|are) \w+ing|held|host(s|ed)|start(s|ed)|open(s|ed)|"
    r"buil[dt]s?|br(ings|ought)|work(s|ed)|invit(es|ed)|"
    r"employ(s|ed)|hir(es|ed)|award(s|ed)|present(s|ed)|publish(es|ed)|promot(es|ed)|encourag(es|ed)|"
    r"co-?ordinat(es|ed)|manag(es|ed)|us(es|ed)|involv(es|ed)|engag(es|ed)|gather(s|ed)|connect(s|ed)|"
    r"bring(s)?|help(s|ed)|assist(s|ed)|advis(es|ed)|translat(es|ed)|monitor(s|ed)|map(s|ped)|collect(s|ed)|"
    r"committed|commits|appoint(s|ed)|recruit(s|ed)|reach(es|ed)|cooperat(es|ed)|partner(s|ed)|design(s|ed)|"
    r"deliver(s|ed)|run by|is (an?|the) [\w-]+ (initiative|project|programme|program|service|network|centre|"
    r"center|platform|campaign|tool|strategy|plan|policy|scheme|council|committee|body|office|festival|event))\b",
    re.I)
_PURPOSE = re.compile(r"(To|In order to|Aimed at|Aiming)\b")
_LEAD_PLACE = re.compile(r"(In|At|For) [^,;:]{2,60}?(\([^)]{2,40}\))?,\s+(?=[a-z\"“A-Z])", re.I)
# advice to a report's own city ("Hämeenlinna could consider the example of Camden, where ..."), a claim of
# importance rather than something done, or a national body acting (not a city's practice to follow)
_ADVICE = re.compile(r"\b(could consider|may wish|might wish|may consider|might consider|could explore|may explore|"
                     r"is encouraged|could be inspired|may be interested|is (crucial|vital|essential|key|of utmost)|"
                     r"priority)\b|\b(Ministry|[Nn]ational government|[Ff]ederal government|the [Gg]overnment)\b", re.I)


def says_what_it_does(sentence: str, city: str = "") -> bool:
    """Whether a sentence says what a practice does: an action verb, a subject (not a bare purpose such as
    'To identify ...', not a pronoun with nothing before it), no advice, call or question."""
    t = sentence.strip()
    if not t or t.endswith("?") or _PURPOSE.match(t) or statement(t) or flawed(t, city) or unusable(t) \
            or fragment(t) or _ADVICE.search(t):
        return False
    return bool(_ACTS.search(t))


def clause(sentence: str, most: int = 32) -> str:
    """The part of a practice's sentence the paragraph quotes: without its opening place ('In Lublin
    (Poland), ') or connective, cut at a clause boundary when long (an exact piece of the sentence)."""
    t = sentence.strip()
    m = CONNECTIVE.match(t) or re.match(r"(for instance|for example|however|also),\s+", t, re.I)
    if m:
        t = t[m.end():]
    m = _LEAD_PLACE.match(t)
    if m and len(t) - m.end() > 40:
        t = t[m.end():]
    words = t.split()
    if len(words) > most:  # a long opening phrase ("Living in a rapidly changing environment, ..."): start
        act = _ACTS.search(t)  # at the comma-separated part that says what was done
        at = t.rfind(", ", 0, act.start()) if act else -1
        if act and at > 0 and len(t[:act.start()].split()) > most // 3:
            t = t[at + 2:]
            words = t.split()
    if len(words) <= most:
        return _balanced(t.rstrip(" .;:"))
    head = " ".join(words[:most])
    cut = max(head.rfind(", "), head.rfind("; "), head.rfind(" – "), head.rfind(" - "))
    if cut >= len(" ".join(words[:12])):
        head = head[:cut]
    return _balanced(head.rstrip(" ,;:-–")) + " …"


def _balanced(t: str) -> str:
    """Without a closing quotation mark whose opening one is outside the piece."""
    while t.endswith(("”", '"')) and t.count("“") < t.count("”") or t.count('"') % 2:
        t = t[:-1].rstrip() if t.endswith(("”", '"')) else t.replace('"', "", 1)
    return t
