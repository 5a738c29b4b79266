"""`policy-assistant reports ...`: parse a 政府信息公开工作年度报告's template tables and check their arithmetic.

Works on files directly (no index needed): `reports table FILE` prints the typed cells, `reports check FILE...`
lists problems (tables that do not parse completely, sums that do not add up, narrative numbers that contradict the
table) and exits with 1 when there are any.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from ingest.errors import IngestError
from ingest.metadata import extract_metadata
from ingest.report_tables import ParsedReport, read_report
from ingest.report_tables.template import TABLE_NAMES

reports_app = typer.Typer(help="Parse and check the tables of 政府信息公开工作年度报告.", no_args_is_help=True)


def _read(path: Path) -> tuple[str, ParsedReport]:
    from ingest.loaders import load_file  # PDF, DOCX and HTML readers load only when a report is read

    loaded = load_file(path)
    meta = extract_metadata(loaded.text, path.name)
    return loaded.text, read_report(loaded.text, path.name, meta.region, meta.year)


def report_to_dict(report: ParsedReport) -> dict[str, Any]:
    """The parsed report as JSON-ready data: cells with table, row, column, value and source offsets."""
    return {
        "source": report.source, "region": report.region, "year": report.year,
        "complete": {t: report.complete(t) for t in ("二", "三", "四")},
        "cells": [
            {"table": c.table, "row": c.row, "row_label": c.row_label, "column": c.column,
             "value": int(c.value) if c.value == c.value.to_integral_value() else float(c.value), "text": c.text,
             "start": c.start, "end": c.end, "row_start": c.row_start, "row_end": c.row_end}
            for c in report.cells
        ],
        "problems": [{k: v for k, v in asdict(p).items() if k != "cells"} | {"cells": [
            {"table": c.table, "row": c.row, "column": c.column, "text": c.text, "start": c.start, "end": c.end}
            for c in p.cells]} for p in report.problems],
    }


@reports_app.command("table")
def table(
    file: Annotated[Path, typer.Argument(help="a report (.txt .md .html .docx .pdf)", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="print cells as JSON")] = False,
) -> None:
    """Print the template tables (二 主动公开, 三 依申请公开, 四 复议诉讼) parsed from a report."""
    try:
        _, report = _read(file)
    except IngestError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(report_to_dict(report), ensure_ascii=False, indent=2))
        return
    typer.echo(f"{report.source}  {report.region} {report.year or ''}")
    for name in ("二", "三", "四"):
        cells = [c for c in report.cells if c.table == name]
        state = "完整" if report.complete(name) else "不完整"
        typer.echo(f"\n表{name} {TABLE_NAMES[name]}（{state}）")
        rows: dict[str, list[str]] = {}
        for c in cells:
            rows.setdefault(c.row_label, []).append(f"{c.column}={c.text}")
        for label, values in rows.items():
            typer.echo(f"  {label}: {'  '.join(values)}")
    for p in report.problems:
        typer.echo(f"[{p.kind}] {p.message}", err=True)


@reports_app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="reports to check", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="print problems as JSON")] = False,
) -> None:
    """List each report's problems: incomplete tables, 新收+上年结转≠办理结果总计+结转下年度, sums, narrative
    numbers contradicting the table. Exit code 1 if any report has a problem."""
    results: dict[str, list[dict[str, Any]]] = {}
    for path in files:
        try:
            _, report = _read(path)
            results[str(path)] = report_to_dict(report)["problems"]
        except IngestError as exc:
            results[str(path)] = [{"kind": "unreadable", "message": exc.reason, "cells": []}]
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for path, problems in results.items():
            typer.echo(f"{'OK ' if not problems else 'FAIL'} {path}")
            for p in problems:
                cells = "；".join(f"{c['row']}/{c['column']}={c['text']}@{c['start']}" for c in p["cells"][:8])
                typer.echo(f"    [{p['kind']}] {p['message']}" + (f"  单元格：{cells}" if cells else ""))
    if any(results.values()):
        raise typer.Exit(1)
