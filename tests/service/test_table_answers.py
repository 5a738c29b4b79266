"""Numeric questions about 年度报告 answered from table cells, cited by table, row and column, with arithmetic shown."""

from __future__ import annotations

import pytest

from retriever.types import SearchFilters
from service.assistant import Assistant
from service.settings import Settings
from service.table_answers import TableAnswerer
from tests.ingest import report_samples as samples

NEW_2023 = [100, 4, 1, 0, 2, 1]  # 总计 108


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    tmp_path = tmp_path_factory.mktemp("tables")
    settings = Settings(data_dir=tmp_path / "data", embedder="fake:256", _env_file=None)  # type: ignore[call-arg]
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "ar_2024_ceshi.txt").write_text(samples.pdf_text(), encoding="utf-8")
    rows_2023 = samples.table3(new=NEW_2023)
    (folder / "ar_2023_ceshi.txt").write_text(samples.pipe_text(rows_2023).replace("2024", "2023"), encoding="utf-8")
    samples.write_html(folder / "ar_2024_other.html")
    other = (folder / "ar_2024_other.html").read_text(encoding="utf-8").replace("测试区", "样例县")
    (folder / "ar_2024_other.html").write_text(other.replace("<td>4862</td>", "<td>5100</td>"), encoding="utf-8")
    noplace = samples.markdown_text().replace("测试区人民政府", "").replace("2024", "2022")  # names no place at all
    (folder / "ar_2022_noplace.md").write_text(noplace, encoding="utf-8")
    found = Assistant(settings)
    assert all(r.ok for r in found.ingest([folder]))
    return found


def _text_of(assistant: Assistant, source: str) -> str:
    return assistant.index.registry.document_text(assistant.find_document(source).doc_id)


def test_a_count_is_answered_from_its_cell_with_table_row_and_column(assistant: Assistant) -> None:
    answer = assistant.ask("测试区2024年一共新收了多少件政府信息公开申请？")
    assert answer.generator == "table" and not answer.refused
    assert "为130件[1]" in answer.answer
    [citation] = answer.citations
    assert citation.doc == "ar_2024_ceshi.txt"
    assert citation.heading == "表三 收到和处理政府信息公开申请情况 > 一、本年新收政府信息公开申请数量 > 总计"
    assert citation.quote == "一、本年新收政府信息公开申请数量 120 6 1 0 2 1 130"
    assert _text_of(assistant, "ar_2024_ceshi.txt")[citation.start : citation.end] == citation.quote


@pytest.mark.parametrize(("question", "expected", "column"), [
    ("测试区2024年因本机关不掌握相关信息而无法提供的有几件？", "为33件", "总计"),
    ("2024年测试区的申请里，个人（自然人）申请最后予以公开的有几件？", "为50件", "自然人"),
    ("测试区2024年行政复议纠正了几件？", "为1件", "行政复议结果纠正"),
    ("测试区2024年作出的行政许可决定有多少件？", "为4862件", "本年处理决定数量"),
    ("测试区2024年行政事业性收费金额是多少？", "为312.57万元", "本年收费金额（单位：万元）"),
    ("测试区2024年本年废止了几件行政规范性文件？", "为6件", "本年废止件数"),
])
def test_questions_name_rows_and_columns(assistant: Assistant, question: str, expected: str, column: str) -> None:
    answer = assistant.ask(question)
    assert answer.generator == "table", answer.answer
    assert expected in answer.answer
    assert answer.citations[0].heading.endswith(column)


def test_a_group_is_the_sum_of_its_rows_with_the_sum_shown(assistant: Assistant) -> None:
    answer = assistant.ask("测试区2024年不予公开的申请有多少件？")
    assert "0 + 0 + 1 + 2 + 0 + 1 + 0 + 3 = 7件" in answer.answer
    quote = answer.citations[0].quote
    assert quote.startswith("1.属于国家秘密") and quote.endswith("8.属于行政查询事项 3 0 0 0 0 0 3")


def test_two_numbers_in_one_question(assistant: Assistant) -> None:
    answer = assistant.ask("测试区2024年受理了多少件政府信息公开申请？办结了多少件？")
    assert "新收政府信息公开申请为130件[1]" in answer.answer
    assert "办结（办理结果总计）的申请为126件[2]" in answer.answer
    assert answer.citations[1].quote == "（七）总计 115 7 1 0 2 1 126"


def test_year_over_year_shows_the_arithmetic(assistant: Assistant) -> None:
    answer = assistant.ask("测试区2024年新收政府信息公开申请比上年增加多少？")
    assert "2024年新收政府信息公开申请为130件[1]" in answer.answer
    assert "2023年新收政府信息公开申请为108件[2]" in answer.answer
    assert "130 − 108 = 22，增加22（20.4%）" in answer.answer
    assert [c.doc for c in answer.citations] == ["ar_2024_ceshi.txt", "ar_2023_ceshi.txt"]
    text_2023 = _text_of(assistant, "ar_2023_ceshi.txt")
    assert text_2023[answer.citations[1].start : answer.citations[1].end] == answer.citations[1].quote
    assert answer.citations[1].quote.endswith("108")


def test_two_places_are_compared(assistant: Assistant) -> None:
    answer = assistant.ask("2024年测试区和样例县的行政许可决定数量相比差多少？")
    assert "为4862件[1]" in answer.answer and "为5100件[2]" in answer.answer
    assert "4862 − 5100 = -238，减少238" in answer.answer


@pytest.mark.parametrize("question", [
    "测试区2024年主动公开了多少条政府信息？",  # not a template row: the narrative answers it
    "测试区2022年新收多少件政府信息公开申请？",  # 测试区 has reports, none of 2022: the placeless one may not stand in
    "临江区2024年新收多少件政府信息公开申请？",  # no report of that place
    "测试区2024年主动公开了多少件规章？",  # 规章 has three columns and the question names none
    "申请政府信息公开后多少天内答复？",  # a time limit, not a count
])
def test_questions_the_tables_do_not_answer_are_left_to_the_general_answerer(assistant: Assistant,
                                                                             question: str) -> None:
    hits = assistant.search(question) + assistant.search(question, filters=SearchFilters(sources=["ar_2022_noplace.md"]))
    assert TableAnswerer(assistant.report_tables)(question, hits) is None


def test_an_answer_from_a_report_that_breaks_its_own_rule_says_so(assistant: Assistant) -> None:
    answer = assistant.ask("测试区2023年新收多少件政府信息公开申请？")
    assert "为108件[1]" in answer.answer
    assert "注意：表三“总计”列：本年新收 108 + 上年结转 5 = 113，但办理结果总计 126 + 结转下年度 9 = 135" in answer.answer


def test_a_retrieved_report_that_names_no_place_answers_for_a_place_no_report_belongs_to(assistant: Assistant) -> None:
    question = "汉江区2022年新收多少件政府信息公开申请？"
    hits = assistant.search(question, filters=SearchFilters(sources=["ar_2022_noplace.md"]))
    answer = TableAnswerer(assistant.report_tables)(question, hits)
    assert answer is not None and "为130件[1]" in answer.answer
    assert answer.citations[0].doc == "ar_2022_noplace.md"
