"""The HTML report: parse it, check the three charts are embedded PNGs and the failures are listed."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser
from pathlib import Path

from typer.testing import CliRunner

from evals.cli import app
from evals.report import load_results, write_report
from evals.scoring import score
from evals.suites import Case, Passage

CASES = [
    Case("q1", "多久答复？", "regulation", answer="20个工作日", groups=[["20个工作日"]], source_docs=["law.txt"],
         passages=[Passage("law.txt", "应当在20个工作日内答复")]),
    Case("q2", "火星低保标准？", "unanswerable"),
]


def _details(answer_q1: str, latency: float) -> list[dict]:
    preds = {
        "q1": {"answer": answer_q1, "refused": False, "latency_s": latency,
               "retrieved": [{"doc": "law.txt", "text": "应当在20个工作日内答复", "heading": "第三条"}]},
        "q2": {"answer": "未找到<依据>", "refused": True, "latency_s": latency * 2, "retrieved": []},
    }
    return score(CASES, preds, {})[1]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: dict[str, str] = {}
        self.cells: list[str] = []
        self._in_td = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img":
            self.images[a.get("id") or ""] = a.get("src") or ""
        self._in_td = tag == "td"

    def handle_data(self, data: str) -> None:
        if self._in_td:
            self.cells.append(data)


def _summary() -> tuple[dict, dict]:
    details = {"hybrid": _details("应当在20个工作日内答复", 0.05), "bm25": _details("不知道<script>", 0.01)}
    summary = {"questions": "q.jsonl", "n_questions": 2, "corpus": ["corpus/"], "n_documents": 1,
               "configs": {name: {"metrics": score(CASES, {}, {})[0] | {"by_type": {"regulation": 1.0}}}
                           for name in details}}
    return summary, details


def test_report_embeds_three_charts_and_lists_failures(tmp_path: Path) -> None:
    summary, details = _summary()
    html_path, json_path = write_report(summary, details, tmp_path)
    page = _Page()
    page.feed(html_path.read_text(encoding="utf-8"))
    assert set(page.images) == {"recall-at-k", "accuracy-by-type", "latency-histogram"}
    for src in page.images.values():
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    text = "".join(page.cells)
    assert "多久答复？" in text and "20个工作日" in text and "不知道<script>" in text  # escaped, shown as text
    assert "answer lacks the expected content" in text
    assert "<script>" not in html_path.read_text(encoding="utf-8")
    report = json.loads(json_path.read_text(encoding="utf-8"))
    assert [f["id"] for f in report["configs"]["bm25"]["failures"]] == ["q1"]
    assert report["configs"]["hybrid"]["failures"] == []


def test_report_command_reads_a_run_folder(tmp_path: Path) -> None:
    details = _details("不对", 0.02)
    (tmp_path / "details.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in details),
                                            encoding="utf-8")
    metrics = score(CASES, {}, {})[0] | {"config": "hybrid"}
    (tmp_path / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(tmp_path), "--out", str(tmp_path / "r"), "--markdown"])
    assert result.exit_code == 0, result.output
    assert "| metric | hybrid |" in result.output and "| answer acc | 0.000 |" in result.output
    assert (tmp_path / "r" / "report.html").exists() and (tmp_path / "r" / "report.json").exists()
    summary, loaded = load_results(tmp_path)
    assert list(summary["configs"]) == ["hybrid"] and len(loaded["hybrid"]) == 2


def test_report_command_on_a_folder_without_results_exits_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["report", str(tmp_path)]).exit_code == 2


def test_report_shows_the_judges_scores_or_why_there_are_none(tmp_path: Path) -> None:
    summary, details = _summary()
    skipped = summary | {"ragas": {"skipped": "ragas metrics skipped: no judge model configured"}}
    html = write_report(skipped, details, tmp_path / "a")[0].read_text(encoding="utf-8")
    assert 'id="ragas-skipped"' in html and "no judge model configured" in html
    judged = {name: {"judge_model": "qwen-judge", "judge_mode": "json", "n": 1, "ragas_faithfulness": 0.25,
                     "unscored": {"faithfulness": 1}} for name in details}
    page = _Page()
    page.feed(write_report(summary | {"ragas": judged}, details, tmp_path / "b")[0].read_text(encoding="utf-8"))
    cells = [c.strip() for c in page.cells]
    row = cells.index("ragas_faithfulness")
    assert cells[row + 1: row + 3] == ["0.250", "0.250"]
    assert cells[cells.index("unscored faithfulness") + 1] == "1"
