"""Cells of parsed 年度报告 tables in the registry: (report, region, year, table, row, column, value, source span).

Stored per document and text hash, so a report is parsed once per version; tables come from a numbered
migration in `retriever.registry`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from retriever.registry import Registry


@dataclass
class StoredCell:
    table: str
    row: str
    row_label: str
    column: str
    value: Decimal
    text: str
    start: int
    end: int
    row_start: int
    row_end: int


@dataclass
class StoredReport:
    """One parsed report: where it comes from, which tables parsed completely, the problems found, its cells."""

    doc_id: str
    text_hash: str
    source: str
    region: str
    year: int | None
    complete: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    cells: list[StoredCell] = field(default_factory=list)

    def cell(self, row: str, column: str = "总计") -> StoredCell | None:
        return next((c for c in self.cells if c.row == row and c.column == column), None)

    def row(self, row: str) -> list[StoredCell]:
        return [c for c in self.cells if c.row == row]


class ReportStore:
    """Read and write parsed report tables."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def put(self, report: StoredReport) -> None:
        with self.registry.transaction() as cur:
            cur.execute("DELETE FROM report_cells WHERE doc_id = ?", (report.doc_id,))
            cur.execute(
                "INSERT OR REPLACE INTO report_tables (doc_id, text_hash, source, region, year, complete, problems)"
                " VALUES (?,?,?,?,?,?,?)",
                (report.doc_id, report.text_hash, report.source, report.region, report.year,
                 json.dumps(report.complete), json.dumps(report.problems, ensure_ascii=False)))
            cur.executemany(
                "INSERT INTO report_cells (doc_id, tbl, row_key, row_label, col, value, raw, start, end_, row_start,"
                " row_end) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(report.doc_id, c.table, c.row, c.row_label, c.column, str(c.value), c.text, c.start, c.end,
                  c.row_start, c.row_end) for c in report.cells])

    def hashes(self) -> dict[str, str]:
        """doc_id -> the text hash its stored tables were parsed from."""
        return {r["doc_id"]: r["text_hash"] for r in self.registry.select("SELECT doc_id, text_hash FROM report_tables")}

    def forget(self, doc_ids: list[str]) -> None:
        with self.registry.transaction() as cur:
            for doc_id in doc_ids:
                cur.execute("DELETE FROM report_cells WHERE doc_id = ?", (doc_id,))
                cur.execute("DELETE FROM report_tables WHERE doc_id = ?", (doc_id,))

    def reports(self) -> list[StoredReport]:
        """Every stored report with its cells."""
        cells: dict[str, list[StoredCell]] = {}
        for r in self.registry.select("SELECT * FROM report_cells ORDER BY doc_id, rowid"):
            cells.setdefault(r["doc_id"], []).append(StoredCell(
                r["tbl"], r["row_key"], r["row_label"], r["col"], Decimal(r["value"]), r["raw"], r["start"], r["end_"],
                r["row_start"], r["row_end"]))
        return [
            StoredReport(r["doc_id"], r["text_hash"], r["source"] or "", r["region"] or "", r["year"],
                         json.loads(r["complete"]), json.loads(r["problems"]), cells.get(r["doc_id"], []))
            for r in self.registry.select("SELECT * FROM report_tables ORDER BY doc_id")
        ]
