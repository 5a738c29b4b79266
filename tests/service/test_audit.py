"""The audit log: one redacted row per answer through the observers hook, feedback, CSV export by local day."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from retriever.types import Chunk, DocumentMeta, DocumentRecord, Hit
from service.answers import Answer, Citation
from service.audit import AuditLog, audit_context
from service.db import Database
from service.errors import UserInputError


def _answer(question: str = "我的手机13812345678，低保标准是多少？") -> Answer:
    record = DocumentRecord("d1", "dibao.txt", "default", DocumentMeta(title="低保办法"), version=3)
    chunk = Chunk("d1", 0, "每人每月1050元", 10, 20, "每人每月1050元")
    citation = Citation(1, "dibao.txt", "低保办法", "临政规〔2024〕3号", "2024-02-05", "现行有效", "第八条",
                        "每人每月1050元", 10, 20, chunk.chunk_id)
    return Answer(question=question, answer="现行标准为每人每月1050元[1]。", refused=False, citations=[citation],
                  hits=[Hit(chunk, record, 0.5)], evidence_score=0.61, timings={"total": 0.25})


class FakeAssistant:
    def __init__(self) -> None:
        self.observers: list = []

    def ask(self, question: str) -> Answer:
        answer = _answer(question)
        for observe in self.observers:
            observe(answer)
        return answer


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(Database(tmp_path / "service.sqlite3"))


def test_observer_records_redacted_answer_with_channel(audit: AuditLog) -> None:
    assistant = FakeAssistant()
    audit.attach(assistant)
    audit.attach(assistant)  # attaching twice must not record twice
    with audit_context(channel="wechat", conversation_id="c-1") as ctx:
        assistant.ask("身份证11010519491231002X，手机13812345678，低保标准是多少？")
    row = audit.get(ctx.audit_id)
    assert row is not None
    assert row["channel"] == "wechat" and row["conversation_id"] == "c-1"
    assert row["question"] == "身份证[身份证号]，手机[手机号]，低保标准是多少？"
    assert json.loads(row["chunk_ids"]) == [_answer().hits[0].chunk.chunk_id]
    assert json.loads(row["cited_chunk_ids"]) == [_answer().citations[0].chunk_id]
    assert json.loads(row["documents"]) == {"dibao.txt": 3}
    assert row["generator"] == "extractive" and row["latency_ms"] == 250.0 and row["refused"] == 0
    assert len(audit.rows()) == 1


def test_answers_outside_a_context_are_still_recorded(audit: AuditLog) -> None:
    assistant = FakeAssistant()
    audit.attach(assistant)
    assistant.ask("低保标准？")
    (row,) = audit.rows()
    assert row["channel"] == "cli"


def test_feedback_is_linked_and_redacted(audit: AuditLog) -> None:
    audit_id = audit.record(_answer(), channel="web")
    audit.feedback(audit_id, -1, "不对，我的卡号6222021234567890128")
    audit.feedback(audit_id, 1, "")
    row = audit.get(audit_id)
    assert row is not None
    assert [(f["rating"], f["comment"]) for f in row["feedback"]] == [(-1, "不对，我的卡号[银行卡号]"), (1, "")]
    (exported,) = audit.rows()
    assert exported["feedback_rating"] == 1  # the latest feedback wins in the export


def test_feedback_errors(audit: AuditLog) -> None:
    audit_id = audit.record(_answer(), channel="web")
    with pytest.raises(UserInputError, match="rating"):
        audit.feedback(audit_id, 5)
    with pytest.raises(UserInputError, match="no answer"):
        audit.feedback("nope", 1)


def test_export_uses_china_days(audit: AuditLog) -> None:
    first = audit.record(_answer("问题一"), channel="api")
    second = audit.record(_answer("问题二"), channel="api")
    # 2025-03-01 16:30 UTC is already 2025-03-02 00:30 in China.
    audit.db.execute("UPDATE audit SET created_at = ? WHERE id = ?", ("2025-03-01T15:59:59+00:00", first))
    audit.db.execute("UPDATE audit SET created_at = ? WHERE id = ?", ("2025-03-01T16:30:00+00:00", second))
    assert [r["id"] for r in audit.rows(date(2025, 3, 1), date(2025, 3, 1))] == [first]
    assert [r["id"] for r in audit.rows(date(2025, 3, 2), date(2025, 3, 2))] == [second]
    assert [r["id"] for r in audit.rows(date(2025, 3, 1), date(2025, 3, 2))] == [first, second]
    text = audit.export_csv(date(2025, 3, 2), date(2025, 3, 31))
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["question"] for r in rows] == ["问题二"]
    assert rows[0]["answer"] == "现行标准为每人每月1050元[1]。"
    with pytest.raises(UserInputError, match="after"):
        audit.rows(date(2025, 3, 5), date(2025, 3, 1))


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.sqlite3")
    AuditLog(db).record(_answer(), channel="api")
    again = AuditLog(Database(tmp_path / "s.sqlite3"))
    assert len(again.rows()) == 1


def test_two_logs_on_one_assistant_each_report_their_own_row(tmp_path: Path) -> None:
    assistant = FakeAssistant()
    first = AuditLog(Database(tmp_path / "a.sqlite3")).attach(assistant)
    second = AuditLog(Database(tmp_path / "b.sqlite3")).attach(assistant)
    with audit_context(channel="web") as ctx:
        assistant.ask("低保？")
    assert first.get(ctx.id_in(first)) is not None and second.get(ctx.id_in(second)) is not None
    assert first.get(ctx.id_in(second)) is None
