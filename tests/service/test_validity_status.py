"""Document status on a date from the relations graph and dates; kept current in the index as documents arrive."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from retriever.relations import DocumentFacts, Override, StoredRelation
from retriever.types import DocumentMeta, DocumentRecord, SearchFilters
from service.assistant import Assistant
from service.status_graph import Graph
from service.status_questions import asked_date


def _rec(doc_id: str, **meta: object) -> DocumentRecord:
    return DocumentRecord(doc_id, f"{doc_id}.txt", "default", DocumentMeta(**meta))  # type: ignore[arg-type]


OLD = _rec("old", title="临江区城乡最低生活保障实施细则", doc_number="临政发〔2019〕12号", issued="2019-04-16",
           effective="2019-05-01", doc_type="规范性文件")
NEW = _rec("new", title="临江区最低生活保障审核确认办法", doc_number="临政规〔2024〕3号", issued="2024-02-05",
           effective="2024-03-01", expires="2029-02-28", doc_type="规范性文件")
GUIDE = _rec("guide", title="《临江区最低生活保障审核确认办法》政策解读", issued="2024-02-08", doc_type="政策解读")
REPEAL = StoredRelation("new", "repeals", "临江区城乡最低生活保障实施细则", "临政发〔2019〕12号", 10, 40)
EXPLAINS = StoredRelation("guide", "interprets", "临江区最低生活保障审核确认办法", "临政规〔2024〕3号", 0, 10)


def _graph(*records: DocumentRecord, relations: tuple[StoredRelation, ...] = (), overrides: dict | None = None) -> Graph:
    facts = {r.doc_id: DocumentFacts(r.doc_id, "h") for r in records}
    return Graph({r.doc_id: r for r in records}, facts, list(relations), overrides or {})


def test_status_before_during_and_after_the_validity_period() -> None:
    graph = _graph(NEW)
    assert graph.status_on("new", date(2024, 2, 20)).status == "尚未施行"
    assert graph.status_on("new", date(2024, 3, 1)).status == "现行有效"
    after = graph.status_on("new", date(2029, 3, 1))
    assert (after.status, after.since, after.reason) == ("已失效", "2029-03-01", "有效期至2029-02-28")


def test_a_repeal_takes_effect_when_the_repealing_document_does() -> None:
    graph = _graph(OLD, NEW, relations=(REPEAL,))
    assert graph.status_on("old", date(2024, 2, 29)).status == "现行有效"
    repealed = graph.status_on("old", date(2024, 3, 1))
    assert (repealed.status, repealed.since) == ("已废止", "2024-03-01")
    assert "临政规〔2024〕3号" in repealed.reason


def test_an_interpretation_lapses_with_the_document_it_explains() -> None:
    lapsing = StoredRelation("old", "repeals", "临江区最低生活保障审核确认办法", "临政规〔2024〕3号", 0, 5,
                             effective="2025-01-01")
    graph = _graph(OLD, NEW, GUIDE, relations=(EXPLAINS, lapsing))
    assert graph.status_on("guide", date(2024, 6, 1)).status == "现行有效"
    assert graph.status_on("guide", date(2025, 6, 1)).status == "已失效"


def test_a_staff_override_wins_over_the_graph() -> None:
    graph = _graph(OLD, NEW, relations=(REPEAL,), overrides={"old": Override("old", "现行有效", "上级通知恢复执行", "li", "2025")})
    status = graph.status_on("old", date(2025, 1, 1))
    assert (status.status, status.reason) == ("现行有效", "工作人员设定：上级通知恢复执行")


def test_the_timeline_lists_each_status_from_when_it_began() -> None:
    graph = _graph(OLD, NEW, relations=(REPEAL,))
    assert [(t["from"], t["status"]) for t in graph.timeline("old")] == [
        ("", "尚未施行"), ("2019-05-01", "现行有效"), ("2024-03-01", "已废止")]


def test_the_date_a_question_asks_about() -> None:
    today = date(2025, 6, 1)
    assert asked_date("2019年的时候低保标准是多少？", today) == date(2019, 12, 31)
    assert asked_date("2023年5月时审核要多少天？", today) == date(2023, 5, 31)
    assert asked_date("截至2022年底现行有效的文件", today) == date(2022, 12, 31)
    assert asked_date("2024年3月1日以前的审核时限", today) == date(2024, 3, 1)
    assert asked_date("2019年出的那个细则现在还管用吗？", today) is None
    assert asked_date("临江区2023年作出的行政许可决定有多少件？", today) is None


OLD_TEXT = """发布机构：青禾市临江区人民政府
发文字号：临政发〔2019〕12号
成文日期：2019-04-16

临江区城乡最低生活保障实施细则

第五条　本区城市居民低保标准为每人每月780元，农村居民低保标准为每人每月650元。
第十九条　本细则自2019年5月1日起施行。
"""
NEW_TEXT = """发布机构：青禾市临江区人民政府
发文字号：临政规〔2024〕3号
成文日期：2024-02-05

临江区最低生活保障审核确认办法

第六条　本区实行城乡统一的低保标准，现行城乡低保标准为每人每月1050元。
第二十二条　本办法自2024年3月1日起施行，有效期5年。2019年印发的《临江区城乡最低生活保障实施细则》（临政发〔2019〕12号）同时废止。
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _validity(assistant: Assistant, source: str) -> str:
    return assistant.find_document(source).meta.validity


def test_a_repeal_arriving_after_the_repealed_document_takes_it_out_of_retrieval(fake_settings, tmp_path: Path) -> None:  # noqa: ANN001
    assistant = Assistant(fake_settings)
    assistant.ingest([_write(tmp_path / "a", "xize_2019.txt", OLD_TEXT)])
    assert _validity(assistant, "xize_2019.txt") == "现行有效"
    assert {h.document.source for h in assistant.search("低保标准 每人每月")} == {"xize_2019.txt"}

    assistant.ingest([_write(tmp_path / "b", "banfa_2024.txt", NEW_TEXT)])
    assert _validity(assistant, "xize_2019.txt") == "已废止"
    assert _validity(assistant, "banfa_2024.txt") == "现行有效"
    assert {h.document.source for h in assistant.search("低保标准 每人每月")} == {"banfa_2024.txt"}
    lapsed = assistant.search("低保标准 每人每月", filters=SearchFilters(in_force_only=False))
    assert "xize_2019.txt" in {h.document.source for h in lapsed}
    details = assistant.status.details(assistant.find_document("xize_2019.txt").doc_id)
    assert [(e["by"], e["kind"], e["effective"]) for e in details["relations"]["incoming"]] == [
        ("banfa_2024.txt", "repeals", "2024-03-01")]
    assert details["relations"]["incoming"][0]["quote"].endswith("（临政发〔2019〕12号）同时废止。")
    assert [(e["old"], e["new"]) for e in details["status_log"]] == [("未知", "现行有效"), ("现行有效", "已废止")]

    again = assistant.ingest([tmp_path / "a" / "xize_2019.txt", tmp_path / "b" / "banfa_2024.txt"])
    assert [r.status for r in again] == ["unchanged", "unchanged"]


def test_a_question_about_a_past_year_uses_the_documents_of_that_year_and_says_they_lapsed(fake_settings, tmp_path: Path) -> None:  # noqa: ANN001, E501
    assistant = Assistant(fake_settings)
    assistant.ingest([_write(tmp_path, "xize_2019.txt", OLD_TEXT), _write(tmp_path, "banfa_2024.txt", NEW_TEXT)])
    answer = assistant.ask("2019年的时候城市居民低保标准每人每月是多少？")
    assert {h.document.source for h in answer.hits} == {"xize_2019.txt"}
    assert not answer.refused and "780" in answer.answer
    assert "现已废止" in answer.answer and "临政规〔2024〕3号" in answer.answer
    assert all(c.validity == "已废止" for c in answer.citations)
    # `search` (CLI, API) shows the hits `ask` answered from: the same date narrowing.
    assert {h.document.source for h in assistant.search("2019年的时候城市居民低保标准每人每月是多少？")} == {"xize_2019.txt"}
    assert {h.document.source for h in assistant.search("现在城市居民低保标准每人每月是多少？")} == {"banfa_2024.txt"}


def test_hits_brought_by_the_caller_are_answered_as_ask_answers_them(fake_settings, tmp_path: Path) -> None:  # noqa: ANN001
    assistant = Assistant(fake_settings)
    assistant.ingest([_write(tmp_path, "xize_2019.txt", OLD_TEXT), _write(tmp_path, "banfa_2024.txt", NEW_TEXT)])
    question = "2019年的时候城市居民低保标准每人每月是多少？"
    asked = assistant.ask(question)
    given = assistant.answer_from_hits(question, asked.hits)
    assert given.answer == asked.answer  # the answer hooks ran too: the lapsed-document notice is there
    assert "现已废止" in given.answer and [(c.doc, c.start) for c in given.citations] == [(c.doc, c.start) for c in asked.citations]


def test_a_status_question_is_answered_from_the_repeal_clause(fake_settings, tmp_path: Path) -> None:  # noqa: ANN001
    assistant = Assistant(fake_settings)
    assistant.ingest([_write(tmp_path, "xize_2019.txt", OLD_TEXT), _write(tmp_path, "banfa_2024.txt", NEW_TEXT)])
    answer = assistant.ask("《临江区城乡最低生活保障实施细则》现在还有效吗？")
    assert answer.generator == "status"
    assert "已废止" in answer.answer and "临政规〔2024〕3号" in answer.answer
    [citation] = answer.citations
    text = assistant.index.registry.document_text(assistant.find_document("banfa_2024.txt").doc_id)
    assert citation.doc == "banfa_2024.txt" and text[citation.start : citation.end] == citation.quote
    assert "同时废止" in citation.quote


def test_staff_override_and_docs_show(fake_settings, tmp_path: Path) -> None:  # noqa: ANN001
    from service.cli import app

    assistant = Assistant(fake_settings)
    assistant.ingest([_write(tmp_path, "xize_2019.txt", OLD_TEXT), _write(tmp_path, "banfa_2024.txt", NEW_TEXT)])
    doc_id = assistant.find_document("banfa_2024.txt").doc_id
    assistant.status.override(doc_id, "已废止", "上级文件已停止执行")
    assert _validity(assistant, "banfa_2024.txt") == "已废止"
    assistant.status.clear_override(doc_id)
    assert _validity(assistant, "banfa_2024.txt") == "现行有效"
    assistant.index.registry.close()

    args = ["--data-dir", str(fake_settings.data_dir), "--embedder", "fake:256", "docs", "show", "xize_2019.txt"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert '"today": "已废止"' in result.output and '"status_timeline"' in result.output
    assert '"by": "banfa_2024.txt"' in result.output


def test_a_validity_written_straight_into_the_index_is_kept_as_an_override(fake_settings, tmp_path: Path) -> None:  # noqa: ANN001, E501
    assistant = Assistant(fake_settings)
    assistant.ingest([_write(tmp_path, "xize_2019.txt", OLD_TEXT), _write(tmp_path, "banfa_2024.txt", NEW_TEXT)])
    doc_id = assistant.find_document("banfa_2024.txt").doc_id
    assistant.index.set_validity(doc_id, "已失效")  # what the staff console's PATCH does
    assistant.status.sync()
    assert _validity(assistant, "banfa_2024.txt") == "已失效"
    assert assistant.status.details(doc_id)["status"]["override"]["status"] == "已失效"
