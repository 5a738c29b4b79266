"""Optional ragas metrics (faithfulness, context recall, factual correctness) with an OpenAI-compatible judge.

Nothing here runs unless a judge is configured (`--judge-url` and `--judge-model`, or the environment variables
POLICY_EVAL_JUDGE_URL / POLICY_EVAL_JUDGE_MODEL / POLICY_EVAL_JUDGE_API_KEY) and ragas is installed
(`pip install 'policy-assistant[judge]'`). Otherwise the result says it was skipped and why; nothing fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from evals.suites import Case

JUDGE_HINT = "pip install 'policy-assistant[judge]'  (ragas and langchain-openai)"
NOT_CONFIGURED = (
    "ragas metrics skipped: no judge model configured "
    "(set --judge-url and --judge-model, or POLICY_EVAL_JUDGE_URL and POLICY_EVAL_JUDGE_MODEL)"
)


@dataclass(frozen=True)
class JudgeConfig:
    """An OpenAI-compatible chat endpoint used as the judge."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)


def ragas_rows(cases: list[Case], predictions: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The single-turn samples ragas scores: answerable questions that were answered."""
    rows = []
    for case in cases:
        pred = predictions.get(case.id)
        if case.expect_refusal or not pred or pred.get("refused"):
            continue
        rows.append({
            "user_input": case.question,
            "response": pred.get("answer", ""),
            "retrieved_contexts": [r.get("text", "") for r in pred.get("retrieved", [])[:5]],
            "reference": case.answer,
        })
    return rows


def ragas_metrics(cases: list[Case], predictions: dict[str, dict[str, Any]], judge: JudgeConfig) -> dict[str, Any]:
    """Mean ragas scores, or {"skipped": reason} when no judge is configured or ragas is not installed."""
    if not judge.configured:
        return {"skipped": NOT_CONFIGURED}
    try:
        from langchain_openai import ChatOpenAI
        from ragas import EvaluationDataset, evaluate
        from ragas.llms import LangchainLLMWrapper
        from ragas.metrics import FactualCorrectness, Faithfulness, LLMContextRecall
    except ImportError as exc:
        return {"skipped": f"ragas metrics skipped: {exc.name or exc} is not installed; {JUDGE_HINT}"}
    rows = ragas_rows(cases, predictions)
    if not rows:
        return {"skipped": "ragas metrics skipped: no answered question to judge"}
    chat = ChatOpenAI(base_url=judge.base_url, model=judge.model, api_key=judge.api_key or "none", temperature=0)
    result = evaluate(
        EvaluationDataset.from_list(rows), metrics=[Faithfulness(), LLMContextRecall(), FactualCorrectness()],
        llm=LangchainLLMWrapper(chat), show_progress=False,
    )
    return {"judge_model": judge.model, "n": len(rows)} | mean_scores([dict(row) for row in result.scores])


def mean_scores(scores: list[dict[str, Any]]) -> dict[str, float | None]:
    """Per-metric means over samples, ignoring the NaN a judge leaves when its reply cannot be parsed."""
    names = sorted({k for row in scores for k in row})
    out: dict[str, float | None] = {}
    for name in names:
        values = [float(r[name]) for r in scores
                  if isinstance(r.get(name), int | float) and not math.isnan(float(r[name]))]
        out[f"ragas_{name}"] = round(sum(values) / len(values), 4) if values else None
    return out
