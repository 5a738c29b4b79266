"""Parse the template tables of a 政府信息公开工作年度报告 into typed cells with their source spans.

Sections are found by their headings; inside each, number runs are matched to template rows by key phrases in
the labels before them, and where labels are missing or garbled (PDF extraction, web pages that break cells
apart) by the template's fixed row order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.report_tables.cells import Run, Token, runs, tokenize
from ingest.report_tables.template import (
    APPLICANT_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    DISCLOSURE_ROWS,
    REVIEW_COLUMNS,
    REVIEW_ROW,
    TABLE_NAMES,
    RowSpec,
)

_HEADING_MAX = 40
_SECTION_KEYS = {
    "二": re.compile(r"主动公开政府信息(?:情况|工作情况)?$"),
    "三": re.compile(r"收到和处理政府信息公开申请(?:情况)?$"),
    "四": re.compile(r"行政复议[、和及]?(?:提起)?行政诉讼(?:情况)?$"),
}
_NUMBERED_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|表[一二三四五六七八九十]+[：:、]?|[（(][一二三四五六七八九十]+[)）])")
_SECTION_END_RE = re.compile(r"存在的主要问题|其他需要报告|^[（(]一[)）]\S{0,6}年?工作中存在")
_MIN_RUN = 4  # shorter runs are stray numbers ("22" of a broken header), not rows


@dataclass
class Cell:
    """One value of a template table, where it is in the source, and the row it belongs to."""

    table: str  # 二 | 三 | 四
    row: str  # the template row key, e.g. "granted"
    row_label: str  # the template's label path, e.g. "三、本年度办理结果 > （一）予以公开"
    column: str
    value: Decimal
    text: str  # the value as written
    start: int
    end: int
    row_start: int  # the row's span (its label through its last cell), what a citation quotes
    row_end: int


@dataclass
class Problem:
    """Something wrong with a report: a table that does not parse completely, or numbers that do not add up."""

    kind: str  # missing_section | missing_row | missing_cells | balance | row_total | results_total | review_total | narrative
    message: str
    table: str = ""
    cells: list[Cell] = field(default_factory=list)
    start: int = -1  # a narrative number's span
    end: int = -1


@dataclass
class ParsedReport:
    source: str
    region: str = ""
    year: int | None = None
    cells: list[Cell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)

    def cell(self, row: str, column: str = "总计") -> Cell | None:
        return next((c for c in self.cells if c.row == row and c.column == column), None)

    def row(self, row: str) -> list[Cell]:
        return [c for c in self.cells if c.row == row]

    def complete(self, table: str) -> bool:
        """True when `table` was found and every template row in it has all its cells."""
        if table not in self.sections:
            return False
        kinds = ("missing_section", "missing_row", "missing_cells")
        return not any(p.table == table and p.kind in kinds for p in self.problems)


def find_sections(text: str) -> dict[str, tuple[int, int]]:
    """Character spans of sections 二, 三 and 四 (the template tables), in document order; absent ones omitted."""
    heads: list[tuple[str, int, int]] = []
    ends: list[int] = []
    pos = 0
    for raw in text.split("\n"):
        line = re.sub(r"\s+", "", raw.replace("|", "").lstrip("#"))
        if 0 < len(line) <= _HEADING_MAX:
            numbered = bool(_NUMBERED_RE.match(line))
            for name, pattern in _SECTION_KEYS.items():
                if numbered and pattern.search(line) and (not heads or _order(name) > _order(heads[-1][0])):
                    heads.append((name, pos, pos + len(raw)))
                    break
            else:
                if _SECTION_END_RE.search(line):
                    ends.append(pos)
        pos += len(raw) + 1
    spans: dict[str, tuple[int, int]] = {}
    for i, (name, _, body) in enumerate(heads):
        limit = heads[i + 1][1] if i + 1 < len(heads) else len(text)
        stop = min([e for e in ends if body <= e < limit] + [limit])
        spans[name] = (body, stop)
    return spans


def _order(name: str) -> int:
    return "二三四".index(name)


def parse_report(text: str, source: str = "", region: str = "", year: int | None = None) -> ParsedReport:
    """Parse sections 二, 三 and 四 of a report; what is missing or incomplete is listed in `problems`."""
    report = ParsedReport(source, region, year, sections=find_sections(text))
    for table in ("二", "三", "四"):
        if table not in report.sections:
            report.problems.append(Problem("missing_section", f"表{table}（{TABLE_NAMES[table]}）未找到", table))
            continue
        start, end = report.sections[table]
        found = runs(tokenize(text, start, end))
        {"二": _disclosure, "三": _applications, "四": _reviews}[table](found, report)
    return report


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


def _disclosure(found: list[Run], report: ParsedReport) -> None:
    seen: set[str] = set()
    for run in found:
        if not run.labels:
            continue
        last = _squeeze(run.labels[-1].text)
        for spec, columns in DISCLOSURE_ROWS:
            if spec.key in seen or not spec.pattern.search(last):
                continue
            seen.add(spec.key)
            _add_row(report, "二", spec, columns, run.cells, run.labels[-1].start)
            break
    _report_missing(report, "二", [spec for spec, _ in DISCLOSURE_ROWS if spec.key not in seen])


def _applications(found: list[Run], report: ParsedReport) -> None:
    width = len(APPLICANT_COLUMNS)
    assigned: dict[str, Run] = {}
    pos = 0
    for run in found:
        if len(run.numbers) < _MIN_RUN or pos >= len(APPLICATION_ROWS):
            continue
        chunks = [run.cells[i : i + width] for i in range(0, len(run.cells), width)]
        chunks = [c for c in chunks if sum(t.kind == "num" for t in c) >= _MIN_RUN]
        for n, values in enumerate(chunks):
            label = _squeeze("".join(t.text for t in run.labels)) if n == 0 else ""
            spec, pos = _place(label, pos)
            if spec is None:
                break
            if spec.key in assigned:
                report.problems.append(Problem("missing_row", f"表三“{spec.label}”出现两次", "三"))
                continue
            assigned[spec.key] = run
            _add_row(report, "三", spec, APPLICANT_COLUMNS, values, _row_start(run, spec, values) if n == 0 else
                     values[0].start)
    missing = [s for s in APPLICATION_ROWS if s.key not in assigned and s.group not in assigned]
    _report_missing(report, "三", missing)


def _report_missing(report: ParsedReport, table: str, missing: list[RowSpec]) -> None:
    if not missing:
        return
    total = len(DISCLOSURE_ROWS) if table == "二" else len(APPLICATION_ROWS)
    names = "；".join(" > ".join(s.path[-2:]) if s.group else s.label for s in missing[:6])
    more = f"等{len(missing)}行" if len(missing) > 6 else ""
    report.problems.append(Problem(
        "missing_row", f"表{table}缺少{len(missing)}/{total}行（文本不完整或表格被截断？）：{names}{more}", table))


def _place(label: str, pos: int) -> tuple[RowSpec | None, int]:
    """The template row a run with `label` fills when `pos` is the next row expected; and the next position."""
    if pos >= len(APPLICATION_ROWS):
        return None, pos
    matches = [i for i, spec in enumerate(APPLICATION_ROWS) if spec.pattern.search(label)]
    if pos in matches:
        return APPLICATION_ROWS[pos], pos + 1
    for group in APPLICATION_GROUPS:
        members = [i for i, s in enumerate(APPLICATION_ROWS) if s.group == group.key]
        if group.pattern.search(label) and not any(m in members for m in matches if m >= pos):
            return group, max(members) + 1
    ahead = [i for i in matches if i > pos]
    i = min(ahead) if ahead else pos
    return APPLICATION_ROWS[i], i + 1


def _row_start(run: Run, spec: RowSpec, values: list[Token]) -> int:
    """Where the row's own label starts: the last label fragment naming the row, else the row's line."""
    named = [t for t in run.labels if spec.pattern.search(_squeeze(t.text))]
    if named:
        return named[-1].start
    return run.row_labels[0].start if run.row_labels else values[0].start


def _reviews(found: list[Run], report: ParsedReport) -> None:
    cells = [t for run in found for t in run.cells]
    if not cells:
        report.problems.append(Problem("missing_row", "表四没有数据行", "四"))
        return
    _add_row(report, "四", REVIEW_ROW, REVIEW_COLUMNS, cells, cells[0].start)


def _add_row(report: ParsedReport, table: str, spec: RowSpec, columns: tuple[str, ...], values: list[Token],
             row_start: int) -> None:
    """Store a row's cells. Blank cells are missing values; with fewer cells than columns nothing is stored, because
    which column each value belongs to is then a guess."""
    values = values[: len(columns)]
    numbers = [t for t in values if t.kind == "num"]
    if not numbers:
        return
    label = " > ".join(spec.path)
    if len(values) < len(columns):
        report.problems.append(Problem(
            "missing_cells", f"表{table}“{label}”只有{len(numbers)}个数值，应有{len(columns)}个，无法确定各属哪一列",
            table))
        return
    row_end = numbers[-1].end
    for column, tok in zip(columns, values, strict=True):
        if tok.kind == "num":
            report.cells.append(Cell(table, spec.key, label, column, Decimal(tok.text.replace(",", "").replace(" ", "")),
                                     tok.text, tok.start, tok.end, row_start, row_end))
    blanks = [column for column, tok in zip(columns, values, strict=True) if tok.kind != "num"]
    if blanks:
        report.problems.append(Problem(
            "missing_cells", f"表{table}“{label}”缺少{'、'.join(blanks)}列的数值", table,
            [c for c in report.cells if c.row == spec.key and c.table == table]))
