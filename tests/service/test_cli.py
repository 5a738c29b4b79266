"""The command line: ingest with a bad file in the batch, list, ask --json, rm; and service imports stay light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app

POLICY = """青禾市临江区人民政府关于印发《临江区临时救助办法》的通知
临政规〔2024〕5号
第一条 临时救助由申请人向户籍所在地乡镇人民政府、街道办事处提出。
第二条 乡镇人民政府、街道办事处应当自受理之日起5个工作日内作出决定。
"""


def _run(data: Path, *args: str):  # noqa: ANN202
    return CliRunner().invoke(app, ["--data-dir", str(data), "--embedder", "fake:256", *args])


def test_ingest_reports_bad_files_and_keeps_the_good_ones(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "jiuzhu.txt").write_text(POLICY, encoding="utf-8")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (docs / "empty.txt").write_text("  \n", encoding="utf-8")
    (docs / "table.xlsx").write_bytes(b"PK")
    data = tmp_path / "data"
    result = _run(data, "ingest", str(docs))
    assert result.exit_code == 1, "some files failed"
    assert "broken.pdf" in result.output and "empty.txt" in result.output and ".xlsx" in result.output
    listed = _run(data, "docs", "list", "--json")
    sources = [d["source"] for d in json.loads(listed.stdout)]
    assert sources == ["jiuzhu.txt"]
    assert json.loads(listed.stdout)[0]["meta"]["doc_number"] == "临政规〔2024〕5号"


def test_ask_json_cites_the_document_and_rm_removes_it(tmp_path: Path) -> None:
    docs = tmp_path / "jiuzhu.txt"
    docs.write_text(POLICY, encoding="utf-8")
    data = tmp_path / "data"
    assert _run(data, "ingest", str(docs)).exit_code == 0
    again = _run(data, "ingest", str(docs))
    assert "unchanged" in again.output
    result = _run(data, "ask", "临时救助多少个工作日内作出决定？", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert not answer["refused"]
    assert "5个工作日" in answer["answer"]
    cite = answer["citations"][0]
    assert cite["doc"] == "jiuzhu.txt" and POLICY[cite["start"] : cite["end"]] == cite["quote"]
    assert _run(data, "docs", "rm", "jiuzhu.txt").exit_code == 0
    assert json.loads(_run(data, "docs", "list", "--json").stdout) == []
    assert json.loads(_run(data, "ask", "临时救助多少个工作日内作出决定？", "--json").stdout)["refused"]


def test_too_long_question_is_refused_with_a_message(tmp_path: Path) -> None:
    result = _run(tmp_path / "data", "ask", "问" * 5000)
    assert result.exit_code != 0
    assert "at most" in str(result.exception) + result.output


def test_importing_service_loads_neither_torch_nor_gradio() -> None:
    code = "import sys, service.assistant, service.cli; print(sorted(m for m in ('torch', 'gradio') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
