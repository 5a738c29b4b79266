"""Configurations under test: each answers a case and returns the answer with a deeper retrieval ranking.

The assistant's own configurations (BM25-only, dense-only, hybrid) go through `Assistant.ask` as a black box;
"hybrid + query expansion" is assembled here from the index's public legs. Cases that bring their own passages
(RGB) skip retrieval and go straight to the assistant's answerer.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from evals.suites import Case
from retriever.hybrid import bigrams, is_near_duplicate
from retriever.types import Chunk, DocumentMeta, DocumentRecord, Hit, SearchFilters, content_hash
from service.answers import Answer

if TYPE_CHECKING:
    from service.assistant import Assistant

# A sentence ends at its punctuation or at a blank line, not at a single line break: PDF text wraps mid-sentence.
SENTENCE = re.compile(r"(?:[^。！？!?；;\n]|\n(?![ \t]*\n))+[。！？!?；;]?")


@dataclass
class Response:
    answer: Answer
    ranked: list[Hit]  # the retrieval ranking scored by recall@k (may be deeper than what the answerer read)
    latency_s: float


class Pipeline(Protocol):
    name: str

    def describe(self) -> dict[str, Any]:
        """What distinguishes this configuration (goes into the answer cache key)."""
        ...

    def respond(self, case: Case) -> Response: ...


def sentence_units(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Offsets of the sentences of `text` (which starts at `start` in its document)."""
    units = []
    for m in SENTENCE.finditer(text):
        lead = len(m.group()) - len(m.group().lstrip())
        if m.group().strip():
            units.append((start + m.start() + lead, start + m.end()))
    return units


def text_hit(doc: str, text: str, start: int = 0, ordinal: int = 0, meta: DocumentMeta | None = None,
             kb: str = "eval", score: float = 0.0) -> Hit:
    """A hit for a bare passage, split into sentences for the answerer."""
    doc_id = content_hash(f"{kb}\x00{doc}")
    chunk = Chunk(doc_id, ordinal, text, start, start + len(text), text.strip(), units=sentence_units(text, start))
    record = DocumentRecord(doc_id, doc, kb, meta or DocumentMeta(title=doc))
    return Hit(chunk, record, score)


def answer_from_hits(assistant: Assistant, question: str, hits: list[Hit]) -> Answer:
    """What `Assistant.ask` does after searching, by the assistant's own code (so the two cannot drift apart)."""
    return assistant.answer_from_hits(question, hits)


def settings_description(assistant: Assistant) -> dict[str, Any]:
    s = assistant.settings
    writer = assistant.writer
    return {"embedder": s.embedder, "top_k": s.top_k, "refusal_threshold": s.refusal_threshold,
            "generator": getattr(s, "generator", ""), "answerer": str(getattr(writer, "name", type(writer).__name__))}


def respond_from_contexts(assistant: Assistant, case: Case) -> Response:
    started = time.perf_counter()
    hits = [text_hit(p.doc, p.text, score=1.0 / i) for i, p in enumerate(case.contexts, start=1)]
    answer = answer_from_hits(assistant, case.question, hits)
    return Response(answer, hits, time.perf_counter() - started)


class AssistantPipeline:
    """The assistant as shipped, with one or both retrieval legs."""

    LEGS = {"bm25": "lexical", "dense": "dense", "hybrid": "hybrid"}

    def __init__(self, assistant: Assistant, name: str = "hybrid", depth: int = 10) -> None:
        if name not in self.LEGS:
            raise ValueError(f"unknown configuration {name!r}; known: {', '.join(self.LEGS)}")
        self.assistant, self.name, self.depth = assistant, name, depth
        self.legs = self.LEGS[name]

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "legs": self.legs, "depth": self.depth} | settings_description(self.assistant)

    def respond(self, case: Case) -> Response:
        if case.contexts:
            return respond_from_contexts(self.assistant, case)
        answer = self.assistant.ask(case.question, legs=self.legs)
        ranked = answer.hits
        if self.depth > len(answer.hits):  # a second, deeper search for the recall@k curve (not timed)
            ranked = self.assistant.index.search(case.question, self.depth, legs=self.legs)
        return Response(answer, ranked, answer.timings.get("total", 0.0))


def rrf(lists: list[tuple[list[tuple[str, float]], float]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of any number of (ranking, weight) pairs; ties keep first-seen order."""
    scores: dict[str, float] = {}
    for ranking, weight in lists:
        for rank, (cid, _) in enumerate(ranking, start=1):
            scores[cid] = scores.get(cid, 0.0) + weight / (k + rank)
    order = {cid: i for i, cid in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


class QueryExpansionPipeline:
    """Hybrid search where the dense leg also embeds the query rewritten with the synonym table's official words
    (the lexical leg already adds them), fused by reciprocal rank with each dense variant at half weight."""

    name = "hybrid_qe"

    def __init__(self, assistant: Assistant, depth: int = 10) -> None:
        self.assistant, self.depth = assistant, depth

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "depth": self.depth, "expansion": "synonyms"} | settings_description(self.assistant)

    def variants(self, question: str) -> list[str]:
        extra = self.assistant.index.synonyms.expand(question)
        return [question, f"{question} {' '.join(extra)}"] if extra else [question]

    def search(self, question: str) -> list[Hit]:
        index = self.assistant.index
        records = index.records()
        filters = SearchFilters()
        allowed = [d for d, r in records.items() if filters.accepts(r.meta, r.kb, r.source)]
        restrict = None if len(allowed) == len(records) else allowed
        variants = self.variants(question)
        lists = [(index.dense_search(v, index.candidates, restrict), 1.0 / len(variants)) for v in variants]
        lists.append((index.lexical_search(question, index.candidates, restrict), 1.0))
        fused = rrf(lists, index.rrf_k)
        chunks = index.registry.chunks_by_id([cid for cid, _ in fused])
        hits: list[Hit] = []
        seen: list[set[str]] = []
        for cid, score in fused:
            chunk = chunks.get(cid)
            record = records.get(chunk.doc_id) if chunk else None
            if chunk is None or record is None:
                continue
            grams = bigrams(chunk.clean)
            if any(is_near_duplicate(grams, s) for s in seen):
                continue
            seen.append(grams)
            hits.append(Hit(chunk, record, score))
            if len(hits) >= self.depth:
                break
        return hits

    def respond(self, case: Case) -> Response:
        if case.contexts:
            return respond_from_contexts(self.assistant, case)
        started = time.perf_counter()
        ranked = self.search(case.question)
        answer = answer_from_hits(self.assistant, case.question, ranked[: self.assistant.settings.top_k])
        return Response(answer, ranked, time.perf_counter() - started)
