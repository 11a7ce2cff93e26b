"""What a question says about the ICC areas: areas it names in words ("media monitoring")."""

from __future__ import annotations

import re

from assistant.areas import AREAS, Area
from index.search import Filters, Hit, Searcher


def areas_named(question: str) -> list[Area]:
    """Areas whose name, alias or keyword the question contains, strongest evidence first."""
    low = " " + re.sub(r"[^\w\s/-]", " ", question.lower()) + " "
    scored: list[tuple[float, int, Area]] = []
    for n, a in enumerate(AREAS):
        score = 0.0
        for name in (a.name.lower(), *a.aliases):
            if f" {name} " in low:
                score = max(score, 2.0 if len(name) > 8 else 1.5)
        hits = {k for k in a.keywords if re.search(rf"(?<!\w){re.escape(k)}(?!\w)", low)}
        score += 0.5 * len(hits)
        if score >= 1.0:
            scored.append((score, n, a))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [a for _, _, a in scored]


def search_question(searcher: Searcher, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """Search as every entry point does: records of the areas the question names are boosted."""
    named = tuple(a.slug for a in areas_named(question))
    return searcher.search(question, k=k, filters=filters, boost_areas=named)
