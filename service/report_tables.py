"""Parsed 年度报告 tables kept in step with the index: each report version is parsed once and its cells stored."""

from __future__ import annotations

import logging
from dataclasses import asdict

from ingest.report_tables import read_report
from retriever.index import PolicyIndex
from retriever.report_cells import ReportStore, StoredCell, StoredReport

log = logging.getLogger(__name__)


class ReportTables:
    """The cells of every indexed annual report, parsed when a report is added or changes."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self.store = ReportStore(index.registry)
        self._fingerprint: tuple[tuple[str, str], ...] | None = None
        self._reports: list[StoredReport] = []

    def sync(self) -> int:
        """Parse new or changed reports and drop removed ones; returns how many were parsed."""
        records = [r for r in self.index.registry.documents() if r.meta.doc_type == "年度报告"]
        fingerprint = tuple((r.doc_id, r.text_hash) for r in records)
        if fingerprint == self._fingerprint:
            return 0
        stored = self.store.hashes()
        live = {r.doc_id for r in records}
        self.store.forget([d for d in stored if d not in live])
        parsed = 0
        for rec in records:
            if stored.get(rec.doc_id) == rec.text_hash:
                continue
            text = self.index.registry.document_text(rec.doc_id)
            report = read_report(text, rec.source, rec.meta.region, rec.meta.year)
            self.store.put(StoredReport(
                rec.doc_id, rec.text_hash, rec.source, rec.meta.region, rec.meta.year,
                [t for t in ("二", "三", "四") if report.complete(t)],
                [{k: v for k, v in asdict(p).items() if k != "cells"} | {"cells": [[c.row, c.column] for c in p.cells]}
                 for p in report.problems],
                [StoredCell(c.table, c.row, c.row_label, c.column, c.value, c.text, c.start, c.end, c.row_start,
                            c.row_end) for c in report.cells]))
            parsed += 1
        if parsed:
            log.info("report tables parsed", extra={"reports": parsed})
        self._fingerprint = fingerprint
        self._reports = self.store.reports()
        return parsed

    def reports(self) -> list[StoredReport]:
        self.sync()
        return self._reports
