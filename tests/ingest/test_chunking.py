"""Chunking on hand-written documents in the shapes real policy texts arrive in."""

from __future__ import annotations

import re

from ingest.chunking import Chunker

LAW = """# 青禾市社会救助办法

## 第一章 总则

第一条 为了规范社会救助，保障公民的基本生活，制定本办法。

第二条 本办法适用于本市行政区域内的社会救助工作。

## 第二章 最低生活保障

第三条 国家对共同生活的家庭成员人均收入低于当地最低生活保障标准的家庭，给予最低生活保障。

第四条 申请最低生活保障，按照下列程序办理：
（一）由共同生活的家庭成员向户籍所在地的乡镇人民政府、街道办事处提出书面申请；
（二）乡镇人民政府、街道办事处应当自受理之日起15个工作日内完成审核；
（三）县级人民政府民政部门应当在10个工作日内作出决定。
"""

REPORT_SPACES = """三、收到和处理政府信息公开申请情况
申请人情况
自然人
法人或其他组织
总计
一、本年新收政府信息公开申请数量 126 8 1 0 2 3 140
二、上年结转政府信息公开申请数量 5 1 0 0 0 0 6
三、本年度办理结果
（一）予以公开 60 3 0 0 1 1 65
（四）无法提供 1.本机关不掌握相关政府信息 20 1 0 0 0 0 21
2.没有现成信息需要另行制作 3 0 0 0 0 0 3
四、政府信息公开行政复议、行政诉讼情况
本年度共收到行政复议申请2件。
"""

REPORT_PIPES = """二、主动公开政府信息情况
第二十条第(一)项 |
|||
信息内容 |
本年制发件数 |
本年废止件数 |
现行有效件数 |
规章 |
0 |
0 |
0 |
行政规范性文件 |
9 |
6 |
52 |
第二十条第(五)项 |
|||
信息内容 |
本年处理决定数量 |
||
行政许可 |
4862 |
||
"""


def test_every_chunk_is_an_exact_span_with_its_heading_path() -> None:
    chunks = Chunker().run("d1", LAW, "青禾市社会救助办法")
    assert chunks, "a law must produce chunks"
    for c in chunks:
        assert LAW[c.start : c.end] == c.text
    fourth = next(c for c in chunks if "第四条" in c.text)
    assert fourth.heading_path[0] == "第二章 最低生活保障"
    assert fourth.heading_path[-1].endswith("第四条")
    # the enumeration stays inside its article instead of becoming headings of its own
    assert "15个工作日" in fourth.clean and "10个工作日" in fourth.clean
    assert "青禾市社会救助办法" not in fourth.heading_path  # the title is not repeated as a heading


def test_short_articles_of_one_chapter_share_a_chunk_but_chapters_do_not_mix() -> None:
    chunks = Chunker().run("d1", LAW, "青禾市社会救助办法")
    first = next(c for c in chunks if "第一条" in c.text)
    assert "第二条" in first.text
    assert "第三条" not in first.text  # 第三条 is in the next chapter
    assert first.heading_path[-1] == "第一条至第二条"


def test_sentences_are_never_cut() -> None:
    sentence = "行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。"
    text = "一、办理时限\n" + sentence * 40
    chunks = Chunker(min_chars=100, max_chars=300).run("d1", text)
    assert len(chunks) > 3
    for c in chunks:
        assert len(c.clean) <= 300
        assert c.text.endswith("。"), c.text[-10:]
        assert c.text.startswith("行政机关")


def test_space_separated_table_rows_get_template_headers_and_parent_labels() -> None:
    chunks = Chunker().run("d1", REPORT_SPACES, "临江区2024年政府信息公开工作年度报告")
    rows = [line for c in chunks if c.kind == "table_row" for line in c.clean.split("\n")]
    new = next(r for r in rows if r.startswith("一、本年新收"))
    assert "自然人 126" in new and "总计 140" in new
    unknown = next(r for r in rows if "本机关不掌握" in r)
    assert "（四）无法提供" in unknown and "总计 21" in unknown
    made = next(r for r in rows if "没有现成信息" in r)
    assert "（四）无法提供" in made, "a sub-row inherits the parent label given on an earlier line"
    assert "三、本年度办理结果" in next(r for r in rows if "予以公开" in r)
    table = next(c for c in chunks if c.kind == "table_row")
    assert table.heading_path == ["三、收到和处理政府信息公开申请情况"]
    prose = [c for c in chunks if "行政复议申请2件" in c.clean]
    assert prose and prose[0].kind == "text"


def test_pipe_table_cells_become_rows_with_their_column_headers() -> None:
    chunks = Chunker().run("d1", REPORT_PIPES, "")
    rows = [line for c in chunks if c.kind == "table_row" for line in c.clean.split("\n")]
    assert "行政规范性文件：本年制发件数 9，本年废止件数 6，现行有效件数 52" in rows
    assert "行政许可：本年处理决定数量 4862" in rows
    for c in chunks:
        assert REPORT_PIPES[c.start : c.end] == c.text


def test_one_line_table_rows_from_docx_keep_their_header() -> None:
    text = "四、办理流程\n办理环节 | 办理主体 | 时限\n受理 | 乡镇人民政府 | 3个工作日\n审核 | 乡镇人民政府 | 15个工作日\n"
    chunks = Chunker().run("d1", text)
    rows = [line for c in chunks if c.kind == "table_row" for line in c.clean.split("\n")]
    assert rows == ["受理：办理主体 乡镇人民政府，时限 3个工作日", "审核：办理主体 乡镇人民政府，时限 15个工作日"]


def test_units_point_at_sentences_and_rows() -> None:
    chunks = Chunker().run("d1", REPORT_SPACES, "")
    for c in chunks:
        assert c.units, "every chunk records its sentences or rows"
        for s, e in c.units:
            assert c.start <= s < e <= c.end
    table = next(c for c in chunks if c.kind == "table_row")
    assert len(table.units) == len(table.clean.split("\n"))
    first_row = REPORT_SPACES[table.units[0][0] : table.units[0][1]]
    assert re.match(r"一、本年新收政府信息公开申请数量 126", first_row)
