"""Annual-report tables parsed from every input shape into typed cells, and the template's consistency checks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.loaders import load_file
from ingest.report_tables import read_report
from tests.ingest import report_samples as samples


def _text(shape: str, tmp_path: Path) -> str:
    if shape == "pdf":
        return samples.pdf_text()
    if shape == "pipe":
        return samples.pipe_text()
    if shape == "markdown":
        return samples.markdown_text()
    if shape == "docx":
        return load_file(samples.write_docx(tmp_path / "report.docx")).text
    return load_file(samples.write_html(tmp_path / "report.html")).text


SHAPES = ["pdf", "pipe", "markdown", "docx", "html"]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_cell_of_table_three_is_read_with_its_exact_span(shape: str, tmp_path: Path) -> None:
    text = _text(shape, tmp_path)
    report = read_report(text, f"report.{shape}")
    assert report.complete("三"), [p.message for p in report.problems]
    got = {(c.row, c.column): c for c in report.cells if c.table == "三"}
    expected = samples.expected_cells()
    assert set(got) == set(expected)
    for key, value in expected.items():
        cell = got[key]
        assert cell.value == value, key
        assert text[cell.start : cell.end].replace(" ", "") == str(value)  # the span is the number in the source
        assert cell.row_start <= cell.start < cell.end <= cell.row_end


@pytest.mark.parametrize("shape", SHAPES)
def test_tables_two_and_four_are_read(shape: str, tmp_path: Path) -> None:
    report = read_report(_text(shape, tmp_path), f"report.{shape}")
    assert report.complete("二") and report.complete("四"), [p.message for p in report.problems]
    assert report.cell("normative_documents", "本年废止件数").value == 6
    assert report.cell("normative_documents", "现行有效件数").value == 52
    assert report.cell("licensing", "本年处理决定数量").value == 4862
    assert report.cell("fees", "本年收费金额（单位：万元）").value == Decimal("312.57")
    assert [c.value for c in report.row("review")] == samples.REVIEW
    assert report.cell("review", "行政复议结果纠正").value == 1
    assert report.cell("review", "行政诉讼（复议后起诉）总计").value == 1
    assert report.problems == []  # a balanced report whose narrative agrees with its table


def test_the_row_span_quotes_a_label_broken_over_lines() -> None:
    text = samples.pdf_text()
    cell = read_report(text).cell("partly_granted", "自然人")
    assert text[cell.row_start : cell.row_end] == "（二）部分公开（区分处理的，只计这一情 形，不\n计其他情形） 12 1 0 0 0 0 13"


def test_a_broken_balance_is_flagged_with_the_cells_involved() -> None:
    rows = samples.table3(new=[125, 6, 1, 0, 2, 1])  # five more new applications, nothing else changed
    report = read_report(samples.pdf_text(rows))
    balance = [p for p in report.problems if p.kind == "balance"]
    assert [p.message.split("：")[0] for p in balance] == ["表三“自然人”列", "表三“总计”列"]
    natural = balance[0]
    assert {(c.row, c.column) for c in natural.cells} == {
        ("new", "自然人"), ("carried_over", "自然人"), ("results_total", "自然人"), ("carried_forward", "自然人")}
    assert "125 + 上年结转 4 = 129" in natural.message and "= 124" in natural.message


def test_a_correct_table_passes_the_balance_check() -> None:
    report = read_report(samples.pdf_text())
    assert not [p for p in report.problems if p.kind in ("balance", "row_total", "results_total")]


def test_a_row_whose_total_does_not_add_up_is_flagged() -> None:
    rows = samples.table3()
    key, parent, label, vals = rows[2]
    rows[2] = (key, parent, label, [*vals[:6], vals[6] + 1])  # 予以公开 总计 one too many
    problems = read_report(samples.pipe_text(rows)).problems
    assert any(p.kind == "row_total" and "（一）予以公开" in p.message for p in problems)
    assert any(p.kind == "results_total" and "“总计”列" in p.message for p in problems)


def test_a_review_group_whose_results_do_not_add_up_is_flagged() -> None:
    review = [10, 1, 0, 0, 0, *samples.REVIEW[5:]]  # 行政复议 10 + 1 but 总计 0
    problems = read_report(samples.pdf_text(review=review)).problems
    assert [p.message for p in problems if p.kind == "review_total"] == ["表四“行政复议”：10 + 1 + 0 + 0 = 11，但总计为 0"]


def test_a_narrative_number_contradicting_the_table_is_flagged() -> None:
    text = samples.pdf_text(narrative_new=17)
    problems = [p for p in read_report(text).problems if p.kind == "narrative"]
    assert len(problems) == 1
    assert text[problems[0].start : problems[0].end] == "新收政府信息公开申请17件"
    assert problems[0].cells[0].row == "new" and problems[0].cells[0].value == 130


def test_a_narrative_number_counting_carried_over_applications_is_not_a_contradiction() -> None:
    text = samples.pdf_text(narrative_new=135)  # 130 new + 5 carried over: what some reports call 受理
    assert not [p for p in read_report(text).problems if p.kind == "narrative"]


def test_a_blank_cell_is_reported_as_missing_in_its_column() -> None:
    report = read_report(samples.markdown_text(blank_total_in="carried_forward"))
    assert not report.complete("三")
    missing = [p for p in report.problems if p.kind == "missing_cells"]
    assert [p.message for p in missing] == ["表三“四、结转下年度继续办理”缺少总计列的数值"]
    assert report.cell("carried_forward", "自然人").value == samples.expected_cells()[("carried_forward", "自然人")]
    assert report.cell("carried_forward", "总计") is None


def test_a_truncated_report_is_incomplete_and_says_which_rows_are_missing() -> None:
    text = samples.pdf_text()
    cut = text[: text.index("（三）不予公开")]
    report = read_report(cut)
    assert not report.complete("三")
    missing = [p for p in report.problems if p.kind == "missing_row" and p.table == "三"]
    assert len(missing) == 1 and missing[0].message.startswith("表三缺少21/25行")
    assert "missing_section" in {p.kind for p in report.problems if p.table == "四"}


def test_rows_without_labels_take_their_place_from_the_template_order() -> None:
    rows = samples.table3()
    text = samples.markdown_text(rows).replace("| 2.重复申请 |", "|  |")  # a label lost by the converter
    report = read_report(text)
    assert report.complete("三")
    assert report.cell("not_processed_repeated", "自然人").value == 2
    assert report.cell("not_processed_publication", "自然人").value == 0


def test_a_report_that_fills_a_group_as_one_row_is_complete() -> None:
    rows = [r for r in samples.table3() if not r[0].startswith("other_")]
    totals = [sum(r[3][i] for r in samples.RESULT_ROWS if r[0].startswith("other_")) for i in range(6)]
    at = next(i for i, r in enumerate(rows) if r[0] == "results_total")
    rows.insert(at, ("other", "", "（六）其他处理", samples.with_total(totals)))
    report = read_report(samples.pdf_text(rows))
    assert report.complete("三"), [p.message for p in report.problems]
    assert report.cell("other", "总计").value == 6
    assert not [p for p in report.problems if p.kind == "results_total"]
