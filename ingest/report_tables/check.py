"""Checks on a parsed annual report: the template's own arithmetic, and narrative numbers against the tables.

The template states its rule under table 三: 第一项加第二项之和，等于第三项加第四项之和 (新收 + 上年结转 = 办理结果总计 +
结转下年度继续办理), per column. Rows also add up across (six applicant columns = 总计), result rows add up to
（七）总计, and in table 四 each group's four results add up to its 总计. Reports also restate figures in their text
("全年共新收政府信息公开申请140件"); a restated number that matches no reading of the table is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from ingest.report_tables.parse import Cell, ParsedReport, Problem
from ingest.report_tables.template import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    RESULT_COLUMNS,
    RESULT_ROW_KEYS,
    REVIEW_GROUPS,
)

_GAP = r"[^，。；,;\d|复诉建提]{0,14}?"
_SHORT = r"[^，。；,;\d|]{0,6}?"
_N = r"(?P<n>\d+)(?P<unit>[件份])"


def check_report(report: ParsedReport, text: str) -> list[Problem]:
    """All consistency problems of `report` (whose cells point into `text`)."""
    return [*balance(report), *row_totals(report), *results_totals(report), *review_totals(report),
            *narrative_conflicts(report, text)]


def balance(report: ParsedReport) -> list[Problem]:
    """新收 + 上年结转 = 办理结果总计 + 结转下年度继续办理, for every column where all four cells were read."""
    problems = []
    for column in APPLICANT_COLUMNS:
        cells = [report.cell(row, column) for row in ("new", "carried_over", "results_total", "carried_forward")]
        if any(c is None for c in cells):
            continue
        new, carried, total, forward = cells  # type: ignore[misc]
        if new.value + carried.value != total.value + forward.value:
            problems.append(Problem(
                "balance",
                f"表三“{column}”列：本年新收 {new.text} + 上年结转 {carried.text} = {new.value + carried.value}，"
                f"但办理结果总计 {total.text} + 结转下年度 {forward.text} = {total.value + forward.value}",
                "三", [new, carried, total, forward]))
    return problems


def row_totals(report: ParsedReport) -> list[Problem]:
    """In table 三 the six applicant columns of a row add up to its 总计."""
    problems = []
    for spec in APPLICATION_ROWS:
        cells = report.row(spec.key) or report.row(spec.group)
        if len(cells) != len(APPLICANT_COLUMNS):
            continue
        parts, total = cells[:-1], cells[-1]
        if sum(c.value for c in parts) != total.value:
            problems.append(Problem(
                "row_total", f"表三“{cells[0].row_label}”：{_sum_text(parts)}，但总计为 {total.text}", "三", cells))
    return problems


def results_totals(report: ParsedReport) -> list[Problem]:
    """（一）至（六）的办理结果之和 equals （七）总计, per column."""
    problems = []
    for column in APPLICANT_COLUMNS:
        total = report.cell("results_total", column)
        parts = [c for key in RESULT_ROW_KEYS for c in group_cells(report, key, column)]
        if total is None or not parts or any(c is None for c in parts):
            continue
        if sum(c.value for c in parts) != total.value:
            problems.append(Problem(
                "results_total", f"表三“{column}”列：办理结果各项 {_sum_text(parts)}，但（七）总计为 {total.text}",
                "三", [*parts, total]))
    return problems


def group_cells(report: ParsedReport, key: str, column: str) -> list[Cell]:
    """The cells that make up a result row in `column`: the row itself, or the sub-rows of a group."""
    own = report.cell(key, column)
    if own is not None:
        return [own]
    members = [s.key for s in APPLICATION_ROWS if s.group == key]
    found = [report.cell(m, column) for m in members]
    return [c for c in found if c is not None] if members and all(c is not None for c in found) else []


def review_totals(report: ParsedReport) -> list[Problem]:
    """In table 四 each group's 维持 + 纠正 + 其他 + 尚未审结 equals its 总计."""
    cells = report.row("review")
    problems = []
    size = len(RESULT_COLUMNS)
    for g, group in enumerate(REVIEW_GROUPS):
        part = cells[g * size : (g + 1) * size]
        if len(part) != size:
            continue
        if sum(c.value for c in part[:-1]) != part[-1].value:
            problems.append(Problem(
                "review_total", f"表四“{group}”：{_sum_text(part[:-1])}，但总计为 {part[-1].text}", "四", part))
    return problems


def _sum_text(cells: list[Cell]) -> str:
    return " + ".join(c.text for c in cells) + f" = {sum(c.value for c in cells)}"


# --- narrative numbers ---

Reading = Callable[[ParsedReport], list[tuple[Decimal, list[Cell]]]]


def _cells(*keys: str, column: str = "总计") -> Reading:
    """Acceptable readings: the sum of the named rows (or groups) in `column`; several keys may be alternatives."""
    def read(report: ParsedReport) -> list[tuple[Decimal, list[Cell]]]:
        out = []
        for key in keys:
            cells = [c for k in key.split("+") for c in group_cells(report, k, column)]
            if cells and len(cells) >= len(key.split("+")):
                out.append((sum((c.value for c in cells), Decimal(0)), cells))
        return out
    return read


def _review(group: int, *more: int) -> Reading:
    def read(report: ParsedReport) -> list[tuple[Decimal, list[Cell]]]:
        cells = report.row("review")
        size = len(RESULT_COLUMNS)
        picked = [cells[g * size + size - 1] for g in (group, *more) if len(cells) >= (g + 1) * size]
        return [(sum((c.value for c in picked), Decimal(0)), picked)] if picked else []
    return read


def _disclosure(key: str, column: int) -> Reading:
    def read(report: ParsedReport) -> list[tuple[Decimal, list[Cell]]]:
        cells = report.row(key)
        return [(cells[column].value, [cells[column]])] if len(cells) > column else []
    return read


NARRATIVE: list[tuple[str, re.Pattern[str], Reading]] = [
    # "受理政府信息公开申请17件", "共收到8份政府信息公开申请": 申请 before or just after the number.
    ("新收申请", re.compile(rf"(?:新收|受理|收到|接收)(?:并办理|和办理)?{_GAP}{_N}(?=[^，。；]{{0,10}}申请)"
                        rf"|(?:新收|受理|收到|接收)(?:并办理|和办理)?[^，。；,;\d|复诉建提]{{0,14}}?申请[^，。；,;\d|]{{0,6}}?"
                        rf"(?P<m>\d+)(?P<u>[件份])"), _cells("new", "new+carried_over")),
    ("上年结转", re.compile(rf"上年度?结转{_SHORT}{_N}"), _cells("carried_over")),
    ("办结", re.compile(rf"办结(?!率){_SHORT}{_N}"), _cells("results_total")),
    ("结转下年度", re.compile(rf"(?:结转|转)(?:至|到)?下一?年度?{_SHORT}{_N}"), _cells("carried_forward")),
    ("予以公开及部分公开", re.compile(rf"予以公开[及和、]部分公开{_SHORT}{_N}"), _cells("granted+partly_granted")),
    ("予以公开", re.compile(rf"(?:予以公开|同意公开)(?![及和、]){_SHORT}{_N}"), _cells("granted")),
    ("部分公开", re.compile(rf"(?<![及和、])部分公开{_SHORT}{_N}"), _cells("partly_granted")),
    ("不予公开", re.compile(rf"不予公开{_SHORT}{_N}"), _cells("withheld")),
    ("无法提供", re.compile(rf"无法提供{_SHORT}{_N}"), _cells("unable")),
    ("不予处理", re.compile(rf"不予处理{_SHORT}{_N}"), _cells("not_processed")),
    ("其他处理", re.compile(rf"其他处理{_SHORT}{_N}"), _cells("other")),
    ("行政复议", re.compile(rf"行政复议{_SHORT}{_N}"), _review(0)),
    ("行政诉讼", re.compile(rf"行政诉讼(?![（(]){_SHORT}{_N}"), _review(1, 2)),
    ("制发规范性文件", re.compile(r"制发(?:行政)?规范性文件(?P<n>\d+)(?P<unit>件)"), _disclosure("normative_documents", 0)),
    ("废止规范性文件", re.compile(r"废止(?:行政)?规范性文件(?P<n>\d+)(?P<unit>件)"), _disclosure("normative_documents", 1)),
    ("现行有效规范性文件", re.compile(r"现行有效的?(?:行政)?规范性文件(?P<n>\d+)(?P<unit>件)"), _disclosure("normative_documents", 2)),
]


def narrative_conflicts(report: ParsedReport, text: str) -> list[Problem]:
    """Numbers the report's sentences state about table figures that match no reading of the table."""
    squeezed, where = _squeeze_with_map(text)
    problems = []
    for name, pattern, reading in NARRATIVE:
        for match in pattern.finditer(squeezed):
            groups = match.groupdict()
            stated = Decimal(groups.get("n") or groups.get("m") or 0)
            unit = groups.get("unit") or groups.get("u") or "件"
            readings = reading(report)
            if not readings or any(value == stated for value, _ in readings):
                continue
            value, cells = readings[0]
            start, end = where[match.start()], where[match.end() - 1] + 1
            problems.append(Problem(
                "narrative", f"正文“{_one_line(text[start:end])}”称{name}{stated}{unit}，表中为 {value}"
                f"（{cells[0].row_label.split(' > ')[-1] if len(cells) == 1 else '、'.join(sorted({c.row_label.split(' > ')[-1] for c in cells}))}）",
                cells[0].table, cells, start, end))
    return problems


def _squeeze_with_map(text: str) -> tuple[str, list[int]]:
    """`text` without whitespace (PDF lines break mid-number and mid-word), and each kept character's offset."""
    kept = [(ch, i) for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(ch for ch, _ in kept), [i for _, i in kept]


def _one_line(text: str) -> str:
    return re.sub(r"\s+", "", text)
