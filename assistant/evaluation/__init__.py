"""Evaluation against the judged sets of shared/eval/ (metric definitions in its README)."""
