"""`eval run`: ingest a corpus into a fresh index, answer every question, write predictions and metrics."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from evals.metrics import score
from service.answers import Answer
from service.assistant import Assistant
from service.settings import Settings


def load_questions(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def prediction(qid: str, answer: Answer) -> dict[str, Any]:
    """One line of predictions.jsonl in the evalkit schema."""
    return {
        "id": qid,
        "answer": answer.answer,
        "refused": answer.refused,
        "retrieved": [{"doc": h.document.source, "text": h.chunk.text} for h in answer.hits],
        "citations": [{"doc": c.doc, "text": c.quote} for c in answer.citations],
        "evidence_score": round(answer.evidence_score, 4),
        "latency_s": round(answer.timings.get("total", 0.0), 4),
    }


def build_index(settings: Settings, corpus: list[Path], fresh: bool = True) -> Assistant:
    if fresh and settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    assistant = Assistant(settings)
    failed = [r for r in assistant.ingest(corpus) if not r.ok]
    for r in failed:
        print(f"ingest failed: {r.path}: {r.reason}")
    return assistant


def run_eval(
    questions_path: Path, corpus: list[Path], out: Path, settings: Settings, legs: str = "hybrid",
    assistant: Assistant | None = None,
) -> dict[str, Any]:
    """Write `out/predictions.jsonl` and `out/metrics.json`; returns the metrics."""
    out.mkdir(parents=True, exist_ok=True)
    assistant = assistant or build_index(settings, corpus)
    questions = load_questions(questions_path)
    predictions: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as f:
        for q in questions:
            pred = prediction(q["id"], assistant.ask(q["question"], legs=legs))
            predictions[q["id"]] = pred
            f.write(json.dumps(pred, ensure_ascii=False) + "\n")
    documents = {d.source: assistant.index.registry.document_text(d.doc_id) for d in assistant.documents()}
    metrics = score(questions, predictions, documents)
    latencies = sorted(p["latency_s"] for p in predictions.values())
    metrics["latency_p50_s"] = latencies[len(latencies) // 2] if latencies else None
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    metrics["legs"] = legs
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return metrics
