"""`eval compare`: every configuration on the same index and questions, side by side, in one run."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

from evals.runner import CONFIGS, corpus_documents, make_pipeline, prepare_index, run_suite
from evals.suites import load_suite
from service.settings import Settings

# What the side-by-side table shows: (metric key, column header).
TABLE = (
    ("doc_recall@1", "doc R@1"), ("doc_recall@5", "doc R@5"), ("passage_recall@1", "psg R@1"),
    ("passage_recall@5", "psg R@5"), ("mrr_passage", "MRR psg"), ("ndcg_passage@5", "nDCG@5"),
    ("answer_contains_acc", "answer acc"), ("answer_numeric_acc", "numeric acc"),
    ("refusal_acc_on_unanswerable", "refusal acc"), ("false_refusal_rate", "false refusals"),
    ("citation_precision_doc", "cite P doc"), ("citation_precision_span", "cite P span"),
    ("latency_p50_s", "p50 s"), ("latency_p95_s", "p95 s"),
)


def run_compare(
    questions: Path, corpus: list[Path], out: Path, settings: Settings, configs: tuple[str, ...] = CONFIGS,
    show_progress: bool = True, command: str = "", **suite_options: Any,
) -> dict[str, Any]:
    """Run `configs` on one index of `corpus`; write OUT/<config>/..., OUT/comparison.json and OUT/report.html."""
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise ValueError(f"unknown configuration(s) {', '.join(unknown)}; known: {', '.join(CONFIGS)}")
    started = time.perf_counter()
    cases = load_suite(questions, **suite_options)
    out.mkdir(parents=True, exist_ok=True)
    settings = settings.model_copy(update={"data_dir": out / "index"})
    assistant = prepare_index(settings, corpus)
    documents = corpus_documents(assistant)
    results: dict[str, Any] = {}
    for name in configs:
        pipeline = make_pipeline(name, assistant, out, show_progress)
        metrics, details = run_suite(cases, pipeline, out / name, documents, show_progress=show_progress)
        results[name] = {"config": pipeline.describe(), "metrics": metrics, "details": details}
    comparison = {
        "questions": str(questions), "corpus": [str(c) for c in corpus], "n_documents": len(documents),
        "n_questions": len(cases), "command": command, "machine": f"{platform.machine()} {platform.python_version()}",
        "seconds": round(time.perf_counter() - started, 1),
        "configs": {name: {"config": r["config"], "metrics": r["metrics"]} for name, r in results.items()},
    }
    (out / "comparison.json").write_text(json.dumps(comparison, ensure_ascii=False, indent=2), encoding="utf-8")
    from evals.report import write_report

    write_report(comparison, {name: r["details"] for name, r in results.items()}, out)
    return comparison


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def table(comparison: dict[str, Any], markdown: bool = False) -> str:
    """The side-by-side table of `comparison` (as text, or as a Markdown table)."""
    names = list(comparison["configs"])
    rows = [[header, *(_cell(comparison["configs"][n]["metrics"].get(key)) for n in names)] for key, header in TABLE]
    judged = comparison.get("ragas") if isinstance(comparison.get("ragas"), dict) else {}
    keys = sorted({k for n in names for k in (judged.get(n) or {}) if k.startswith("ragas_")})
    rows += [[key.replace("ragas_", "judge: "), *(_cell((judged.get(n) or {}).get(key)) for n in names)]
             for key in keys]
    head = ["metric", *names]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows])
