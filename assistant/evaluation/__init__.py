"""Evaluation against the judged sets of shared/eval/ (metric definitions in its README)."""

from __future__ import annotations

import re


def evidence_form(text: str) -> str:
    """Text as evidence strings are compared with it: white space collapsed to single spaces, case ignored."""
    return re.sub(r"\s+", " ", text).strip().lower()
