"""Page marks, line joining and digit spacing in `ingest.cleaning`, on hand-made PDF-like text."""

from __future__ import annotations

import pytest

from ingest.cleaning import clean_pdf_text, is_page_mark, normalize_for_reading


@pytest.mark.parametrize(
    "line", ["- 1 -", "— 12 —", "-1-", "  - 3 -  ", "第 3 页", "第3页", "第3页 共5页", "3/12", "　－ 7 －　"]
)
def test_page_marks_are_recognised(line: str) -> None:
    assert is_page_mark(line)


@pytest.mark.parametrize(
    "line", ["1", "12/3", "2024年", "- 1", "第3条", "第一页", "共25件", "3/12 项已完成", "一、总体情况", ""]
)
def test_other_lines_are_not_page_marks(line: str) -> None:
    assert not is_page_mark(line)


def test_reading_joins_cjk_line_breaks_without_a_space() -> None:
    assert normalize_for_reading("为规范政府信息公开工作，根据有关\n规定，制定本办法。") == (
        "为规范政府信息公开工作，根据有关规定，制定本办法。"
    )


def test_reading_joins_latin_words_with_a_space() -> None:
    assert normalize_for_reading("the Open Government\nInformation Regulations") == (
        "the Open Government Information Regulations"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024 年", "2024年"),
        ("共 25 件", "共25件"),
        ("受理申请 749 件，办结率 100 %", "受理申请749件，办结率100%"),
        ("增长 12 .5%", "增长12.5%"),
        ("第 3 页码标注", "第3页码标注"),
        ("1 295", "1 295"),  # two numbers or one: not ours to guess
        ("Windows 10 and 11", "Windows 10 and 11"),
    ],
)
def test_reading_removes_spaces_between_digits_and_cjk_only(raw: str, expected: str) -> None:
    assert normalize_for_reading(raw) == expected


def test_reading_keeps_full_width_punctuation() -> None:
    text = "（一）依申请公开：本年度共 3 件；“一网通办”！"
    assert normalize_for_reading(text) == "（一）依申请公开：本年度共3件；“一网通办”！"


def test_reading_drops_page_marks_and_joins_across_them() -> None:
    assert normalize_for_reading("根据有关\n- 1 -\n规定执行。") == "根据有关规定执行。"


def test_table_row_keeps_its_numbers_apart_and_its_own_line() -> None:
    span = "收到申请情况如下\n一、本年新收政府信息公开申请数量 95 0 0 0 0 0 95\n二、上年结转政府信息公开申请数量 3 0 0 0 0 0 3\n以上为\n全部情况。"
    assert normalize_for_reading(span) == (
        "收到申请情况如下\n"
        "一、本年新收政府信息公开申请数量 95 0 0 0 0 0 95\n"
        "二、上年结转政府信息公开申请数量 3 0 0 0 0 0 3\n"
        "以上为全部情况。"
    )


def test_table_row_label_is_fixed_but_its_numbers_are_not() -> None:
    assert normalize_for_reading("2024 年收到申请 95 0 3") == "2024年收到申请 95 0 3"


def test_column_headers_and_single_value_rows_stay_lines() -> None:
    span = "第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 4862\n行政处罚 1375\n以上数据\n截至年底。"
    assert normalize_for_reading(span).split("\n") == [
        "第二十条第（五）项",
        "信息内容 本年处理决定数量",
        "行政许可 4862",
        "行政处罚 1375",
        "以上数据截至年底。",
    ]


def test_a_sentence_wrapped_after_a_number_is_not_a_row() -> None:
    assert normalize_for_reading("本机关本年度共受理政府信息公开申请，其中依申请 749\n件。") == (
        "本机关本年度共受理政府信息公开申请，其中依申请749件。"
    )


def test_text_spaced_out_character_by_character_is_not_a_header_row() -> None:
    assert normalize_for_reading("为 规 范 工 作\n制定本办法。") == "为 规 范 工 作制定本办法。"


def test_pipe_rows_stay_lines() -> None:
    assert normalize_for_reading("项目 | 金额\n合计 | 1,295") == "项目 | 金额\n合计 | 1,295"


def test_reading_keeps_line_breaks_before_headings() -> None:
    span = (
        "第一章 总则\n第一条 为了规范管理，\n制定本办法。\n第二条 本办法适用于\n本市。\n（一）范围\n1. 内容\n(2) 其他"
    )
    assert normalize_for_reading(span).split("\n") == [
        "第一章 总则",
        "第一条 为了规范管理，制定本办法。",
        "第二条 本办法适用于本市。",
        "（一）范围",
        "1. 内容",
        "(2) 其他",
    ]


def test_decimal_at_line_start_is_not_a_heading() -> None:
    assert normalize_for_reading("同比增长\n1.5个百分点") == "同比增长1.5个百分点"


def test_reading_collapses_whitespace_and_blank_lines() -> None:
    assert normalize_for_reading("  第一段　　内容  \n\n\n\n第二段\t内容  ") == "第一段 内容\n第二段 内容"


PDF_TEXT = """第一章 总则
第一条 为规范政府信息公开工作，根据有关
规定，制定本办法。
2024 年共受理申请 749 件，办结
率 100 %。
- 1 -

第二条 本办法所称政府信息，是指行政机关在履行
行政管理职能过程中制作或者获取的信息（不含
涉密信息）
本条另有规定的除外。

一、本年新收政府信息公开申请数量 95 0 0 0 0 0 95
第 2 页 共 2 页"""


def test_pdf_text_rejoins_sentences_and_keeps_sentence_ends() -> None:
    assert clean_pdf_text(PDF_TEXT) == (
        "第一章 总则\n"
        "第一条 为规范政府信息公开工作，根据有关规定，制定本办法。\n"
        "2024年共受理申请749件，办结率100%。\n"
        "第二条 本办法所称政府信息，是指行政机关在履行行政管理职能过程中制作或者获取的信息（不含涉密信息）\n"
        "本条另有规定的除外。\n"
        "\n"
        "一、本年新收政府信息公开申请数量 95 0 0 0 0 0 95"
    )


def test_pdf_text_is_deterministic_and_stable_when_cleaned_twice() -> None:
    once = clean_pdf_text(PDF_TEXT)
    assert clean_pdf_text(PDF_TEXT) == once
    assert clean_pdf_text(once) == once


def test_pdf_text_keeps_a_break_after_a_short_title() -> None:
    assert clean_pdf_text("一、总体情况\n本年度我局主动公开信息。") == "一、总体情况\n本年度我局主动公开信息。"


def test_pdf_text_joins_across_a_page_break() -> None:
    text = "申请人应当向受理窗口提交申请书和本人有效\n— 3 —\n\n身份证明。"
    assert clean_pdf_text(text) == "申请人应当向受理窗口提交申请书和本人有效身份证明。"


def test_pdf_text_keeps_a_line_that_ends_far_short_of_a_full_line() -> None:
    text = "对情况紧急的，乡镇（街道）可以在24小时内先行给予\n救助，事后补齐材料、补办手续。\n临江区民政局\n2024年3月"
    assert clean_pdf_text(text).split("\n") == [
        "对情况紧急的，乡镇（街道）可以在24小时内先行给予救助，事后补齐材料、补办手续。",
        "临江区民政局",
        "2024年3月",
    ]


def test_pdf_text_joins_a_full_width_numbered_line_that_is_not_a_title() -> None:
    text = "1.申请：向户籍所在地或者经常居住地乡镇（街道）提出\n申请；\n2.受理：材料齐全的当场受理。"
    assert clean_pdf_text(text).split("\n") == [
        "1.申请：向户籍所在地或者经常居住地乡镇（街道）提出申请；",
        "2.受理：材料齐全的当场受理。",
    ]


def test_empty_input_gives_empty_output() -> None:
    assert clean_pdf_text("") == ""
    assert normalize_for_reading("\n - 1 - \n") == ""
