"""Annual reports the team writes for tests, in each input shape: PDF text, one cell per line, Markdown, DOCX, HTML.

The numbers are invented (a fictional 测试区); every row's 总计 and the rows 办理结果总计 and 结转下年度 are computed
here so the template's rule holds, and a test can break it on purpose.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx

COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
# (parent label, own label, six applicant values); parents as the template prints them.
R3 = "三、本年度办理结果"
RESULT_ROWS: list[tuple[str, str, str, list[int]]] = [
    ("granted", R3, "（一）予以公开", [50, 3, 0, 0, 1, 0]),
    ("partly_granted", "", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [12, 1, 0, 0, 0, 0]),
    ("withheld_state_secret", "（三）不予公开", "1.属于国家秘密", [0, 0, 0, 0, 0, 0]),
    ("withheld_prohibited", "", "2.其他法律行政法规禁止公开", [0, 0, 0, 0, 0, 0]),
    ("withheld_three_safeties", "", "3.危及“三安全一稳定”", [1, 0, 0, 0, 0, 0]),
    ("withheld_third_party", "", "4.保护第三方合法权益", [2, 0, 0, 0, 0, 0]),
    ("withheld_internal", "", "5.属于三类内部事务信息", [0, 0, 0, 0, 0, 0]),
    ("withheld_process", "", "6.属于四类过程性信息", [1, 0, 0, 0, 0, 0]),
    ("withheld_enforcement", "", "7.属于行政执法案卷", [0, 0, 0, 0, 0, 0]),
    ("withheld_query", "", "8.属于行政查询事项", [3, 0, 0, 0, 0, 0]),
    ("unable_not_held", "（四）无法提供", "1.本机关不掌握相关政府信息", [28, 2, 1, 0, 1, 1]),
    ("unable_not_existing", "", "2.没有现成信息需要另行制作", [4, 0, 0, 0, 0, 0]),
    ("unable_unclear", "", "3.补正后申请内容仍不明确", [1, 0, 0, 0, 0, 0]),
    ("not_processed_petition", "（五）不予处理", "1.信访举报投诉类申请", [5, 0, 0, 0, 0, 0]),
    ("not_processed_repeated", "", "2.重复申请", [2, 0, 0, 0, 0, 0]),
    ("not_processed_publication", "", "3.要求提供公开出版物", [0, 0, 0, 0, 0, 0]),
    ("not_processed_mass", "", "4.无正当理由大量反复申请", [0, 0, 0, 0, 0, 0]),
    ("not_processed_reissue", "", "5.要求行政机关确认或重新出具已获取信息", [1, 0, 0, 0, 0, 0]),
    ("other_no_correction", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [3, 0, 0, 0, 0, 0]),
    ("other_no_fee", "", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", [0, 0, 0, 0, 0, 0]),
    ("other_other", "", "3.其他", [2, 1, 0, 0, 0, 0]),
]
NEW = [120, 6, 1, 0, 2, 1]
CARRIED = [4, 1, 0, 0, 0, 0]
REVIEW = [3, 1, 0, 0, 4, 1, 0, 0, 1, 2, 1, 0, 0, 0, 1]
DISCLOSURE = [("规章", [0, 0, 0]), ("行政规范性文件", [9, 6, 52]), ("行政许可", [4862]), ("行政处罚", [1375]),
              ("行政强制", [86]), ("行政事业性收费", ["312.57"])]


def with_total(values: list[int]) -> list[int]:
    return [*values, sum(values)]


def table3(new: list[int] | None = None, carried: list[int] | None = None) -> list[tuple[str, str, str, list[int]]]:
    """All 25 rows of table 三 as (key, parent, label, seven values), balanced unless `new`/`carried` break it."""
    new, carried = new or NEW, carried or CARRIED
    totals = [sum(r[3][i] for r in RESULT_ROWS) for i in range(6)]
    forward = [NEW[i] + CARRIED[i] - totals[i] for i in range(6)]  # balanced for the default numbers
    rows = [("new", "", "一、本年新收政府信息公开申请数量", with_total(new)),
            ("carried_over", "", "二、上年结转政府信息公开申请数量", with_total(carried))]
    rows += [(k, p, lbl, with_total(v)) for k, p, lbl, v in RESULT_ROWS]
    rows += [("results_total", "", "（七）总计", with_total(totals)),
             ("carried_forward", "", "四、结转下年度继续办理", with_total(forward))]
    return rows


def expected_cells(rows: list[tuple[str, str, str, list[int]]] | None = None) -> dict[tuple[str, str], int]:
    return {(key, col): v for key, _, _, vals in (rows or table3()) for col, v in zip(COLUMNS, vals, strict=True)}


INTRO = ("测试区人民政府2024年政府信息公开工作年度报告\n成文日期：2025-01-15\n"
         "本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。\n一、总体情况\n"
         "（二）依申请公开。全年共新收政府信息公开申请{new}件，办结{done}件。\n")
OUTRO = "\n五、存在的主要问题及改进情况\n下一步将继续加强依申请公开工作。\n"


def _intro(rows: list[tuple[str, str, str, list[int]]], narrative_new: int | None) -> str:
    new = narrative_new if narrative_new is not None else rows[0][3][-1]
    return INTRO.format(new=new, done=rows[-2][3][-1])


def pdf_text(rows: list[tuple[str, str, str, list[int]]] | None = None, narrative_new: int | None = None,
             review: list[int] | None = None) -> str:
    """PDF extraction: labels then space-separated numbers, headers broken over lines, a page mark, a wrapped label."""
    rows = rows or table3()
    out = [_intro(rows, narrative_new), "二、主动公开政府信息情况", "第二十条第（一）项",
           "信息内容 本年制发件数 本年废止件数 现行有效件数"]
    for label, vals in DISCLOSURE:
        if label == "行政许可":
            out += ["第二十条第（五）项", "信息内容 本年处理决定数量"]
        if label == "行政处罚":
            out += ["- 3 -", "第二十条第（六）项", "信息内容 本年处理决定数量"]
        if label == "行政事业性收费":
            out += ["第二十条第（八）项", "信息内容 本年收费金额（单位：万元）"]
        out.append(f"{label} {' '.join(map(str, vals))}")
    out += ["三、收到和处理政府信息公开申请情况", "（本列数据的勾稽关系为：第一项加第二项之和， 等", "于第三项加第四项之和）",
            "申请人情况", "自然人", "法人或其他组织", "总计", "商业", "企业", "科研", "机构", "社会", "公益", "组织",
            "法律", "服务", "机构", "其他"]
    for key, parent, label, vals in rows:
        nums = " ".join(map(str, vals))
        if parent == R3:
            out += list("三、本年度办理结果")  # one character per line, as PDF extraction leaves a tall merged cell
        if key == "partly_granted":
            out += ["（二）部分公开（区分处理的，只计这一情 形，不", f"计其他情形） {nums}"]
            continue
        if key == "unable_not_held":
            out.append(f"（四）无法提供 {label} {nums}")  # parent and child label on one line
            continue
        if parent and parent != R3:
            out.append(parent)
        if key == "withheld_prohibited":
            label = "2.其他法律行政止公开"  # a typo real reports print
        if key == "unable_not_existing":
            out.append("- 4 -")
        out.append(f"{label} {nums}")
    out += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼", "结果", "维持", "结果", "纠正", "其他", "结果",
            "尚未", "审结", "总 计", "未经复议直接起诉 复议后起诉", " ".join(map(str, review or REVIEW))]
    return "\n".join(out) + OUTRO


def pipe_text(rows: list[tuple[str, str, str, list[int]]] | None = None) -> str:
    """Web pages: one cell per line ending in " |", rows separated by lines of pipes."""
    rows = rows or table3()
    out = [_intro(rows, None), "二、主动公开政府信息情况", "|||", "第二十条第（一）项 |", "|||"]
    out += ["信息内容 |", "本年制发件数 |", "本年废止件数 |", "现行有效件数 |", "|||"]
    for label, vals in DISCLOSURE:
        out += [f"{label} |", *(f"{v} |" for v in vals), "|||"]
    out += ["三、收到和处理政府信息公开申请情况", "|||", "申请人情况 |", "|||"]
    out += [f"{c} |" for c in ("自然人", "法人或其他组织", "总计")] + ["|||"]
    out += [f"{c} |" for c in COLUMNS[1:6]] + ["|||"]
    for _, parent, label, vals in rows:
        if parent:
            out.append(f"{parent} |")
        out += [f"{label} |", *(f"{v} |" for v in vals), "|||"]
    out += ["四、政府信息公开行政复议、行政诉讼情况", "|||", "行政复议 |", "行政诉讼 |", "|||"]
    out += [f"{v} |" for v in REVIEW] + ["|||"]
    return "\n".join(out) + OUTRO


def markdown_text(rows: list[tuple[str, str, str, list[int]]] | None = None, blank_total_in: str = "") -> str:
    """Markdown rows (a whole row per line, `|---|` rules); `blank_total_in` leaves that row's 总计 cell empty."""
    rows = rows or table3()
    out = [_intro(rows, None), "## 二、主动公开政府信息情况", "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
           "|---|---|---|---|"]
    out += [f"| {label} | {' | '.join(map(str, vals))} |" for label, vals in DISCLOSURE]
    out += ["## 三、收到和处理政府信息公开申请情况", f"| 申请人情况 | {' | '.join(COLUMNS)} |", "|---|" + "---|" * 7]
    for key, parent, label, vals in rows:
        cells = [str(v) for v in vals]
        if key == blank_total_in:
            cells[-1] = " "
        out.append(f"| {parent} | {label} | {' | '.join(cells)} |")
    out += ["## 四、政府信息公开行政复议、行政诉讼情况", "| " + " | ".join(map(str, REVIEW)) + " |"]
    return "\n".join(out) + OUTRO


def _table_rows(rows: list[tuple[str, str, str, list[int]]]) -> list[list[str]]:
    header = [["申请人情况", "", *COLUMNS]]
    return header + [[parent, label, *map(str, vals)] for _, parent, label, vals in rows]


def write_docx(path: Path, rows: list[tuple[str, str, str, list[int]]] | None = None) -> Path:
    """A DOCX with real tables; the loader renders each table row as "a | b | c"."""
    rows = rows or table3()
    document = docx.Document()
    for line in _intro(rows, None).splitlines():
        document.add_paragraph(line)
    document.add_paragraph("二、主动公开政府信息情况")
    t2 = document.add_table(rows=0, cols=4)
    for label, vals in [("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"]), *DISCLOSURE]:
        cells = t2.add_row().cells
        for cell, text in zip(cells, [label, *map(str, vals), "", ""][:4], strict=True):
            cell.text = text
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    t3 = document.add_table(rows=0, cols=9)
    for values in _table_rows(rows):
        for cell, text in zip(t3.add_row().cells, values, strict=True):
            cell.text = text
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t4 = document.add_table(rows=0, cols=15)
    for cell, text in zip(t4.add_row().cells, map(str, REVIEW), strict=True):
        cell.text = text
    for line in OUTRO.strip().splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def write_html(path: Path, rows: list[tuple[str, str, str, list[int]]] | None = None) -> Path:
    rows = rows or table3()

    def table(body: list[list[str]]) -> str:
        trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in body)
        return f"<table>{trs}</table>"

    parts = [f"<p>{line}</p>" for line in _intro(rows, None).splitlines()]
    parts += ["<h2>二、主动公开政府信息情况</h2>",
              table([["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]] +
                    [[label, *map(str, vals)] for label, vals in DISCLOSURE])]
    parts += ["<h2>三、收到和处理政府信息公开申请情况</h2>", table(_table_rows(rows))]
    parts += ["<h2>四、政府信息公开行政复议、行政诉讼情况</h2>", table([list(map(str, REVIEW))])]
    parts += [f"<p>{line}</p>" for line in OUTRO.strip().splitlines()]
    path.write_text("<html><body><div class='content'>" + "".join(parts) + "</div></body></html>", encoding="utf-8")
    return path
