"""Optional ragas metrics: skipped with a clear message unless a judge is configured and ragas is installed."""

from __future__ import annotations

import sys

import pytest

from evals.judge import JudgeConfig, mean_scores, ragas_metrics, ragas_rows
from evals.suites import Case

CASES = [Case("a", "多久？", "regulation", answer="20个工作日", groups=[["20个工作日"]]), Case("b", "火星？", "unanswerable")]
PREDS = {"a": {"answer": "20个工作日", "refused": False, "retrieved": [{"text": "应当在20个工作日内"}]},
         "b": {"answer": "未找到", "refused": True}}


def test_skipped_without_a_judge() -> None:
    result = ragas_metrics(CASES, PREDS, JudgeConfig(base_url="http://127.0.0.1:9", model=None))
    assert result == {"skipped": result["skipped"]}
    assert "no judge model configured" in result["skipped"] and "POLICY_EVAL_JUDGE_URL" in result["skipped"]


def test_skipped_with_an_install_hint_when_ragas_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ragas", None)  # import ragas now raises ImportError
    result = ragas_metrics(CASES, PREDS, JudgeConfig("http://127.0.0.1:9/v1", "judge-model"))
    assert "skipped" in result and "policy-assistant[judge]" in result["skipped"]


def test_rows_hold_answered_answerable_questions_only() -> None:
    rows = ragas_rows(CASES, PREDS)
    assert rows == [{"user_input": "多久？", "response": "20个工作日", "retrieved_contexts": ["应当在20个工作日内"],
                     "reference": "20个工作日"}]


def test_mean_scores_ignore_unparsed_judgements() -> None:
    scores = [{"faithfulness": 1.0, "context_recall": float("nan")}, {"faithfulness": 0.5, "context_recall": 0.25}]
    assert mean_scores(scores) == {"ragas_context_recall": 0.25, "ragas_faithfulness": 0.75}
