"""`eval compare` and `eval run` end to end on a corpus written here, with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.runner import CONFIGS

LAW = """住房公积金管理条例

第一条 为了加强对住房公积金的管理，制定本条例。

第二条 职工和单位住房公积金的缴存比例均不得低于职工上一年度月平均工资的5%。

第三条 行政机关收到政府信息公开申请，应当在20个工作日内予以答复。

第四条 行政机关依申请提供政府信息，不收取费用。
"""
REPORT = """某区2024年政府信息公开工作年度报告

一、总体情况
2024年，本区共受理政府信息公开申请95件，办结93件。全年主动公开政府信息1136条。
"""
QUESTIONS = [
    {"id": "q1", "type": "regulation", "question": "政府信息公开申请多少个工作日内答复？", "answer": "20个工作日",
     "answer_aliases": ["二十个工作日"], "answer_keywords": [], "source_docs": ["law.txt"],
     "supporting_passages": [{"doc": "law.txt", "text": "应当在20个工作日内予以答复"}]},
    {"id": "q2", "type": "annual_report_fact", "question": "某区2024年受理了多少件政府信息公开申请？", "answer": "95件",
     "answer_aliases": [], "answer_keywords": [], "source_docs": ["report.txt"],
     "supporting_passages": [{"doc": "report.txt", "text": "本区共受理政府信息公开申请95件"}]},
    {"id": "q3", "type": "unanswerable", "question": "火星上的低保标准是多少？", "answer": "未找到",
     "answer_aliases": [], "answer_keywords": [], "source_docs": [], "supporting_passages": []},
]


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("POLICY_EMBEDDER", "fake:256")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "law.txt").write_text(LAW, encoding="utf-8")
    (corpus / "report.txt").write_text(REPORT, encoding="utf-8")
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS), encoding="utf-8")
    return corpus, questions


def test_compare_runs_every_configuration_and_resumes(suite: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, questions = suite
    out = tmp_path / "out"
    args = ["compare", "--corpus", str(corpus), "--questions", str(questions), "--out", str(out), "--no-progress"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "ragas metrics skipped: no judge model configured" in first.output
    comparison = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert list(comparison["configs"]) == list(CONFIGS)
    for name in CONFIGS:
        metrics = comparison["configs"][name]["metrics"]
        assert metrics["n_questions"] == 3 and metrics["answers_reused"] == 0
        assert metrics["doc_recall@10"] is not None and metrics["latency_p50_s"] is not None
        preds = [json.loads(x) for x in (out / name / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [p["id"] for p in preds] == ["q1", "q2", "q3"]
        assert {"id", "answer", "refused", "retrieved", "citations"} <= set(preds[0])
        assert all(r["doc"] in ("law.txt", "report.txt") for p in preds for r in p["retrieved"])
    assert len(json.loads((out / "langchain_tutorial" / "predictions.jsonl").read_text().splitlines()[0])
               ["retrieved"]) <= 10
    assert "doc R@5" in first.output and "langchain_tutorial" in first.output
    assert (out / "report.html").read_text(encoding="utf-8").count("data:image/png;base64,") == 3

    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    again = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    for name in CONFIGS:
        assert again["configs"][name]["metrics"]["answers_reused"] == 3  # nothing answered twice
        assert again["configs"][name]["metrics"]["config_hash"] == comparison["configs"][name]["metrics"]["config_hash"]


def test_run_keeps_its_outputs_and_rgb_needs_no_corpus(suite: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, questions = suite
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "--questions", str(questions), "--corpus", str(corpus), "--out", str(out),
                                      "--legs", "lexical", "--no-progress"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["config"] == "bm25" and metrics["legs"] == "lexical"
    assert metrics["ragas"]["skipped"].startswith("ragas metrics skipped")
    assert len((out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()) == 3

    rgb = tmp_path / "rgb.jsonl"
    rgb.write_text(json.dumps({"id": 1, "query": "2024年某区受理了多少件申请？", "answer": ["95件"],
                               "positive": ["2024年某区共受理申请95件。"],
                               "negative": ["今天天气晴朗。", "球队赢得了比赛。"]}, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--questions", str(rgb), "--out", str(tmp_path / "rgb"),
                                      "--noise-rates", "0,0.4", "--no-progress"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "rgb" / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["by_type"]) == {"rgb_noise_0", "rgb_noise_0.4", "rgb_negative_rejection"}
    assert metrics["n_unanswerable"] == 1


def test_evalkit_questions_without_corpus_exit_2(suite: tuple[Path, Path], tmp_path: Path) -> None:
    _, questions = suite
    result = CliRunner().invoke(app, ["run", "--questions", str(questions), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "give --corpus" in result.output


def test_unknown_configuration_exits_2(suite: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, questions = suite
    result = CliRunner().invoke(app, ["compare", "--corpus", str(corpus), "--questions", str(questions),
                                      "--out", str(tmp_path / "o"), "--configs", "hybrid,magic"])
    assert result.exit_code == 2 and "magic" in result.output


def test_compare_with_a_judge_puts_its_scores_in_the_table_report_and_gate(
    suite: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    judged: list[tuple[str, str]] = []

    def fake_judge(cases, predictions, judge):  # noqa: ANN001, ANN202 - stands in for ragas and its judge server
        judged.append((judge.model, judge.mode))
        answered = [c.id for c in cases if not predictions[c.id]["refused"]]
        return {"judge_model": judge.model, "judge_mode": judge.mode, "n": len(answered),
                "ragas_faithfulness": 0.5 + 0.25 * len(judged), "unscored": {"faithfulness": 0}}

    monkeypatch.setattr("evals.cli.ragas_metrics", fake_judge)
    corpus, questions = suite
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "compare", "--corpus", str(corpus), "--questions", str(questions), "--out", str(out), "--no-progress",
        "--configs", "bm25,hybrid", "--judge-url", "http://127.0.0.1:9/v1", "--judge-model", "judge-m",
        "--judge-mode", "tools"])
    assert result.exit_code == 0, result.output
    assert judged == [("judge-m", "tools"), ("judge-m", "tools")]  # once per configuration
    row = next(line for line in result.output.splitlines() if line.startswith("judge: faithfulness"))
    assert row.split()[2:] == ["0.750", "1.000"]
    assert 'id="ragas"' in (out / "report.html").read_text(encoding="utf-8")  # rewritten after the judge ran
    gate = CliRunner().invoke(app, ["gate", "--baseline", str(out / "comparison.json"), "--current",
                                    str(out / "comparison.json"), "--metric", "ragas_faithfulness"])
    assert gate.exit_code == 0 and "2 metric" in gate.output
