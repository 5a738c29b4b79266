"""The audit log: every answer (redacted), what it was built from, and the feedback it received.

Attach it to an assistant with `AuditLog.attach(assistant)`; it then records every answer through
`Assistant.observers`, whatever the front end. Front ends say which channel an answer belongs to with
`audit_context(channel=..., conversation_id=...)`, and read back the id of the row written for it:

    with audit_context(channel="web", conversation_id=cid) as ctx:
        answer = assistant.ask(question)
    ctx.audit_id  # -> link feedback to it

Question, answer and comments pass through `redact` before they are written.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from service.answers import Answer
from service.db import Database, utc_now
from service.errors import UserInputError
from service.redact import redact

log = logging.getLogger(__name__)

MIGRATIONS: list[str] = [
    # 1: one row per answer, feedback rows linked to it
    """
    CREATE TABLE audit (
        id TEXT PRIMARY KEY, created_at TEXT NOT NULL, channel TEXT NOT NULL, conversation_id TEXT NOT NULL,
        question TEXT NOT NULL, rewritten_query TEXT NOT NULL, chunk_ids TEXT NOT NULL, cited_chunk_ids TEXT NOT NULL,
        documents TEXT NOT NULL, answer TEXT NOT NULL, refused INTEGER NOT NULL, evidence_score REAL NOT NULL,
        generator TEXT NOT NULL, model TEXT NOT NULL, prompt_version TEXT NOT NULL, latency_ms REAL NOT NULL
    );
    CREATE INDEX audit_created ON audit(created_at);
    CREATE INDEX audit_conversation ON audit(conversation_id);
    CREATE TABLE audit_feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT, audit_id TEXT NOT NULL REFERENCES audit(id), created_at TEXT NOT NULL,
        rating INTEGER NOT NULL, comment TEXT NOT NULL
    );
    CREATE INDEX audit_feedback_audit ON audit_feedback(audit_id)
    """,
]

CSV_COLUMNS = (
    "id", "created_at", "channel", "conversation_id", "question", "rewritten_query", "chunk_ids", "cited_chunk_ids",
    "documents", "answer", "refused", "evidence_score", "generator", "model", "prompt_version", "latency_ms",
    "feedback_rating", "feedback_comment",
)
CHINA_TIME = timezone(timedelta(hours=8))


@dataclass
class AuditContext:
    """Who asked through which channel; `audit_id` is filled in once the answer is recorded.

    When several audit logs observe one assistant, `id_in(log)` tells which row each of them wrote.
    """

    channel: str = "cli"
    conversation_id: str = ""
    audit_id: str = ""
    ids: dict[int, str] = field(default_factory=dict)
    answer: Answer | None = None  # the answer recorded last (streaming callers read it here)

    def id_in(self, audit_log: AuditLog) -> str:
        return self.ids.get(id(audit_log), "")


_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


@contextmanager
def audit_context(channel: str, conversation_id: str = "") -> Iterator[AuditContext]:
    """Attribute the answers produced inside the block to `channel` and `conversation_id`."""
    ctx = AuditContext(channel=channel, conversation_id=conversation_id)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


class AuditLog:
    """Audit rows and feedback in the service database (namespace "audit").

    `day_zone` is the time zone in which export date ranges are read (China Standard Time by default);
    timestamps are stored in UTC.
    """

    def __init__(self, db: Database, day_zone: timezone = CHINA_TIME) -> None:
        self.db = db
        self.day_zone = day_zone
        db.migrate("audit", MIGRATIONS)

    def attach(self, assistant: Any) -> AuditLog:
        """Record every answer `assistant` gives from now on (through its observers hook)."""
        if self.observe not in assistant.observers:
            assistant.observers.append(self.observe)
        return self

    def observe(self, answer: Answer) -> None:
        ctx = _current.get() or AuditContext()
        audit_id = self.record(answer, channel=ctx.channel, conversation_id=ctx.conversation_id)
        ctx.ids[id(self)] = audit_id
        ctx.answer = answer
        ctx.audit_id = ctx.audit_id or audit_id

    def record(self, answer: Answer, channel: str, conversation_id: str = "") -> str:
        """Write one answer; returns the new row's id. Question and answer are redacted first."""
        audit_id = uuid.uuid4().hex
        cited = sorted({c.chunk_id for c in answer.citations})
        documents = {h.document.source: h.document.version for h in answer.hits}
        latency = answer.timings.get("total", 0.0) * 1000
        self.db.execute(
            "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                audit_id, utc_now(), channel, conversation_id, redact(answer.question),
                redact(str(getattr(answer, "rewritten_query", "") or "")),
                json.dumps([h.chunk.chunk_id for h in answer.hits]), json.dumps(cited),
                json.dumps(documents, ensure_ascii=False), redact(answer.answer), int(answer.refused),
                float(answer.evidence_score), answer.generator, str(getattr(answer, "model", "") or ""),
                str(getattr(answer, "prompt_version", "") or ""), round(latency, 2),
            ),
        )
        log.info("answer recorded", extra={"audit_id": audit_id, "channel": channel, "refused": answer.refused})
        return audit_id

    def feedback(self, audit_id: str, rating: int, comment: str = "") -> None:
        """Attach a rating (+1 or -1) and an optional comment (redacted) to an answer.

        Raises UserInputError for an unknown answer id or a rating other than +1/-1.
        """
        if rating not in (1, -1):
            raise UserInputError("rating must be 1 (helpful) or -1 (not helpful)")
        if not self.db.query("SELECT 1 FROM audit WHERE id = ?", (audit_id,)):
            raise UserInputError(f"no answer with id {audit_id!r}; use the answer_id returned with the answer")
        self.db.execute(
            "INSERT INTO audit_feedback (audit_id, created_at, rating, comment) VALUES (?, ?, ?, ?)",
            (audit_id, utc_now(), rating, redact(comment.strip())),
        )

    def get(self, audit_id: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM audit WHERE id = ?", (audit_id,))
        if not rows:
            return None
        row = dict(rows[0])
        row["feedback"] = [
            dict(r) for r in self.db.query(
                "SELECT created_at, rating, comment FROM audit_feedback WHERE audit_id = ? ORDER BY id", (audit_id,)
            )
        ]
        return row

    def rows(self, date_from: date | None = None, date_to: date | None = None) -> list[dict[str, Any]]:
        """Rows created between the two local days (inclusive), oldest first, with their latest feedback."""
        start, end = self._utc_bounds(date_from, date_to)
        rows = self.db.query(
            "SELECT a.*, f.rating AS feedback_rating, f.comment AS feedback_comment FROM audit a"
            " LEFT JOIN audit_feedback f ON f.id = (SELECT MAX(id) FROM audit_feedback WHERE audit_id = a.id)"
            " WHERE a.created_at >= ? AND a.created_at < ? ORDER BY a.created_at, a.rowid",
            (start, end),
        )
        return [dict(r) for r in rows]

    def export_csv(self, date_from: date | None = None, date_to: date | None = None) -> str:
        """The rows of `rows(date_from, date_to)` as CSV text with a header line (UTF-8 BOM for Excel)."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in self.rows(date_from, date_to):
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in CSV_COLUMNS})
        return out.getvalue()

    def _utc_bounds(self, date_from: date | None, date_to: date | None) -> tuple[str, str]:
        if date_from and date_to and date_from > date_to:
            raise UserInputError(f"date_from {date_from} is after date_to {date_to}")
        start = "0000"
        end = "9999"
        if date_from:
            start = _utc_iso(datetime.combine(date_from, datetime.min.time(), self.day_zone))
        if date_to:
            end = _utc_iso(datetime.combine(date_to + timedelta(days=1), datetime.min.time(), self.day_zone))
        return start, end


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
