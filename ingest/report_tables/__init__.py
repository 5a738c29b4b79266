"""Typed tables of 政府信息公开工作年度报告 (national template 国办公开办函〔2021〕30号): parse, then check."""

from __future__ import annotations

from ingest.report_tables.check import check_report
from ingest.report_tables.parse import Cell, ParsedReport, Problem, parse_report

__all__ = ["Cell", "ParsedReport", "Problem", "check_report", "parse_report", "read_report"]


def read_report(text: str, source: str = "", region: str = "", year: int | None = None) -> ParsedReport:
    """Parse a report's template tables and add every consistency problem found to its `problems`."""
    report = parse_report(text, source, region, year)
    report.problems.extend(check_report(report, text))
    return report
