"""Verification overhead on long answers, without a model: how long checking one answer's citations takes.

For each evalkit dev question, the hits the assistant retrieves become the numbered sources, and a long answer is
written from them: every unit of every source copied as a cited sentence (up to `--sentences`), plus one sentence
with an invented number per source. `GroundedAnswerer.compose` (sentence split, facts, overlap, quoted spans,
renumbering) is timed on it.

    .venv/bin/python -m evals.bench_verify --evalkit ../shared/evalkit --cache .cache/embeddings.sqlite3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from service.assistant import Assistant
from service.generation.prompting import build_sources
from service.generation.verify import split_sentences
from service.settings import load_settings


def _stats(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {"mean": round(statistics.fmean(values), 2), "p50": round(values[len(values) // 2], 2),
            "p95": round(values[int(0.95 * (len(values) - 1))], 2), "max": round(values[-1], 2)}


def long_answer(sources: list, sentences: int) -> str:
    parts = []
    for source in sources:
        for _, _, text in source.units[: max(1, sentences // max(1, len(sources)))]:
            parts.append(f"{text.rstrip('。；;，,')}[{source.n}]。")
        parts.append(f"该项补助标准为每人每月987654元[{source.n}]。")
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evalkit", type=Path, required=True)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build/bench_verify"))
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings(data_dir=args.out / "index", embedding_cache=args.cache)
    assistant = Assistant(settings)
    assistant.ingest([args.evalkit / "corpus"])
    lines = (args.evalkit / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(x)["question"] for x in lines if x.strip()]
    wall, cpu, lengths, sentences, kept = [], [], [], [], []
    for question in questions:
        hits = assistant.search(question)
        raw = long_answer(build_sources(hits), args.sentences)
        extractive = assistant.answerer.run(question, hits)
        for _ in range(args.repeat):
            sources = build_sources(hits)  # fresh: nothing computed for one run is reused by the next
            started, started_cpu = time.perf_counter(), time.process_time()
            answer = assistant.writer.compose(question, raw, sources, extractive)
            wall.append(1000 * (time.perf_counter() - started))
            cpu.append(1000 * (time.process_time() - started_cpu))
        lengths.append(len(raw))
        sentences.append(len(split_sentences(raw)))
        kept.append(sum("987654" in s.text for s in answer.sentences))
    result = {"answers": len(questions), "chars_per_answer_mean": round(statistics.fmean(lengths)),
              "sentences_per_answer_mean": round(statistics.fmean(sentences), 1),
              "invented_numbers_kept": sum(kept), "wall_ms": _stats(wall), "cpu_ms": _stats(cpu)}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("target: under 20 ms per answer", file=sys.stderr)


if __name__ == "__main__":
    main()
