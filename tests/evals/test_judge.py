"""Optional ragas metrics: skipped with a clear message unless a judge is configured and ragas is installed."""

from __future__ import annotations

import asyncio
import sys
from types import SimpleNamespace

import pytest

from evals.judge import METRICS, JudgeConfig, _reason, _score_all, _unscored, mean_scores, ragas_metrics, ragas_rows
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


def test_a_sample_judges_the_first_answered_questions() -> None:
    cases = [Case(f"q{i}", "多久？", "regulation", answer="20个工作日", groups=[["20"]]) for i in range(4)]
    preds = {f"q{i}": {"answer": "20个工作日", "refused": i == 0} for i in range(4)}
    assert [r["id"] for r in ragas_rows(cases, preds, limit=2)] == ["q1", "q2"]
    assert len(ragas_rows(cases, preds)) == 3


def test_rows_hold_answered_answerable_questions_only() -> None:
    rows = ragas_rows(CASES, PREDS)
    assert rows == [{"id": "a", "user_input": "多久？", "response": "20个工作日", "retrieved_contexts": ["应当在20个工作日内"],
                     "reference": "20个工作日"}]


def test_mean_scores_ignore_unparsed_judgements() -> None:
    scores = [{"faithfulness": 1.0, "context_recall": float("nan")}, {"faithfulness": 0.5, "context_recall": 0.25}]
    assert mean_scores(scores) == {"ragas_context_recall": 0.25, "ragas_faithfulness": 0.75}


def test_an_unknown_judge_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="json, tools"):
        JudgeConfig("http://127.0.0.1:9/v1", "m", mode="xml")


class _Metric:
    """Stands in for a ragas metric: returns a fixed score, or fails like instructor after its retries."""

    def __init__(self, value: float | None, error: Exception | None = None) -> None:
        self.value, self.error, self.calls = value, error, []

    async def ascore(self, **fields: object) -> SimpleNamespace:
        self.calls.append(fields)
        if self.error:
            raise self.error
        return SimpleNamespace(value=self.value)


class _RetryError(Exception):
    def __init__(self) -> None:
        super().__init__("<failed_attempts><generation number='1'>...")
        self.n_attempts = 3
        self.failed_attempts = [SimpleNamespace(exception=ValueError(f"Invalid JSON\n at column {i}")) for i in (9, 12)]


def test_an_unparsed_judgement_is_counted_with_its_reason_not_scored_zero() -> None:
    rows = ragas_rows(CASES, PREDS)
    good, bad = _Metric(0.5), _Metric(None, _RetryError())
    per_question = asyncio.run(_score_all(rows, {"faithfulness": (good, ("response", "retrieved_contexts")),
                                                 "context_recall": (bad, ("reference",))}))
    assert good.calls == [{"response": "20个工作日", "retrieved_contexts": ["应当在20个工作日内"]}]
    assert bad.calls == [{"reference": "20个工作日"}]
    assert per_question == [{"id": "a", "faithfulness": 0.5, "context_recall": None,
                             "errors": {"context_recall": "no usable reply in 3 attempts; last: Invalid JSON at column 12"}}]
    assert _unscored(per_question) == dict.fromkeys(METRICS, 0) | {"context_recall": 1, "factual_correctness": 1}


def test_a_nan_score_is_unscored_so_the_results_stay_valid_json() -> None:
    import json

    per_question = asyncio.run(_score_all(ragas_rows(CASES, PREDS), {"faithfulness": (_Metric(float("nan")), ())}))
    assert per_question[0]["faithfulness"] is None and "NaN" in per_question[0]["errors"]["faithfulness"]
    json.loads(json.dumps(per_question), parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))


def test_a_plain_error_keeps_its_type_in_the_reason() -> None:
    assert _reason(TimeoutError("judge did not answer\nin 120 s")) == "TimeoutError: judge did not answer in 120 s"


def test_a_bad_judge_mode_stops_the_run_before_any_work(tmp_path) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from evals.cli import app

    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "type": "regulation", "question": "多久？", "answer": "20个工作日"}\n',
                         encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--questions", str(questions), "--out", str(tmp_path / "out"),
                                      "--judge-url", "http://127.0.0.1:9/v1", "--judge-model", "m", "--judge-mode", "xml"])
    assert result.exit_code == 2 and "json, tools" in result.output
    assert not (tmp_path / "out").exists()
