"""Optional ragas metrics (faithfulness, context recall, factual correctness) with an OpenAI-compatible judge.

Nothing here runs unless a judge is configured (`--judge-url` and `--judge-model`, or the environment variables
POLICY_EVAL_JUDGE_URL / POLICY_EVAL_JUDGE_MODEL / POLICY_EVAL_JUDGE_API_KEY) and ragas is installed
(`pip install 'policy-assistant[judge]'`). Otherwise the result says it was skipped and why; nothing fails.

The judge is asked through ragas's instructor-based metrics (ragas >= 0.4). Its replies must be JSON of a given shape:
`mode="json"` (ragas's default) asks for a JSON object and puts the shape in the prompt; `mode="tools"` asks for a
named tool call, which servers that build a grammar from the tool's schema (llama.cpp, vLLM) then enforce, so a small
local judge cannot reply in the wrong shape. A reply that still cannot be parsed leaves that sample unscored: the
means skip it and `unscored` counts it, with the reason, so a judge that fails is seen, not averaged in as zero.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from evals.suites import Case

JUDGE_HINT = "pip install 'policy-assistant[judge]'  (ragas and instructor)"
NOT_CONFIGURED = (
    "ragas metrics skipped: no judge model configured "
    "(set --judge-url and --judge-model, or POLICY_EVAL_JUDGE_URL and POLICY_EVAL_JUDGE_MODEL)"
)
MODES = ("json", "tools")
# The ragas metric, and the fields of a row it reads.
METRICS = {
    "faithfulness": ("Faithfulness", ("user_input", "response", "retrieved_contexts")),
    "context_recall": ("ContextRecall", ("user_input", "retrieved_contexts", "reference")),
    "factual_correctness": ("FactualCorrectness", ("response", "reference")),
}


@dataclass(frozen=True)
class JudgeConfig:
    """An OpenAI-compatible chat endpoint used as the judge, and how it is asked."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    mode: str = "json"
    max_tokens: int = 1024
    timeout: float = 120.0
    retries: int = 2  # re-asks after a reply that does not parse
    sample: int | None = None  # judge only the first N answered questions (a CPU judge takes minutes per answer)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"judge mode must be one of {', '.join(MODES)}, not {self.mode!r}")

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)


def ragas_rows(cases: list[Case], predictions: dict[str, dict[str, Any]], limit: int | None = None
               ) -> list[dict[str, Any]]:
    """The single-turn samples ragas scores: answerable questions that were answered (the first `limit` of them)."""
    rows = []
    for case in cases:
        pred = predictions.get(case.id)
        if case.expect_refusal or not pred or pred.get("refused"):
            continue
        rows.append({
            "id": case.id,
            "user_input": case.question,
            "response": pred.get("answer", ""),
            "retrieved_contexts": [r.get("text", "") for r in pred.get("retrieved", [])[:5]],
            "reference": case.answer,
        })
    return rows[:limit] if limit else rows


def ragas_metrics(cases: list[Case], predictions: dict[str, dict[str, Any]], judge: JudgeConfig) -> dict[str, Any]:
    """Mean ragas scores with per-question detail, or {"skipped": reason} when there is nothing to run."""
    if not judge.configured:
        return {"skipped": NOT_CONFIGURED}
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")  # ragas reports usage over the network unless told not to
    try:
        import instructor
        import ragas.metrics.collections as collections
        from openai import AsyncOpenAI
        from ragas.llms.base import InstructorLLM
    except ImportError as exc:
        return {"skipped": f"ragas metrics skipped: {exc.name or exc} is not installed; {JUDGE_HINT}"}
    rows = ragas_rows(cases, predictions, judge.sample)
    if not rows:
        return {"skipped": "ragas metrics skipped: no answered question to judge"}
    client = AsyncOpenAI(base_url=judge.base_url, api_key=judge.api_key or "none", timeout=judge.timeout,
                         max_retries=0)
    mode = instructor.Mode.TOOLS if judge.mode == "tools" else instructor.Mode.JSON
    llm = InstructorLLM(client=instructor.from_openai(client, mode=mode), model=judge.model, provider="openai",
                        temperature=0.0, max_tokens=judge.max_tokens, max_retries=judge.retries)
    metrics = {name: (getattr(collections, cls)(llm=llm), fields) for name, (cls, fields) in METRICS.items()}
    per_question = asyncio.run(_score_all(rows, metrics))
    return ({"judge_model": judge.model, "judge_mode": judge.mode, "n": len(rows)}
            | mean_scores([{k: v for k, v in row.items() if k in METRICS} for row in per_question])
            | {"unscored": _unscored(per_question), "per_question": per_question})


async def _score_all(rows: list[dict[str, Any]], metrics: dict[str, tuple[Any, tuple[str, ...]]]) -> list[dict]:
    """One sample and one metric at a time: a local judge serves one request at a time anyway."""
    out = []
    for row in rows:
        scored: dict[str, Any] = {"id": row["id"]}
        for name, (metric, fields) in metrics.items():
            try:
                result = await metric.ascore(**{f: row[f] for f in fields})
                value = float(result.value) if result.value is not None else math.nan
                if math.isnan(value):  # e.g. no statement could be drawn from the answer; JSON has no NaN
                    raise ValueError("the metric gave no score (NaN): nothing to judge was found in the reply")
                scored[name] = value
            except Exception as exc:  # noqa: BLE001 - ragas/instructor raise many kinds; the sample stays unscored
                scored[name] = None
                scored.setdefault("errors", {})[name] = _reason(exc)
        out.append(scored)
    return out


def _reason(exc: Exception) -> str:
    """One line: instructor's retry error names its attempts and the last parse error, not its XML dump."""
    attempts = getattr(exc, "failed_attempts", None) or []
    last = attempts[-1].exception if attempts else exc
    text = " ".join(str(last).split())[:200]
    if attempts:
        return f"no usable reply in {getattr(exc, 'n_attempts', len(attempts))} attempts; last: {text}"
    return f"{type(exc).__name__}: {text}"


def _unscored(per_question: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(name for row in per_question for name in METRICS if not isinstance(row.get(name), float))
    return {name: counts.get(name, 0) for name in METRICS}


def mean_scores(scores: list[dict[str, Any]]) -> dict[str, float | None]:
    """Per-metric means over samples, ignoring the None/NaN a judge leaves when its reply cannot be parsed."""
    names = sorted({k for row in scores for k in row})
    out: dict[str, float | None] = {}
    for name in names:
        values = [float(r[name]) for r in scores
                  if isinstance(r.get(name), int | float) and not math.isnan(float(r[name]))]
        out[f"ragas_{name}"] = round(sum(values) / len(values), 4) if values else None
    return out
