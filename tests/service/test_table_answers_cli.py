"""`policy-assistant reports table FILE [--json]` and `reports check FILE...` (exit 1 on problems)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app
from tests.ingest import report_samples as samples


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reports_table_json_gives_cells_with_offsets(tmp_path: Path) -> None:
    path = _file(tmp_path, "ar.txt", samples.pdf_text())
    result = CliRunner().invoke(app, ["reports", "table", "--json", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["complete"] == {"二": True, "三": True, "四": True}
    cell = next(c for c in data["cells"] if c["row"] == "unable_not_held" and c["column"] == "自然人")
    assert (cell["table"], cell["value"]) == ("三", 28)
    assert samples.pdf_text()[cell["start"] : cell["end"]] == "28"


def test_reports_table_prints_rows(tmp_path: Path) -> None:
    path = _file(tmp_path, "ar.txt", samples.pipe_text())
    result = CliRunner().invoke(app, ["reports", "table", str(path)])
    assert result.exit_code == 0, result.output
    assert "一、本年新收政府信息公开申请数量: 自然人=120  商业企业=6" in result.output


def test_reports_check_exits_1_and_names_the_broken_report(tmp_path: Path) -> None:
    good = _file(tmp_path, "good.txt", samples.pdf_text())
    broken = _file(tmp_path, "broken.txt", samples.pdf_text(samples.table3(carried=[9, 1, 0, 0, 0, 0])))
    result = CliRunner().invoke(app, ["reports", "check", str(good), str(broken)])
    assert result.exit_code == 1
    assert f"OK  {good}" in result.output and f"FAIL {broken}" in result.output
    assert "[balance] 表三“自然人”列：本年新收 120 + 上年结转 9 = 129" in result.output


def test_reports_check_exits_0_when_all_reports_are_consistent(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["reports", "check", str(_file(tmp_path, "good.txt", samples.markdown_text()))])
    assert result.exit_code == 0, result.output
