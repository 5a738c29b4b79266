"""Running a suite: build (or reuse) the index, answer every case with a configuration, score, write the files.

An output folder of one configuration holds `predictions.jsonl` (the evalkit predictions schema, plus sentences
and latency), `details.jsonl` (one scored record per question) and `metrics.json`.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.cache import AnswerCache, code_fingerprint, stable_hash
from evals.pipelines import AssistantPipeline, Pipeline, QueryExpansionPipeline, Response
from evals.progress import progress
from evals.scoring import score
from evals.suites import Case, load_suite
from service.settings import Settings

if TYPE_CHECKING:
    from service.assistant import Assistant

CONFIGS = ("bm25", "dense", "hybrid", "hybrid_qe", "langchain_tutorial")
LEGS_TO_CONFIG = {"lexical": "bm25", "dense": "dense", "hybrid": "hybrid"}


def prediction(qid: str, response: Response) -> dict[str, Any]:
    """One line of predictions.jsonl: the evalkit schema plus sentences, evidence score and latency."""
    answer = response.answer
    return {
        "id": qid,
        "answer": answer.answer,
        "refused": answer.refused,
        "retrieved": [{"doc": h.document.source, "text": h.chunk.text, "heading": h.chunk.heading,
                       "score": round(h.score, 6)} for h in response.ranked],
        "citations": [{"doc": c.doc, "text": c.quote, "start": c.start, "end": c.end} for c in answer.citations],
        "sentences": [{"text": s.text, "citations": s.citations, "verified": s.verified} for s in answer.sentences],
        "generator": answer.generator,
        "evidence_score": round(answer.evidence_score, 4),
        "latency_s": round(response.latency_s, 4),
    }


def _corpus_files(corpus: list[Path]) -> list[list[Any]]:
    files = []
    for root in corpus:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                stat = path.stat()
                files.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns])
    return files


def prepare_index(settings: Settings, corpus: list[Path], reuse: bool = True) -> Assistant:
    """An assistant over exactly `corpus` in `settings.data_dir`.

    The index there is reused only when it was built from the same files, embedder and ingest/retriever code
    (a stamp file records them); otherwise it is rebuilt from scratch. Files that fail to load are reported.
    """
    stamp = {"files": _corpus_files(corpus), "embedder": settings.embedder,
             "code": code_fingerprint(("retriever", "ingest"))}
    stamp_path = settings.data_dir / "eval-stamp.json"
    from service.assistant import Assistant  # heavy: the embedder and Chroma load here

    if reuse and stamp_path.exists() and json.loads(stamp_path.read_text(encoding="utf-8")) == stamp:
        return Assistant(settings)
    if settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    assistant = Assistant(settings)
    for r in assistant.ingest(corpus) if corpus else []:
        if not r.ok:
            print(f"ingest failed: {r.path}: {r.reason}")
    stamp_path.write_text(json.dumps(stamp), encoding="utf-8")
    return assistant


def build_index(settings: Settings, corpus: list[Path], fresh: bool = True) -> Assistant:
    """Kept for callers of the first `eval run`: a fresh index of `corpus`."""
    return prepare_index(settings, corpus, reuse=not fresh)


def corpus_documents(assistant: Assistant) -> dict[str, str]:
    registry = assistant.index.registry
    return {d.source: registry.document_text(d.doc_id) for d in registry.documents()}


def config_hash(pipeline: Pipeline, documents: dict[str, str]) -> str:
    corpus = sorted((name, stable_hash(text)) for name, text in documents.items())
    return stable_hash({"config": pipeline.describe(), "corpus": corpus, "code": code_fingerprint()})


def run_suite(
    cases: list[Case], pipeline: Pipeline, out: Path, documents: dict[str, str], cache_dir: Path | None = None,
    show_progress: bool = True,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Answer `cases` (from the answer cache where possible), score them and write OUT's three files."""
    out.mkdir(parents=True, exist_ok=True)
    chash = config_hash(pipeline, documents)
    cache = AnswerCache(cache_dir or out / "answers", chash)
    started = time.perf_counter()
    predictions: dict[str, dict[str, Any]] = {}
    reused = 0
    todo = [c for c in cases if cache.get(c) is None]
    if todo:  # warm-up, not timed: the first question pays for lazy loading (tokenizer, model, BM25 build)
        pipeline.respond(todo[0])
    bar = progress(total=len(cases), desc=pipeline.name, enabled=show_progress)
    for case in cases:
        pred = cache.get(case)
        if pred is None:
            pred = prediction(case.id, pipeline.respond(case))
            cache.put(case, pred)
        else:
            reused += 1
        predictions[case.id] = pred
        bar.update(1)
    bar.close()
    metrics, details = score(cases, predictions, documents)
    metrics |= {"config": pipeline.name, "config_hash": chash, "answers_reused": reused,
                "seconds": round(time.perf_counter() - started, 2)}
    _write_jsonl(out / "predictions.jsonl", (predictions[c.id] for c in cases))
    _write_jsonl(out / "details.jsonl", details)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return metrics, details


def _write_jsonl(path: Path, items: Any) -> None:
    with path.open("w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def make_pipeline(name: str, assistant: Assistant, work_dir: Path, show_progress: bool = True) -> Pipeline:
    """The configuration called `name` (one of CONFIGS) over `assistant`'s index."""
    if name in AssistantPipeline.LEGS:
        return AssistantPipeline(assistant, name)
    if name == "hybrid_qe":
        return QueryExpansionPipeline(assistant)
    if name == "langchain_tutorial":
        from evals.baselines import LangChainTutorialBaseline

        return LangChainTutorialBaseline(assistant, work_dir / name, show_progress=show_progress)
    raise ValueError(f"unknown configuration {name!r}; known: {', '.join(CONFIGS)}")


def run_eval(
    questions_path: Path, corpus: list[Path], out: Path, settings: Settings, legs: str = "hybrid",
    assistant: Assistant | None = None, config: str | None = None, show_progress: bool = True, **suite_options: Any,
) -> dict[str, Any]:
    """Write `out/predictions.jsonl`, `out/details.jsonl` and `out/metrics.json`; returns the metrics."""
    cases = load_suite(questions_path, **suite_options)
    if not corpus and assistant is None and any(not c.contexts for c in cases):
        raise ValueError(f"{questions_path} asks questions to answer from a corpus: give --corpus")
    assistant = assistant or prepare_index(settings, corpus)
    name = config or LEGS_TO_CONFIG.get(legs, legs)
    pipeline = make_pipeline(name, assistant, out, show_progress)
    metrics, _ = run_suite(cases, pipeline, out, corpus_documents(assistant), show_progress=show_progress)
    metrics["legs"] = getattr(pipeline, "legs", name)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return metrics
