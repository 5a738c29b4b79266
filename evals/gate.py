"""Regression gate: compare two metrics files and list every metric that got worse by more than allowed.

Either file may be a `metrics.json` (eval run), a `comparison.json` (eval compare: metrics are named
`config.metric`) or a `report.json`. Rates where lower is better (false refusals, being misled) count a rise as a
drop. Latency is noisy on a shared machine, so it is gated only when asked for by name with `--metric`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOWER_IS_BETTER = ("false_refusal_rate", "counterfactual_misled_rate", "latency_")
NOT_QUALITY = ("n_", "seconds", "answers_reused", "config_hash", "latency_")


class GateInputError(ValueError):
    """A metrics file that cannot be read or shares no metric with the other."""


@dataclass
class Finding:
    metric: str
    baseline: float
    current: float | None
    drop: float  # positive = worse

    def line(self) -> str:
        cur = "missing" if self.current is None else f"{self.current:.4f}"
        return f"{self.metric}: {self.baseline:.4f} -> {cur} (worse by {self.drop:.4f})"


def _leaf(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def _ragas(result: Any) -> dict[str, float | None]:
    """The judge's mean scores (`ragas_faithfulness`, ...) of one run; nothing when it was skipped."""
    if not isinstance(result, dict):
        return {}
    return {k: v for k, v in result.items()
            if k.startswith("ragas_") and (v is None or isinstance(v, int | float)) and not isinstance(v, bool)}


def lower_is_better(key: str) -> bool:
    return _leaf(key).startswith(LOWER_IS_BETTER)


def flatten(data: dict[str, Any]) -> dict[str, float | None]:
    """Metric name -> value; `config.metric` for comparison files, `by_type.<type>` for accuracy by type."""
    if "configs" in data:
        out: dict[str, float | None] = {}
        judged = data.get("ragas") if isinstance(data.get("ragas"), dict) else {}
        for name, entry in data["configs"].items():
            out |= {f"{name}.{k}": v for k, v in flatten(entry.get("metrics", entry)).items()}
            out |= {f"{name}.{k}": v for k, v in _ragas(judged.get(name)).items()}
        return out
    flat: dict[str, float | None] = {}
    for key, value in data.items():
        if key == "by_type" and isinstance(value, dict):
            flat |= {f"by_type.{t}": v for t, v in value.items() if v is None or isinstance(v, int | float)}
        elif key == "ragas":
            flat |= _ragas(value)
        elif (value is None or isinstance(value, int | float)) and not isinstance(value, bool):
            flat[key] = value
    return flat


def load_metrics(path: Path) -> dict[str, float | None]:
    try:
        return flatten(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, AttributeError) as exc:
        raise GateInputError(f"cannot read metrics from {path}: {exc}") from exc


def check(
    baseline: dict[str, float | None], current: dict[str, float | None], max_drop: float = 0.02,
    metrics: list[str] | None = None,
) -> tuple[list[Finding], list[str]]:
    """(regressions, names compared). Without `metrics`, every quality metric the baseline has is compared.

    A metric the baseline has but the current run lacks (or has as null) is a regression.
    Raises GateInputError when nothing can be compared.
    """
    if metrics:
        names = [k for k in baseline if k in metrics or _leaf(k) in metrics]
    else:
        names = [k for k in baseline if not _leaf(k).startswith(NOT_QUALITY)]
    names = [k for k in names if baseline[k] is not None]
    if not names:
        raise GateInputError("no metric to compare: the files share none (or --metric names none of them)")
    findings = []
    for key in names:
        base, cur = float(baseline[key]), current.get(key)  # type: ignore[arg-type]
        if cur is None:
            findings.append(Finding(key, base, None, float("inf")))
            continue
        drop = (cur - base) if lower_is_better(key) else (base - cur)
        if drop > max_drop + 1e-9:
            findings.append(Finding(key, base, float(cur), drop))
    return findings, names
