"""Rebuild table rows from flattened table text, each with its row labels and column headers.

Two flattened shapes are handled: PDF text (a row label followed by space-separated numbers on one line, headers
broken over many short lines) and web text (one cell per line ending in ` |`, rows separated by lines of pipes).
DOCX and HTML tables arrive from the loaders as one row per line with cells joined by ` | `, the second shape.
When a table's own header cannot be read, the national annual-report template (国办公开办函〔2021〕30号) supplies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.lines import LABEL_PUNCT, PIPE_ONLY, Line, heading_rank

APPLICANT_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
REVIEW_COLUMNS = [
    *(f"行政复议{c}" for c in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")),
    *(f"行政诉讼（未经复议直接起诉）{c}" for c in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")),
    *(f"行政诉讼（复议后起诉）{c}" for c in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")),
]
NUMERIC_CELL = re.compile(r"^-?\d[\d,]*(?:\.\d+)?%?$")
MD_RULE = re.compile(r"^:?-{2,}:?$")
SHORT_LABEL_MAX = 30


@dataclass
class TableRow:
    """One logical row: where it is in the source, its labels, and its values with their column names."""

    start: int
    end: int
    labels: list[str]
    values: list[str]
    headers: list[str] | None = None
    caption: str = ""

    def render(self) -> str:
        """Readable text for the row: "行政许可：本年处理决定数量 9487"."""
        label = " > ".join(lbl for lbl in self.labels if lbl) or "合计"
        if self.headers and len(self.headers) == len(self.values):
            cells = "，".join(f"{h} {v}" for h, v in zip(self.headers, self.values, strict=True))
        else:
            cells = " ".join(self.values)
        return f"{label}：{cells}"


@dataclass
class _State:
    parents: dict[int, str] = field(default_factory=dict)
    headers: list[str] | None = None
    caption: str = ""
    pending: list[Line] = field(default_factory=list)  # label-only lines not yet known as parent or continuation
    in_header: bool = True  # no data row seen since the last caption or header
    region_text: str = ""


def is_table_line(line: Line) -> bool:
    return line.kind in ("row", "pipe", "caption")


def is_short_label(line: Line) -> bool:
    s = line.stripped
    if line.kind == "header":
        return True
    return line.kind in ("text", "heading") and len(s) <= SHORT_LABEL_MAX and "。" not in s


def table_end(lines: list[Line], i: int) -> int:
    """Index one past the last line of the table region starting at `i` (a table line)."""
    j = i
    last_table = i
    piped = lines[i].kind == "pipe"
    while j < len(lines):
        line = lines[j]
        if is_table_line(line):
            last_table = j
        elif piped and line.kind == "heading" and (line.rank or 9) <= 4:
            break  # in web tables every cell ends in a pipe: a bare section heading is outside the table
        elif line.kind in ("blank", "page_mark") or is_short_label(line) and not _closes_table(lines, j):
            pass
        else:
            break
        j += 1
    return last_table + 1


def _closes_table(lines: list[Line], j: int) -> bool:
    """A top-level heading ("四、政府信息公开行政复议……") ends a table unless rows follow it directly."""
    line = lines[j]
    if line.kind != "heading" or (line.rank or 9) > 4:
        return False
    nxt = next((ln for ln in lines[j + 1 : j + 4] if ln.kind not in ("blank", "page_mark")), None)
    return nxt is None or nxt.kind not in ("row", "pipe")


def parse_rows(lines: list[Line], preamble: str = "") -> list[TableRow]:
    """The rows of one table region. `preamble` is text just before it (header cells broken over lines)."""
    state = _State(region_text=preamble + "".join(ln.raw for ln in lines))
    if any(ln.kind == "pipe" for ln in lines):
        return _parse_pipe_rows(lines, state)
    rows: list[TableRow] = []
    for line in lines:
        if line.kind in ("blank", "page_mark"):
            continue
        if line.kind == "caption":
            _flush_pending(state)
            state.caption, state.headers = line.stripped, None
        elif line.kind == "header":
            _flush_pending(state)
            state.headers = line.stripped.split()
        elif line.kind == "row":
            rows.append(_space_row(line, state))
        else:
            state.pending.append(line)
    return rows


def _space_row(line: Line, state: _State) -> TableRow:
    label = line.label
    start = line.start
    if state.pending and (not label or heading_rank(label) is None):
        # A label broken over lines: "（二）部分公开（区分处理的，只计这一情 形，不" + "计其他情形） 9 0 …"
        continued = state.pending[-1]
        if heading_rank(continued.stripped) is not None and label:
            label = continued.stripped + label
            start = continued.start
            state.pending.pop()
    _flush_pending(state)
    return _make_row(label, line.numbers or [], start, line.end, state)


def _make_row(label: str, values: list[str], start: int, end: int, state: _State) -> TableRow:
    headers = _headers_for(values, state)
    if not label and headers is REVIEW_COLUMNS:
        label = "行政复议、行政诉讼情况"
    return TableRow(start, end, _label_path(label, state), values, headers, state.caption)


def _flush_pending(state: _State) -> None:
    """Label-only lines become parent labels; single characters ("三" "、" "本" …) are one label spread out."""
    if not state.pending:
        return
    texts = [ln.stripped for ln in state.pending]
    if all(len(t) <= 2 for t in texts):
        texts = ["".join(texts)]
    for text in texts:
        _set_parent(text, state)
    state.pending.clear()


def _set_parent(text: str, state: _State) -> None:
    rank = heading_rank(text)
    if rank is None:
        return
    state.parents = {r: lbl for r, lbl in state.parents.items() if r < rank}
    state.parents[rank] = text


def _label_path(label: str, state: _State) -> list[str]:
    label = re.sub(r"\s+", "", label) if len(label) < 40 else label
    # "（四）无法提供1.本机关不掌握相关政府信息": the parent label and the row label on one line.
    inner = re.search(r"(?<=\S)(?=\d{1,2}[.．])", label)
    if inner and heading_rank(label) is not None:
        _set_parent(label[: inner.start()], state)
        label = label[inner.start() :]
    rank = heading_rank(label)
    if rank is None:
        return [label]
    return [lbl for r, lbl in sorted(state.parents.items()) if r < rank] + [label]


def _headers_for(values: list[str], state: _State) -> list[str] | None:
    n = len(values)
    headers = state.headers
    if headers and len(headers) == n + 1:
        return headers[1:]
    if headers and len(headers) == n:
        return headers
    if n == len(APPLICANT_COLUMNS) and ("自然人" in state.region_text or "申请" in state.region_text):
        return APPLICANT_COLUMNS
    if n == len(REVIEW_COLUMNS) and "复议" in state.region_text:
        return REVIEW_COLUMNS
    return None


def _parse_pipe_rows(lines: list[Line], state: _State) -> list[TableRow]:
    rows: list[TableRow] = []
    cells: list[tuple[str, Line]] = []
    for line in lines:
        s = line.stripped
        if line.kind in ("blank", "page_mark"):
            continue
        if PIPE_ONLY.match(s):
            _emit_pipe_row(cells, state, rows)
            cells = []
            continue
        parts = [p.strip() for p in s.split("|")]
        content = [p for p in parts if p and not MD_RULE.match(p)]
        if not content:  # a Markdown rule row "|---|---|"
            _emit_pipe_row(cells, state, rows)
            cells = []
            continue
        for cell in content:
            if not _is_number(cell) and any(_is_number(c) for c, _ in cells):
                _emit_pipe_row(cells, state, rows)  # a label after values starts the next row
                cells = []
            cells.append((cell, line))
        trailing_pipes = s.count("|") - max(0, len(content) - 1)
        if len(content) > 1 or trailing_pipes >= 2:
            _emit_pipe_row(cells, state, rows)  # a whole row on one line, or a cell closing its row
            cells = []
    _emit_pipe_row(cells, state, rows)
    return rows


def _emit_pipe_row(cells: list[tuple[str, Line]], state: _State, rows: list[TableRow]) -> None:
    if not cells:
        return
    texts = [c for c, _ in cells]
    first_num = next((i for i, t in enumerate(texts) if _is_number(t)), None)
    start, end = cells[0][1].start, cells[-1][1].end
    if first_num is None:
        if not _pipe_label_row(texts, state):
            headers = state.headers[1:] if state.headers and len(state.headers) == len(texts) else None
            rows.append(TableRow(start, end, [texts[0]], texts[1:], headers, state.caption))
            state.in_header = False
        return
    state.in_header = False
    labels = texts[:first_num]
    values = [t.replace(" ", "") for t in texts[first_num:]]
    if len(labels) >= len(values) + 2:
        # Header cells ran straight into the first row: "信息内容 | 本年制发件数 | … | 规章 | 0 | …"
        state.headers, labels = labels[: len(values) + 1], labels[len(values) + 1 :]
    for parent in labels[:-1]:
        _set_parent(parent, state)
    label = labels[-1] if labels else ""
    rows.append(_make_row(label, values, start, end, state))


def _is_number(cell: str) -> bool:
    return bool(NUMERIC_CELL.match(cell.replace(" ", "")))


def _pipe_label_row(texts: list[str], state: _State) -> bool:
    """Consume a row without numbers as a caption, header or parent label; False when it is a data row."""
    if len(texts) == 1:
        if texts[0].startswith("第") and "项" in texts[0]:
            state.caption, state.headers, state.in_header = texts[0], None, True
        else:
            _set_parent(texts[0], state)
        return True
    bare = [re.sub(r"[（(][^）)]{0,12}[）)]", "", t) for t in texts]  # "本年收费金额(单位:万元)"
    header_like = all(len(t) <= 12 and not LABEL_PUNCT.search(t) and not re.search(r"\d", t) for t in bare)
    # A second header row (sub-columns) has its own width; a row as wide as the header is data.
    if header_like and (state.headers is None or state.in_header and len(texts) != len(state.headers)):
        state.headers, state.in_header = texts, True
        return True
    if state.headers is None:
        for text in texts:
            _set_parent(text, state)
        return True
    return False
