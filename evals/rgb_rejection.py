"""RGB negative rejection: only negative passages are given, so the right answer is a refusal.

Each record's query is answered from its negative passages (at most `n_passages`) as numbered sources. Three
refusal rates come from one model call per record: the raw model (its reply contains RGB's "信息不足" or our
refusal sentence), the verified answer without the evidence gate, and the verified pipeline as shipped (the
extractive evidence gate first), each with an answer that has nothing verified falling back to the extractive
answer (the default) or refused (`verify_fallback=refuse`). Refusal on these records is the right answer.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from evals.suites import read_jsonl
from retriever.types import Chunk, DocumentMeta, DocumentRecord, Hit, content_hash
from service.answers import REFUSAL_PREFIX
from service.generation.grounded import NOTICE_UNVERIFIED, GroundedAnswerer

RGB_REFUSAL = "信息不足"
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def passage_hits(passages: list[str]) -> list[Hit]:
    """Each passage as a retrieved chunk of its own document, with one unit per sentence."""
    hits = []
    for i, text in enumerate(passages, start=1):
        doc_id = content_hash(text)
        units = [m.span() for m in SENTENCE.finditer(text) if m.group().strip()]
        chunk = Chunk(doc_id=doc_id, ordinal=0, text=text, start=0, end=len(text), clean=text, units=units)
        meta = DocumentMeta(title=f"资料{i}", doc_type="其他")
        hits.append(Hit(chunk, DocumentRecord(doc_id, f"rgb-{doc_id}.txt", "rgb", meta), 1.0 / i))
    return hits


def raw_refused(raw: str) -> bool:
    return RGB_REFUSAL in raw or REFUSAL_PREFIX in raw


def run_rgb(answerer: GroundedAnswerer, path: Path, limit: int | None, n_passages: int = 5) -> dict[str, Any]:
    """Refusal rates on negative-only records; `answerer` must have evidence_gate=False (the gate is applied here)."""
    records = read_jsonl(path)
    rows = []
    for record in records[:limit]:
        hits = passage_hits([p for p in record["negative"] if p.strip()][:n_passages])
        started = time.perf_counter()
        tokens: list[str] = []
        first = None
        answer = None
        for kind, value in answerer.stream(record["query"], hits):
            if kind == "token":
                first = first if first is not None else time.perf_counter() - started
                tokens.append(value)
            else:
                answer = value
        assert answer is not None
        gated = answerer.extractive.run(record["query"], hits)
        rows.append({
            "id": record["id"], "raw": "".join(tokens), "raw_refused": raw_refused("".join(tokens)),
            "verified_refused": answer.refused, "pipeline_refused": gated.refused or answer.refused,
            "verified_refused_refuse_fallback": answer.refused or answer.notice == NOTICE_UNVERIFIED,
            "pipeline_refused_refuse_fallback": gated.refused or answer.refused or answer.notice == NOTICE_UNVERIFIED,
            "notice": answer.notice, "verify_s": answer.timings.get("verify"), "first_token_s": first,
            "total_s": time.perf_counter() - started,
        })
    def rate(key: str) -> float | None:
        return round(sum(r[key] for r in rows) / len(rows), 4) if rows else None

    return {
        "n": len(rows), "raw_model_refusal_rate": rate("raw_refused"),
        "verified_no_gate_refusal_rate": rate("verified_refused"),
        "verified_pipeline_refusal_rate": rate("pipeline_refused"),
        "verified_no_gate_refusal_rate_refuse_fallback": rate("verified_refused_refuse_fallback"),
        "verified_pipeline_refusal_rate_refuse_fallback": rate("pipeline_refused_refuse_fallback"),
        "rows": rows,
    }
