"""`eval gate`: exit 0 when nothing dropped more than allowed, 1 on a drop, 2 on unusable input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from evals.cli import app
from evals.gate import check, flatten

BASE = {"passage_recall@5": 0.80, "answer_contains_acc": 0.70, "false_refusal_rate": 0.10, "latency_p50_s": 0.05,
        "n_questions": 30, "by_type": {"regulation": 0.9}, "config": "hybrid"}


def _gate(tmp_path: Path, current: dict, *extra: str, base: dict | None = None) -> tuple[int, str]:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(base or BASE), encoding="utf-8")
    b.write_text(json.dumps(current), encoding="utf-8")
    result = CliRunner().invoke(app, ["gate", "--baseline", str(a), "--current", str(b), *extra])
    return result.exit_code, result.output


def test_same_metrics_pass(tmp_path: Path) -> None:
    code, out = _gate(tmp_path, BASE)
    assert code == 0 and "ok: 4 metrics compared" in out  # counts and latency are not quality metrics


def test_small_drop_passes_large_drop_fails(tmp_path: Path) -> None:
    assert _gate(tmp_path, BASE | {"answer_contains_acc": 0.685})[0] == 0
    code, out = _gate(tmp_path, BASE | {"answer_contains_acc": 0.67})
    assert code == 1 and "answer_contains_acc: 0.7000 -> 0.6700" in out


def test_rise_of_a_lower_is_better_rate_fails(tmp_path: Path) -> None:
    code, out = _gate(tmp_path, BASE | {"false_refusal_rate": 0.15})
    assert code == 1 and "false_refusal_rate" in out
    assert _gate(tmp_path, BASE | {"false_refusal_rate": 0.0})[0] == 0  # fewer false refusals is better


def test_drop_by_type_and_missing_metric_fail(tmp_path: Path) -> None:
    assert _gate(tmp_path, BASE | {"by_type": {"regulation": 0.8}})[0] == 1
    current = {k: v for k, v in BASE.items() if k != "passage_recall@5"}
    code, out = _gate(tmp_path, current)
    assert code == 1 and "missing" in out


def test_max_drop_option_and_metric_selection(tmp_path: Path) -> None:
    worse = BASE | {"answer_contains_acc": 0.60, "latency_p50_s": 0.5}
    assert _gate(tmp_path, worse, "--max-drop", "0.2")[0] == 0
    assert _gate(tmp_path, worse, "--metric", "passage_recall@5")[0] == 0
    assert _gate(tmp_path, worse, "--metric", "latency_p50_s")[0] == 1  # latency is gated when asked for


def test_unusable_input_exits_2(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps(BASE), encoding="utf-8")
    missing = CliRunner().invoke(app, ["gate", "--baseline", str(a), "--current", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert _gate(tmp_path, BASE, "--metric", "no_such_metric")[0] == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert CliRunner().invoke(app, ["gate", "--baseline", str(broken), "--current", str(a)]).exit_code == 2


def test_comparison_files_are_gated_per_configuration() -> None:
    base = {"configs": {"hybrid": {"metrics": {"answer_contains_acc": 0.7}}, "bm25": {"metrics": {"answer_contains_acc": 0.5}}}}
    cur = {"configs": {"hybrid": {"metrics": {"answer_contains_acc": 0.6}}, "bm25": {"metrics": {"answer_contains_acc": 0.5}}}}
    assert flatten(base) == {"hybrid.answer_contains_acc": 0.7, "bm25.answer_contains_acc": 0.5}
    findings, names = check(flatten(base), flatten(cur))
    assert [f.metric for f in findings] == ["hybrid.answer_contains_acc"] and len(names) == 2


def test_judge_scores_are_gated_and_a_skipped_judge_adds_nothing() -> None:
    run = {"accuracy": 0.9, "ragas": {"judge_model": "m", "n": 3, "ragas_faithfulness": 0.8,
                                      "unscored": {"faithfulness": 0}, "per_question": []}}
    assert flatten(run) == {"accuracy": 0.9, "ragas_faithfulness": 0.8}
    assert flatten({"accuracy": 0.9, "ragas": {"skipped": "no judge"}}) == {"accuracy": 0.9}
    compared = {"configs": {"hybrid": {"metrics": {"accuracy": 0.9}}},
                "ragas": {"hybrid": {"ragas_context_recall": 0.5, "ragas_faithfulness": None}}}
    assert flatten(compared) == {"hybrid.accuracy": 0.9, "hybrid.ragas_context_recall": 0.5,
                                 "hybrid.ragas_faithfulness": None}
    worse = run | {"ragas": {"ragas_faithfulness": None}}  # the judge failed on every answer this time
    assert [f.metric for f in check(flatten(run), flatten(worse))[0]] == ["ragas_faithfulness"]
