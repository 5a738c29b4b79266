"""ragas metrics with a real judge: llama.cpp's OpenAI-compatible server with Gemma 3 270M, on 127.0.0.1.

That tiny base model is no judge of Chinese policy answers; what is checked is the whole path a real judge takes:
`eval run --judge-url ...` asks the server through ragas and instructor, every judged answer gets a score or is
counted as unscored with the reason, the means and per-question detail land in metrics.json, the report shows them,
and the gate reads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.gate import load_metrics
from evals.judge import METRICS
from service.generation.llama_server import llama_server
from tests.conftest import SAMPLE_CORPUS, SAMPLE_QUESTIONS

pytestmark = pytest.mark.slow
MODEL = "judge-gemma3-270m"


@pytest.fixture(scope="module")
def judge_server(gemma_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("judge") / "server.log"
    with llama_server(gemma_gguf, log, alias=MODEL, chat_format="gemma", n_ctx=8192) as url:  # room for re-asks
        yield url, log


def _requests(log: Path) -> int:
    return log.read_text(errors="replace").count("POST /v1/chat/completions")


def test_eval_run_scores_answers_with_a_judge_over_the_wire(
    judge_server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICY_EMBEDDER", "fake:256")
    monkeypatch.delenv("RAGAS_DO_NOT_TRACK", raising=False)  # the judge must switch ragas's usage reports off itself
    url, log = judge_server
    first = json.loads(SAMPLE_QUESTIONS.read_text(encoding="utf-8").splitlines()[0])  # the 低保 standard: 1050元
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps(first, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    before = _requests(log)
    result = CliRunner().invoke(app, [
        "run", "--questions", str(questions), "--corpus", str(SAMPLE_CORPUS), "--out", str(out), "--no-progress",
        "--judge-url", url, "--judge-model", MODEL, "--judge-mode", "tools", "--judge-max-tokens", "384", "--judge-timeout", "900",
    ])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["accuracy"] == 1.0  # the extractive answer was right, so there is an answer to judge
    ragas = metrics["ragas"]
    assert "skipped" not in ragas, ragas
    assert ragas["judge_model"] == MODEL and ragas["judge_mode"] == "tools" and ragas["n"] == 1
    assert _requests(log) - before >= len(METRICS)  # every metric asked the judge at least once

    [row] = ragas["per_question"]
    assert row["id"] == first["id"]
    for name in METRICS:
        value = row[name]
        assert value is None or 0.0 <= value <= 1.0
        assert ragas[f"ragas_{name}"] == (None if value is None else round(value, 4))
        assert ragas["unscored"][name] == (value is None)
        if value is None:  # an unparsed reply is reported with its reason, not averaged in as zero
            assert row["errors"][name]
    # The tool-call grammar makes llama.cpp reply in the requested shape, so at least one metric gets a score.
    assert any(row[name] is not None for name in METRICS), row.get("errors")

    flat = load_metrics(out / "metrics.json")
    assert all(f"ragas_{name}" in flat for name in METRICS)  # the gate can hold the judge's scores
    assert CliRunner().invoke(app, ["report", str(out)]).exit_code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="ragas"' in html and MODEL in html
