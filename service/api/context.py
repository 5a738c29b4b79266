"""What the HTTP API and the web UI share: one assistant, its audit log, metrics, limits and the index writer lock.

Front ends call these methods instead of the assistant directly, so every channel is audited, counted and
limited the same way.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.pipeline import FileResult
from retriever.types import DocumentRecord, SearchFilters
from service.answers import Answer
from service.api.auth import resolve_staff_token
from service.api.errors import ApiError
from service.api.metrics import Metrics, standard_metrics
from service.api.ratelimit import RateLimiter
from service.audit import AuditContext, AuditLog, audit_context
from service.db import Database
from service.errors import UserInputError
from service.settings import Settings
from service.writelock import WriteLock

log = logging.getLogger(__name__)

AI_LABEL = "AI生成，仅供参考，以原文为准"
VALIDITIES = ("现行有效", "尚未施行", "已失效", "已废止", "已修改", "未知")
_BAD_NAME_CHARS = set('<>:"|?*') | {chr(i) for i in range(32)}


@dataclass
class AskResult:
    answer: Answer
    answer_id: str
    conversation_id: str

    def to_dict(self, with_hits: bool = True) -> dict[str, Any]:
        data = self.answer.to_dict(with_hits=with_hits)
        data.update(answer_id=self.answer_id, conversation_id=self.conversation_id, label=AI_LABEL)
        return data


@dataclass
class Upload:
    filename: str
    data: bytes


class ServiceContext:
    """Built once per process by `create_app` (the assistant is heavy: embedder and index load here)."""

    def __init__(self, settings: Settings, assistant: Any = None, db: Database | None = None) -> None:
        self.settings = settings
        self.staff_token = resolve_staff_token(settings)
        if assistant is None:
            from service.assistant import Assistant  # heavy; tests may pass their own

            assistant = Assistant(settings)
        self.assistant = assistant
        self.db = db or Database(Path(settings.data_dir) / "service.sqlite3")
        self.audit = AuditLog(self.db).attach(assistant)
        self.metrics: Metrics = standard_metrics()
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
        self.writer = WriteLock(Path(settings.data_dir) / "index.write.lock")
        self.uploads_dir = Path(settings.data_dir) / "uploads"
        self.max_upload_bytes = int(settings.max_upload_mb * 1024 * 1024)
        self._ask_params = set(inspect.signature(assistant.ask).parameters)

    # --- questions ---

    def ask(self, question: str, channel: str, conversation_id: str | None = None,
            filters: SearchFilters | None = None) -> AskResult:
        """Answer and audit one question. Raises UserInputError (bad question) or ProviderError (backend down)."""
        cid = conversation_id or uuid.uuid4().hex
        kwargs: dict[str, Any] = {"filters": filters}
        if "conversation_id" in self._ask_params:
            kwargs["conversation_id"] = cid
        started = time.perf_counter()
        with audit_context(channel=channel, conversation_id=cid) as ctx:
            try:
                answer = self.assistant.ask(question, **kwargs)
            except Exception as exc:
                self._count_error(exc)
                raise
        return self._finish(answer, ctx, channel, started)

    def ask_events(self, question: str, channel: str, conversation_id: str | None = None,
                   filters: SearchFilters | None = None) -> Iterator[tuple[str, Any]]:
        """("token", text) as the answer is written (unverified), then ("answer", AskResult), which replaces them.

        Errors (UserInputError, ProviderError) are raised by the first `next()`, before anything is sent. The
        assistant's stream runs in one worker thread, inside one audit context, whatever thread iterates this.
        """
        stream = getattr(self.assistant, "ask_stream", None)
        if stream is None:  # an assistant without streaming: the whole answer, in sentence pieces
            result = self.ask(question, channel, conversation_id, filters)
            yield from (("token", piece) for piece in self.stream_pieces(result))
            yield "answer", result
            return
        cid = conversation_id or uuid.uuid4().hex
        events: queue.Queue[tuple[str, Any]] = queue.Queue()

        def work() -> None:
            started = time.perf_counter()
            try:
                with audit_context(channel=channel, conversation_id=cid) as ctx:
                    for event in stream(question, conversation_id=cid, filters=filters):
                        if event["type"] == "token":
                            events.put(("token", event["text"]))
                if ctx.answer is None:
                    raise RuntimeError("the assistant's stream ended without an answer")
                events.put(("answer", self._finish(ctx.answer, ctx, channel, started)))
            except Exception as exc:  # handed to the reader, which raises it where the caller can handle it
                self._count_error(exc)
                events.put(("error", exc))

        threading.Thread(target=work, name="ask-stream", daemon=True).start()
        while True:
            kind, value = events.get()
            if kind == "error":
                raise value
            yield kind, value
            if kind == "answer":
                return

    def _count_error(self, exc: Exception) -> None:
        if not isinstance(exc, UserInputError):
            self.metrics.inc("policy_generator_errors_total", error=type(exc).__name__)

    def _finish(self, answer: Answer, ctx: AuditContext, channel: str, started: float) -> AskResult:
        self.metrics.observe("policy_answer_duration_seconds", time.perf_counter() - started)
        self.metrics.inc("policy_answers_total", channel=channel, refused=str(answer.refused).lower())
        if answer.refused:
            self.metrics.inc("policy_refusals_total", channel=channel)
        if getattr(answer, "notice", ""):  # the model failed and the extractive answer stood in
            self.metrics.inc("policy_generator_errors_total", error="fallback")
        return AskResult(answer, ctx.id_in(self.audit), ctx.conversation_id)

    @staticmethod
    def stream_pieces(result: AskResult) -> Iterator[str]:
        """The answer text in display order, one sentence (with its markers) at a time."""
        text = result.answer.answer
        start = 0
        for i, ch in enumerate(text):
            if ch in "。！？；\n" and i + 1 < len(text) and text[i + 1] != "[":
                yield text[start : i + 1]
                start = i + 1
        if start < len(text):
            yield text[start:]

    def feedback(self, answer_id: str, rating: int, comment: str = "") -> None:
        self.audit.feedback(answer_id, rating, comment)

    def rate_limit(self, client: str) -> None:
        """Raises ApiError 429 with Retry-After when `client` has used up its requests."""
        wait = self.limiter.acquire(client)
        if wait > 0:
            self.metrics.inc("policy_rate_limited_total")
            after = self.limiter.retry_after(wait)
            raise ApiError(429, "rate_limited", f"too many requests; please wait {after} s and try again",
                           headers={"Retry-After": after})

    def passage(self, chunk_id: str, start: int, end: int, margin: int = 160) -> tuple[str, str, str] | None:
        """(before, quote, after): the quoted span inside its paragraph, for highlighting; None if stale."""
        registry = self.assistant.index.registry
        chunk = registry.chunks_by_id([chunk_id]).get(chunk_id)
        if chunk is None:
            return None
        text = registry.document_text(chunk.doc_id)
        if not (0 <= start < end <= len(text)):
            return None
        para_start = max(text.rfind("\n", 0, start) + 1, start - margin)
        para_end = text.find("\n", end)
        para_end = min(len(text) if para_end < 0 else para_end, end + margin)
        return text[para_start:start], text[start:end], text[end:para_end]

    # --- documents (staff) ---

    def check_upload(self, filename: str, size: int) -> str:
        """A safe file name for an upload; raises ApiError 415 for an unsupported type, 413 when too large."""
        name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name or name.startswith(".") or any(c in _BAD_NAME_CHARS for c in name) or len(name) > 200:
            raise ApiError(422, "bad_filename", f"unusable file name {filename!r}; rename the file and upload again")
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise ApiError(415, "unsupported_file_type",
                           f"{name}: {suffix or 'no extension'} is not supported; upload {' '.join(SUPPORTED_SUFFIXES)}")
        if size > self.max_upload_bytes:
            raise ApiError(413, "file_too_large",
                           f"{name} is {size / 1048576:.1f} MB; at most {self.settings.max_upload_mb:g} MB per file")
        if size == 0:
            raise ApiError(422, "empty_file", f"{name} is empty")
        return name

    def upload(self, files: list[Upload], kb: str | None = None, overrides: dict[str, Any] | None = None) -> list[FileResult]:
        """Store and ingest uploaded files, one result per file. Originals are kept under data_dir/uploads."""
        checked = [(self.check_upload(f.filename, len(f.data)), f.data) for f in files]
        kb = kb or self.settings.kb
        results: list[FileResult] = []
        with self.writer.hold():
            for name, data in checked:
                folder = self.uploads_dir / _safe_kb(kb) / hashlib.sha256(data).hexdigest()[:16]
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / name
                path.write_bytes(data)
                result = self.assistant.ingest([path], kb, overrides)[0]
                if not result.ok:
                    shutil.rmtree(folder, ignore_errors=True)
                results.append(result)
        log.info("uploaded", extra={"files": len(results), "failed": sum(not r.ok for r in results)})
        return results

    def documents(self, kb: str = "", doc_type: str = "", validity: str = "", q: str = "") -> list[DocumentRecord]:
        docs = self.assistant.documents()
        return [
            d for d in docs
            if (not kb or d.kb == kb) and (not doc_type or d.meta.doc_type == doc_type)
            and (not validity or d.meta.validity == validity)
            and (not q or q in d.meta.title or q in d.source or q in d.meta.doc_number)
        ]

    def document(self, ref: str, with_chunks: bool = False) -> dict[str, Any]:
        record = self._find(ref)
        registry = self.assistant.index.registry
        data = asdict(record) | {"history": registry.history(record.doc_id)}
        data |= self.assistant.status.details(record.doc_id)  # status today, relations, status history (issue #8)
        if with_chunks:
            data["chunks"] = [
                {"chunk_id": c.chunk_id, "ordinal": c.ordinal, "heading": c.heading, "kind": c.kind,
                 "start": c.start, "end": c.end, "text": c.clean}
                for c in registry.chunks(record.doc_id)
            ]
        return data

    def delete(self, ref: str) -> DocumentRecord:
        record = self._find(ref)
        with self.writer.hold():
            self.assistant.index.remove(record.doc_id)
        return record

    def set_validity(self, ref: str, validity: str) -> DocumentRecord:
        if validity not in VALIDITIES:
            raise ApiError(422, "invalid_request", f"validity must be one of {' / '.join(VALIDITIES)}")
        record = self._find(ref)
        with self.writer.hold():
            return self.assistant.index.set_validity(record.doc_id, validity)

    def reindex(self) -> int:
        with self.writer.hold():
            return self.assistant.index.reindex()

    def _find(self, ref: str) -> DocumentRecord:
        found = self.assistant.index.registry.find(ref)
        if len(found) != 1:
            message = f"no document {ref!r}" if not found else f"{ref!r} is in several knowledge bases; use its doc_id"
            raise ApiError(404 if not found else 409, "document_not_found" if not found else "ambiguous_document",
                           message + "; GET /v1/documents lists them")
        return found[0]

    # --- health ---

    def health(self) -> dict[str, Any]:
        index = self.assistant.index
        checks: dict[str, dict[str, Any]] = {}
        checks["database"] = _check(lambda: {"path": str(self.db.path)} if self.db.query("SELECT 1") else {})
        checks["index"] = _check(lambda: {"documents": len(index.registry.documents())})
        checks["vector_store"] = _check(lambda: {"vectors": index.store.count(), "location": index.store.location})
        # The writer is the model-backed answerer when a generator is configured (issue #3), else the extractive one.
        writer = getattr(self.assistant, "writer", None) or getattr(self.assistant, "answerer", None)
        probe = getattr(getattr(self.assistant, "generator", None), "health", None)
        checks["generator"] = _check(
            lambda: {"name": str(getattr(writer, "name", type(writer).__name__))} | (probe() if callable(probe) else {}))
        ok = all(c["ok"] for c in checks.values())
        return {"status": "ok" if ok else "degraded", "checks": checks}


def _check(probe: Any) -> dict[str, Any]:
    try:
        return {"ok": True} | (probe() or {})
    except Exception as exc:  # a health page reports every failure, whatever its type
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


def _safe_kb(kb: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in kb) or "default"
