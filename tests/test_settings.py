"""Settings in one place: the knobs of answers, drafts and grading are ICC_* settings too."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from assistant.answer import AskParams
from assistant.draft import DraftParams
from assistant.grading import GradeParams
from assistant.runtime import ask_params, draft_params
from assistant.settings import Settings


def test_unset_knobs_keep_the_built_in_parameters() -> None:
    settings = Settings()
    assert ask_params(settings) == AskParams()
    assert draft_params(settings) == DraftParams()


def test_every_knob_sets_a_field_of_its_parameters() -> None:
    fields = {"ask_": AskParams, "draft_": DraftParams, "grade_": GradeParams}
    knobs = [name for name in Settings.model_fields if name.startswith(tuple(fields))]
    assert len(knobs) >= 15
    for name in knobs:
        prefix = name.split("_", 1)[0] + "_"
        assert name.removeprefix(prefix) in {f.name for f in dataclasses.fields(fields[prefix])}, name


def test_knobs_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"ICC_ASK_MOST": "2", "ICC_ASK_MIN_RELEVANCE": "0.4", "ICC_DRAFT_GAPS": "1",
                       "ICC_GRADE_SHOW": "0.7", "ICC_WEAK_LIMIT": "3", "ICC_LOG_LEVEL": "info"}.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    ask, draft = ask_params(settings), draft_params(settings)
    assert (ask.most, ask.min_relevance, ask.practices) == (2, 0.4, AskParams().practices)
    assert (draft.gaps, draft.areas, draft.suggestions) == (1, 3, DraftParams().suggestions)
    assert ask.grading.show == draft.grading.show == 0.7 and ask.grading.pool == GradeParams().pool
    assert settings.log_level == "INFO"
    monkeypatch.setenv("ICC_LOG_LEVEL", "loud")
    with pytest.raises(ValidationError, match="DEBUG, INFO, WARNING"):
        Settings()
