"""Request and response bodies of the HTTP API (they also document it at /docs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from retriever.types import SearchFilters

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
CONVERSATION_ID = r"^[A-Za-z0-9_.:-]{1,64}$"


class Filters(BaseModel):
    """Restrict the documents an answer may use. By default only documents in force are used."""

    model_config = ConfigDict(extra="forbid")

    kb: list[str] = Field(default_factory=list, description="knowledge bases")
    doc_type: list[str] = Field(default_factory=list, description="年度报告 / 规范性文件 / 通知 / 政策解读 / ...")
    agency: str = ""
    region: str = ""
    date_from: str = Field("", pattern=rf"{ISO_DATE}|^$")
    date_to: str = Field("", pattern=rf"{ISO_DATE}|^$")
    include_lapsed: bool = Field(False, description="also use repealed or lapsed documents")
    on_date: str = Field("", pattern=rf"{ISO_DATE}|^$", description="judge validity on this day (default today)")
    sources: list[str] = Field(default_factory=list, description="only these document file names")

    def to_search(self) -> SearchFilters:
        return SearchFilters(
            kb=self.kb, doc_type=self.doc_type, agency=self.agency, region=self.region, date_from=self.date_from,
            date_to=self.date_to, in_force_only=not self.include_lapsed, on_date=self.on_date, sources=self.sources,
        )


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., min_length=1, description="the citizen's question")
    conversation_id: str | None = Field(None, pattern=CONVERSATION_ID, description="continue a conversation")
    filters: Filters | None = None
    stream: bool = Field(False, description="stream the answer as Server-Sent Events")


class AskResponse(BaseModel):
    model_config = ConfigDict(extra="allow")  # fields features add to the answer pass through

    answer_id: str = Field(description="quote it when sending feedback")
    conversation_id: str
    question: str
    answer: str
    refused: bool
    sentences: list[dict[str, Any]]
    citations: list[dict[str, Any]]
    retrieved: list[dict[str, Any]] = Field(default_factory=list)
    generator: str
    evidence_score: float
    timings: dict[str, float]
    label: str = Field(description="the AI-generated-content label to show with the answer")
    model: str = Field("", description="the language model that wrote the answer ('' = extractive)")
    prompt_version: str = ""
    notice: str = Field("", description="why the answer is not what was asked for, e.g. the model failed")
    rewritten_query: str = Field("", description="the standalone query a follow-up was rewritten into")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(..., min_length=1, max_length=64)
    rating: Literal["up", "down", 1, -1]
    comment: str = Field("", max_length=1000)

    @property
    def score(self) -> int:
        return 1 if self.rating in ("up", 1) else -1


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") in ("text", None))
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """OpenAI's chat completions request; sampling options are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = "policy-assistant"
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    conversation_id: str | None = Field(None, pattern=CONVERSATION_ID)
    filters: Filters | None = None

    @field_validator("messages")
    @classmethod
    def _has_user_message(cls, messages: list[ChatMessage]) -> list[ChatMessage]:
        if not any(m.role == "user" and m.text.strip() for m in messages):
            raise ValueError("at least one non-empty user message is required")
        return messages

    @property
    def question(self) -> str:
        return next(m.text for m in reversed(self.messages) if m.role == "user" and m.text.strip())


class ValidityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    validity: str = Field(..., description="现行有效 / 尚未施行 / 已失效 / 已废止 / 已修改 / 未知")
