"""A fast path for numeric questions about 年度报告 tables: answered from the parsed cells, not from prose.

Each number is cited with its table, row and column and quotes the row exactly as the report prints it; a sum over
sub-rows or columns, and a comparison between years or places, shows its arithmetic. When the question names no
template row, or no report fits its year and place, the general answerer takes over.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ingest.report_tables.template import TABLE_NAMES
from retriever.report_cells import StoredCell, StoredReport
from retriever.types import Hit
from service.answers import Answer, Citation, Sentence
from service.report_tables import ReportTables
from service.table_questions import PLACE_RE, Ask, TableQuery, read_question

NOT_A_COUNT_RE = re.compile(r"多少天|几天|多长|多久|工作日|多少钱|多少元|几个月|电话|地址|哪里|怎么|如何")
STATS_WORDS_RE = re.compile(r"年报|年度报告|报告|表格|表中|统计")
CAVEATS = ("narrative", "balance", "row_total", "results_total", "review_total")
_SUFFIX_RE = re.compile(r"(自治州|自治县|省|市|区|县|旗)$")


class TableAnswerer:
    """Answers "X区2023年新收多少件政府信息公开申请" from report cells, or returns None."""

    def __init__(self, tables: ReportTables) -> None:
        self.tables = tables

    def __call__(self, question: str, hits: list[Hit]) -> Answer | None:
        query = read_question(question)
        if query is None or NOT_A_COUNT_RE.search(question):
            return None
        top_is_report = bool(hits) and hits[0].document.meta.doc_type == "年度报告"
        if not (query.years or top_is_report or STATS_WORDS_RE.search(question)):
            return None
        kbs = {h.document.kb for h in hits}
        allowed = {r.doc_id for r in self.tables.index.registry.documents() if not kbs or r.kb in kbs}
        reports = [r for r in self.tables.reports() if r.doc_id in allowed]
        ranks = {h.document.doc_id: i for i, h in reversed(list(enumerate(hits)))}
        primary = _choose(reports, query, query.years[:1], ranks)
        if primary is None:
            return None
        values = [_value(primary, ask) for ask in query.asks]
        if any(v is None for v in values):
            return None
        composer = _Composer(self.tables, question, hits)
        parts = [composer.state(primary, ask, value) for ask, value in zip(query.asks, values, strict=True)]
        other = _comparison(reports, query, primary, ranks)
        if other is not None:
            ask = query.asks[0]
            value = _value(other, ask)
            if value is not None:
                parts.append(composer.state(other, ask, value))
                parts.append(_arithmetic(primary, other, values[0], value))  # type: ignore[arg-type]
        return composer.answer(parts)


def _choose(reports: list[StoredReport], query: TableQuery, years: list[int], ranks: dict[str, int],
            place: str | None = None) -> StoredReport | None:
    """The report the question means: its year, and its place, or (for a report that names no place, or a question
    that names none) the best-ranked retrieved one."""
    places = [place] if place else query.places
    # A report that names no place may stand for the place asked about only when no report belongs to that place.
    known = any(_place_core(p) in r.region for p in places for r in reports)
    best: tuple[int, int, StoredReport] | None = None
    for report in reports:
        if years and report.year not in years:
            continue
        retrieved = report.doc_id in ranks
        matched = sum(_place_core(p) in f"{report.region}{report.source}" for p in places)
        stand_in = retrieved and not report.region and not known
        if (places and not matched and not stand_in) or (not places and not retrieved):
            continue
        key = (-matched, ranks.get(report.doc_id, len(ranks)), report)
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else None


def _comparison(reports: list[StoredReport], query: TableQuery, primary: StoredReport,
                ranks: dict[str, int]) -> StoredReport | None:
    if query.compare == "previous_year" and primary.year:
        return _same_place(reports, primary, primary.year - 1, query.places)
    if query.compare == "years" and len(query.years) >= 2:
        return _same_place(reports, primary, query.years[1], query.places)
    if query.compare == "places" and len(query.places) >= 2:
        return _choose(reports, query, query.years[:1], ranks, place=query.places[1])
    return None


def _same_place(reports: list[StoredReport], primary: StoredReport, year: int, places: list[str]) -> StoredReport | None:
    """The report of `year` for the place the question names, else for the primary report's own place."""
    units = places or PLACE_RE.findall(primary.region)[-1:] or ([primary.region] if primary.region else [])
    cores = [_place_core(u) for u in units]
    same = [r for r in reports if r.year == year and r.doc_id != primary.doc_id
            and any(core in f"{r.region}{r.source}" for core in cores)]
    return same[0] if same else None


def _place_core(place: str) -> str:
    core = _SUFFIX_RE.sub("", place)
    return core if len(core) >= 2 else place


def _value(report: StoredReport, ask: Ask) -> tuple[Decimal, list[StoredCell]] | None:
    """The asked number and the cells it is made of (one cell, or sub-rows / columns to add up)."""
    cells: list[StoredCell] = []
    for column in ask.columns:
        own = [c for c in report.cells if c.table == ask.table and c.row == ask.row and c.column == column]
        if not own and ask.table == "三":  # a group: its own row, else its sub-rows
            own = [c for c in report.cells if c.table == "三" and c.column == column and c.row.startswith(ask.row + "_")]
            if ask.row == "withheld" and len(own) != 8 or ask.row == "not_processed" and len(own) != 5 \
                    or ask.row in ("unable", "other") and len(own) != 3:
                return None
        if not own:
            return None
        cells += own
    return sum((c.value for c in cells), Decimal(0)), cells


class _Composer:
    def __init__(self, tables: ReportTables, question: str, hits: list[Hit]) -> None:
        self.tables = tables
        self.question = question
        self.hits = hits
        self.citations: list[Citation] = []
        self.sentences: list[Sentence] = []

    def state(self, report: StoredReport, ask: Ask, found: tuple[Decimal, list[StoredCell]]) -> str:
        value, cells = found
        n = self._cite(report, cells)
        title = self._title(report)
        place = f"表{ask.table}（{TABLE_NAMES[ask.table]}）“{cells[0].row_label.split(' > ')[-1]}”行“{cells[0].column}”列"
        if len(cells) > 1:
            rows = list(dict.fromkeys(c.row_label for c in cells))
            cols = "、".join(dict.fromkeys(c.column for c in cells))
            where = f"“{rows[0].split(' > ')[-1]}”行{cols}各列" if len(rows) == 1 else \
                f"“{rows[0].split(' > ')[-2]}”下各项（{len(rows)}行）“{cols}”列"
            place = f"表{ask.table}（{TABLE_NAMES[ask.table]}）{where}之和"
            value_text = f"{' + '.join(c.text for c in cells)} = {_fmt(value)}"
        else:
            value_text = cells[0].text
        unit = "万元" if "万元" in cells[0].column else "件"
        year = f"{report.year}年" if report.year else ""
        text = f"据《{title}》{place}，{year}{ask.what}为{value_text}{unit}[{n}]。"
        self.sentences.append(Sentence(text, [n]))
        used = {(c.row, c.column) for c in cells}
        for problem in report.problems:  # the report contradicts itself about this number: say so
            if problem["kind"] in CAVEATS and used & {tuple(rc) for rc in problem.get("cells", [])}:
                note = f"（注意：{problem['message']}。）"
                self.sentences.append(Sentence(note, [n]))
                text += note
        return text

    def _cite(self, report: StoredReport, cells: list[StoredCell]) -> int:
        rec = self.tables.index.registry.get(report.doc_id)
        assert rec is not None
        text = self.tables.index.registry.document_text(report.doc_id)
        start, end = min(c.row_start for c in cells), max(c.row_end for c in cells)
        chunk = next((c for c in self.tables.index.registry.chunks(report.doc_id) if c.start <= start < c.end), None)
        heading = " > ".join(dict.fromkeys([f"表{cells[0].table} {TABLE_NAMES[cells[0].table]}", cells[0].row_label,
                                            "、".join(dict.fromkeys(c.column for c in cells))]))
        n = len(self.citations) + 1
        self.citations.append(Citation(
            n=n, doc=rec.source, title=rec.meta.title, doc_number=rec.meta.doc_number, issued=rec.meta.issued,
            validity=rec.meta.validity, heading=heading, quote=text[start:end], start=start, end=end,
            chunk_id=chunk.chunk_id if chunk else ""))
        return n

    def _title(self, report: StoredReport) -> str:
        rec = self.tables.index.registry.get(report.doc_id)
        return rec.meta.title if rec else report.source

    def answer(self, parts: list[str]) -> Answer:
        return Answer(self.question, "".join(parts), False, self.sentences, self.citations, self.hits,
                      generator="table", evidence_score=1.0)


def _arithmetic(primary: StoredReport, other: StoredReport, new: tuple[Decimal, list[StoredCell]],
                old: tuple[Decimal, list[StoredCell]]) -> str:
    a, b = new[0], old[0]
    diff = a - b
    label_a = f"{primary.year}年" if primary.year != other.year else primary.region
    label_b = f"{other.year}年" if primary.year != other.year else other.region
    change = "增加" if diff > 0 else "减少" if diff < 0 else "持平"
    pct = f"（{_fmt((diff / b * 100).quantize(Decimal('0.1')))}%）" if b and diff else ""
    amount = f"{_fmt(abs(diff))}" if diff else ""
    return f"{label_a}比{label_b}：{_fmt(a)} − {_fmt(b)} = {_fmt(diff)}，{change}{amount}{pct}。"


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
