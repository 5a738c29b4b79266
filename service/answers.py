"""The answer object every front end (CLI, HTTP, WeChat, evals) receives."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from retriever.types import Hit

REFUSAL_PREFIX = "未在已收录的政策文件中找到"
HANDOFF = "如需进一步了解，可拨打12345政务服务便民热线咨询，或向有关行政机关提出政府信息公开申请（依申请公开）。"


@dataclass
class Citation:
    """One numbered source: the document and the exact span of it that supports a sentence."""

    n: int
    doc: str  # the source file name
    title: str
    doc_number: str
    issued: str
    validity: str
    heading: str
    quote: str  # exactly document_text[start:end]
    start: int
    end: int
    chunk_id: str


@dataclass
class Sentence:
    text: str
    citations: list[int]
    verified: bool = True


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    sentences: list[Sentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    generator: str = "extractive"
    evidence_score: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    # --- generation (issue #3) ---
    model: str = ""  # the model that wrote the answer ("" for extractive answers)
    prompt_version: str = ""  # e.g. "answer.v1": the prompt file the model was given
    notice: str = ""  # why the answer is not what was asked for (e.g. the model failed: extractive fallback)
    conversation_id: str = ""
    rewritten_query: str = ""  # the standalone query a follow-up was rewritten into ("" = the question itself)

    def to_dict(self, with_hits: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "sentences": [asdict(s) for s in self.sentences],
            "citations": [asdict(c) for c in self.citations],
            "generator": self.generator,
            "evidence_score": round(self.evidence_score, 4),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "model": self.model,
            "prompt_version": self.prompt_version,
            "notice": self.notice,
            "conversation_id": self.conversation_id,
            "rewritten_query": self.rewritten_query,
        }
        if with_hits:
            data["retrieved"] = [hit_to_dict(h) for h in self.hits]
        return data

    def render_text(self) -> str:
        """The answer followed by its sources, as a terminal or a chat message shows it."""
        lines = [f"（{self.notice}）", self.answer] if self.notice else [self.answer]
        if self.citations:
            lines.append("")
            lines.append("来源：")
            for c in self.citations:
                lines.append(f"[{c.n}] {source_line(c)}")
                lines.append(f"    “{_one_line(c.quote, 120)}”")
        lines.append("")
        lines.append("（AI生成，仅供参考，以原文为准）")
        return "\n".join(lines)


def book_title(title: str) -> str:
    """《title》, with book marks inside the title turned into 〈〉 as Chinese usage nests them."""
    inner = title.strip()
    if inner.startswith("《") and inner.endswith("》") and inner.count("《") == 1:
        inner = inner[1:-1]
    return "《" + inner.replace("《", "〈").replace("》", "〉") + "》"


def source_line(c: Citation) -> str:
    parts = [book_title(c.title)]
    details = [x for x in (c.doc_number, c.issued, c.validity if c.validity != "未知" else "") if x]
    if details:
        parts.append("（" + "，".join(details) + "）")
    if c.heading:
        parts.append(" " + c.heading)
    return "".join(parts)


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    return {
        "doc": hit.document.source,
        "title": hit.document.meta.title,
        "chunk_id": hit.chunk.chunk_id,
        "heading": hit.chunk.heading,
        "text": hit.chunk.text,
        "start": hit.chunk.start,
        "end": hit.chunk.end,
        "score": round(hit.score, 6),
        "dense_rank": hit.dense_rank,
        "dense_score": None if hit.dense_score is None else round(hit.dense_score, 4),
        "lexical_rank": hit.lexical_rank,
        "lexical_score": None if hit.lexical_score is None else round(hit.lexical_score, 4),
        "validity": hit.document.meta.validity,
        "doc_type": hit.document.meta.doc_type,
    }


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
