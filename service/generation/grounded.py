"""Answers written by a language model from numbered sources, every sentence verified against what it cites.

The extractive answer is computed first: it is the evidence gate (when it refuses, the model is not asked) and the
fallback (when the model fails, times out, or writes nothing that survives verification). The caller never sees a
model error, only an answer with a `notice`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Literal

from retriever.types import Hit
from service.answers import REFUSAL_PREFIX, Answer, Citation, Sentence
from service.extractive import ExtractiveAnswerer, refusal
from service.generation.base import GenerationFailed, Generator, call_model
from service.generation.prompting import Prompt, Source, build_sources, load_prompt, render_sources
from service.generation.verify import CitationVerifier, SentenceCheck, supporting_unit

log = logging.getLogger(__name__)

NOTICE_MODEL_FAILED = "语言模型暂时不可用，以下为从政策原文摘录的答案"
NOTICE_UNVERIFIED = "语言模型的回答未能通过引用核验，以下为从政策原文摘录的答案"
NOTICE_UNVERIFIED_REFUSED = "语言模型的回答未能通过引用核验，未予采用"
UNVERIFIED_MARK = "（未核实）"
Event = tuple[Literal["token", "answer"], Any]


class GroundedAnswerer:
    """Evidence gate -> prompt -> model (streamed) -> citation verification -> answer, or the extractive answer.

    With `generator=None` it is the extractive answerer with a streaming interface. `mode` = "remove" drops
    unsupported sentences, "mark" keeps them with `verified=False` and a visible mark. When no sentence is verified,
    `on_unverified` = "extractive" answers with the extractive answer, "refuse" refuses. Raises ValueError on a bad
    mode; model failures never raise.
    """

    def __init__(
        self, extractive: ExtractiveAnswerer, generator: Generator | None = None, *,
        verifier: CitationVerifier | None = None, prompt: Prompt | None = None, mode: str = "remove",
        timeout: float = 60.0, max_tokens: int = 512, retries: int = 1, evidence_gate: bool = True,
        max_source_chars: int = 1200, sources_budget: int | None = None, on_unverified: str = "extractive",
    ) -> None:
        if mode not in ("remove", "mark"):
            raise ValueError("mode must be 'remove' or 'mark'")
        if on_unverified not in ("extractive", "refuse"):
            raise ValueError("on_unverified must be 'extractive' or 'refuse'")
        self.on_unverified = on_unverified
        self.extractive = extractive
        self.generator = generator
        self.verifier = verifier or CitationVerifier()
        self.prompt = prompt or load_prompt("answer")
        self.mode = mode
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.retries = retries
        self.evidence_gate = evidence_gate
        self.max_source_chars = max_source_chars
        self.sources_budget = sources_budget

    @property
    def name(self) -> str:
        return self.generator.name if self.generator is not None else "extractive"

    def run(self, question: str, hits: list[Hit]) -> Answer:
        return final_answer(self.stream(question, hits))

    def stream(self, question: str, hits: list[Hit]) -> Iterator[Event]:
        """("token", text) pieces as the model writes them, then ("answer", Answer) with the verified answer.

        The tokens are the model's raw words; only the final answer is verified (clients replace the streamed
        text with it).
        """
        started = time.perf_counter()
        extractive = self.extractive.run(question, hits)
        if self.generator is None or not hits or (self.evidence_gate and extractive.refused):
            yield "token", extractive.answer
            yield "answer", extractive
            return
        sources = build_sources(hits, self.max_source_chars, self.sources_budget)
        messages = self.prompt.render(sources=render_sources(sources), question=question)
        pieces: list[str] = []
        first_token = None
        try:
            for piece in call_model(self.generator, messages, max_tokens=self.max_tokens, timeout=self.timeout,
                                    retries=self.retries):
                if first_token is None:
                    first_token = time.perf_counter() - started
                pieces.append(piece)
                yield "token", piece
        except GenerationFailed as exc:
            log.warning("model failed; extractive fallback", extra={"generator": self.name, "reason": exc.reason})
            yield "answer", self._fallback(extractive, NOTICE_MODEL_FAILED)
            return
        generated = time.perf_counter()
        answer = self.compose(question, "".join(pieces), sources, extractive)
        answer.timings.update(first_token=first_token or 0.0, generate=generated - started,
                              verify=time.perf_counter() - generated)
        yield "answer", answer

    def compose(self, question: str, raw: str, sources: list[Source], extractive: Answer) -> Answer:
        """The verified answer built from the model's `raw` reply, or a refusal, or the extractive fallback."""
        checks = [c for c in self.verifier.check(raw, {s.n: s.evidence for s in sources})
                  if REFUSAL_PREFIX not in c.text]
        verified = [c for c in checks if c.verified]
        model_info = {"generator": self.name, "model": self.generator.model if self.generator else "",
                      "prompt_version": self.prompt.id}
        if not verified:
            if REFUSAL_PREFIX in raw or self.on_unverified == "refuse":  # the model's own refusal, or nothing usable
                notice = "" if REFUSAL_PREFIX in raw else NOTICE_UNVERIFIED_REFUSED
                return replace(refusal(question, extractive.hits, extractive.evidence_score), notice=notice,
                               **model_info)
            return self._fallback(extractive, NOTICE_UNVERIFIED)
        kept = checks if self.mode == "mark" else verified
        by_n = {s.n: s for s in sources}
        numbers: dict[int, int] = {}
        for check in kept:
            for n in check.cited:
                numbers.setdefault(n, len(numbers) + 1)
        sentences = [Sentence(c.text, [numbers[n] for n in c.cited], c.verified) for c in kept]
        citations = [self._citation(new, by_n[old], [c for c in kept if old in c.cited])
                     for old, new in numbers.items()]
        text = "".join(_with_markers(s) for s in sentences)
        return Answer(question, text, False, sentences, citations, extractive.hits,
                      evidence_score=extractive.evidence_score, **model_info)

    @staticmethod
    def _citation(n: int, source: Source, checks: list[SentenceCheck]) -> Citation:
        """Citation `n` of `source`, quoting the span of its units that supports the sentences citing it."""
        chunk, meta = source.hit.chunk, source.hit.document.meta
        start, end = chunk.start, chunk.end
        if source.units:
            picked = [source.units[supporting_unit(c, source.unit_evidence)] for c in checks]
            start, end = min(u[0] for u in picked), max(u[1] for u in picked)
        return Citation(
            n=n, doc=source.hit.document.source, title=meta.title, doc_number=meta.doc_number, issued=meta.issued,
            validity=meta.validity, heading=chunk.heading, quote=chunk.text[start - chunk.start : end - chunk.start],
            start=start, end=end, chunk_id=chunk.chunk_id,
        )

    def _fallback(self, extractive: Answer, notice: str) -> Answer:
        return replace(extractive, notice=notice)


def _with_markers(sentence: Sentence) -> str:
    """"低保标准为每人每月1050元。" + [1] -> "低保标准为每人每月1050元[1]。" (the marker before the full stop)."""
    text = sentence.text
    head, tail = (text[:-1], text[-1]) if text and text[-1] in "。！？!?" else (text, "。")
    marks = "".join(f"[{n}]" for n in sentence.citations)
    return f"{head}{marks}{'' if sentence.verified else UNVERIFIED_MARK}{tail}"


def final_answer(events: Iterator[Event]) -> Answer:
    """The answer at the end of a stream of events; raises RuntimeError when the stream ends without one."""
    answer = None
    for kind, value in events:
        if kind == "answer":
            answer = value
    if answer is None:
        raise RuntimeError("the answer stream ended without an answer")
    return answer
