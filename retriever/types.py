"""The data objects everything else passes around: documents, chunks, hits, filters.

Ids are content hashes so that the same text always gets the same id, and every chunk carries what a citation
needs: the source file, its heading path, and the character offsets of its exact text in the document.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any, Literal

DocType = Literal["年度报告", "规范性文件", "通知", "政策解读", "办事指南", "法律法规", "其他"]
Validity = Literal["现行有效", "尚未施行", "已失效", "已废止", "已修改", "未知"]
ChunkKind = Literal["text", "table_row", "heading"]

DOC_TYPES: tuple[str, ...] = ("年度报告", "规范性文件", "通知", "政策解读", "办事指南", "法律法规", "其他")
IN_FORCE: frozenset[str] = frozenset({"现行有效", "未知"})


def content_hash(text: str) -> str:
    """A stable short id for a piece of text (sha256, 16 hex digits)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class DocumentMeta:
    """What is known about a document beyond its text. Every field may be overridden by a sidecar or the CLI."""

    title: str = ""
    index_number: str = ""  # 索引号
    doc_number: str = ""  # 文号, e.g. 泉鲤政办〔2024〕3号
    agency: str = ""  # 发布机构
    issued: str = ""  # 成文/发布日期, ISO yyyy-mm-dd
    effective: str = ""  # 施行日期, ISO
    expires: str = ""  # 有效期至, ISO
    doc_type: str = "其他"
    region: str = ""
    validity: str = "未知"
    year: int | None = None  # the year a report covers, or the year of issue

    def merged(self, overrides: dict[str, Any]) -> DocumentMeta:
        """A copy with the non-empty `overrides` applied; unknown keys raise ValueError."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown metadata field(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        data = asdict(self)
        data.update({k: v for k, v in overrides.items() if v not in (None, "")})
        if data.get("year") is not None:
            data["year"] = int(data["year"])
        return DocumentMeta(**data)

    def in_force_on(self, day: date | None = None) -> bool:
        """True unless the document is repealed, lapsed, not yet in force, or past its expiry on `day`."""
        day = day or date.today()
        if self.validity in ("已废止", "已失效"):
            return False
        if self.effective and self.effective > day.isoformat():
            return False
        return not (self.expires and self.expires < day.isoformat())


@dataclass
class PolicyDocument:
    """One source document as loaded: its identity, its full text, and its metadata."""

    source: str  # the file name, the document's identity in citations and evals
    text: str  # the text every chunk offset points into
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    kb: str = "default"
    path: str = ""  # where it was loaded from
    file_hash: str = ""  # hash of the raw file bytes
    format: str = "txt"

    @property
    def doc_id(self) -> str:
        """Stable per (knowledge base, source name): a new version of the same file keeps its id."""
        return content_hash(f"{self.kb}\x00{self.source}")

    @property
    def text_hash(self) -> str:
        return content_hash(self.text)


@dataclass
class Chunk:
    """A retrievable piece of a document.

    `text` is exactly `document.text[start:end]`; `clean` is the same content with PDF line breaks, page marks
    and digit spacing removed (what is read, embedded and indexed); `context` is what the chunk needs to be
    understood on its own (for a table row: its table's column headers and parent row labels).
    """

    doc_id: str
    ordinal: int
    text: str
    start: int
    end: int
    clean: str
    heading_path: list[str] = field(default_factory=list)
    kind: str = "text"
    context: str = ""
    units: list[tuple[int, int]] = field(default_factory=list)  # offsets of its sentences or table rows

    @property
    def chunk_id(self) -> str:
        # Everything that is indexed goes into the id, so a changed chunker makes new ids and a re-ingest.
        return content_hash(
            f"{self.doc_id}\x00{self.start}\x00{self.end}\x00{self.text}\x00{self.clean}\x00{self.heading}\x00{self.context}"
        )

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path)

    def embed_text(self, title: str) -> str:
        """What gets embedded and BM25-indexed: title and heading path first, then the content."""
        parts = [title, self.heading, self.context, self.clean]
        return "\n".join(p for p in parts if p)


@dataclass
class Hit:
    """A chunk returned by search, with its document and how each retrieval leg ranked it (1-based; None = not found)."""

    chunk: Chunk
    document: DocumentRecord
    score: float
    dense_rank: int | None = None
    dense_score: float | None = None
    lexical_rank: int | None = None
    lexical_score: float | None = None


@dataclass
class DocumentRecord:
    """A document as the registry knows it (without its full text)."""

    doc_id: str
    source: str
    kb: str
    meta: DocumentMeta
    version: int = 1
    text_hash: str = ""
    file_hash: str = ""
    path: str = ""
    format: str = "txt"
    n_chunks: int = 0
    ingested_at: str = ""


@dataclass
class SearchFilters:
    """Restrictions applied before ranking. Empty fields do not restrict."""

    kb: list[str] = field(default_factory=list)
    doc_type: list[str] = field(default_factory=list)
    agency: str = ""
    region: str = ""
    date_from: str = ""  # ISO, inclusive, on `issued`
    date_to: str = ""
    in_force_only: bool = True
    on_date: str = ""  # ISO; default today
    sources: list[str] = field(default_factory=list)

    def accepts(self, meta: DocumentMeta, kb: str, source: str) -> bool:
        if self.kb and kb not in self.kb:
            return False
        if self.sources and source not in self.sources:
            return False
        if self.doc_type and meta.doc_type not in self.doc_type:
            return False
        if self.agency and self.agency not in meta.agency:
            return False
        if self.region and self.region not in meta.region:
            return False
        if self.date_from and (not meta.issued or meta.issued < self.date_from):
            return False
        if self.date_to and (not meta.issued or meta.issued > self.date_to):
            return False
        if self.in_force_only:
            day = date.fromisoformat(self.on_date) if self.on_date else None
            return meta.in_force_on(day)
        return True
