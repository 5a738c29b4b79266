"""Checks that keep a draft honest, and rewriting points with a language model under #3's citation verification.

A point is verified when each citation's quote is exactly the policy's text at its offsets and every fact in the
point (numbers, dates, percentages, 文号, in any written form: `service.generation.facts`) is in the quoted clauses.
A model's rewrite is accepted only if #3's `CitationVerifier` passes every sentence of it against the clause and
it keeps every fact of the rule-based text; otherwise the rule-based text stays.
"""

from __future__ import annotations

import logging
import re
from typing import Protocol

from service.drafting.model import Point
from service.generation.base import ChatMessage, Generator, call_model
from service.generation.facts import extract, unsupported
from service.generation.verify import CitationVerifier, bigrams, split_sentences, strip_markers

log = logging.getLogger(__name__)

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers(text: str) -> set[str]:
    """The numbers written in digits in `text`, without thousands separators."""
    return {n.replace(",", "") for n in NUMBER.findall(text)}


def verify_point(point: Point, policy_text: str) -> bool:
    """Marks each citation and the point verified or not, records why not in `point.problems`; returns the result."""
    point.problems = []
    for c in point.citations:
        c.verified = 0 <= c.start < c.end <= len(policy_text) and policy_text[c.start : c.end] == c.quote
        if not c.verified:
            point.problems.append(f"引文与原文第{c.start}-{c.end}字不一致：请重新选择所引条款")
    if not point.citations:
        point.problems.append("没有引用条款：每一点都要注明出处")
    quoted = "\n".join(c.quote for c in point.citations)
    written = f"{point.question}\n{point.text}"
    missing = sorted(numbers(written) - numbers(quoted))
    missing += [f for f in unsupported(extract(written), extract(quoted, source=True)) if f not in missing]
    if missing:
        point.problems.append(f"{'、'.join(missing)}在所引条款中找不到：请改正或补充引用")
    point.verified = not point.problems
    return point.verified


class Rewriter(Protocol):
    """Rewrites one point in plain words. `source` is the quoted clause, the only facts it may use."""

    name: str

    def rewrite(self, text: str, source: str) -> str: ...


PROMPT_VERSION = "interpret-rewrite-v1"
SYSTEM = (
    "你是政府部门的政策解读编辑，把政策条款改写成老百姓一听就懂的大白话。"
    "只能使用原文里有的信息，不能增加、删减或改动任何数字、金额、日期、期限、文号；每句话不超过30个字。"
    "只输出改写后的文字，不要解释。"
)


class GeneratorRewriter:
    """A `Rewriter` over a #3 generator (OpenAI-compatible, llama.cpp, or a scripted fake in tests)."""

    def __init__(self, generator: Generator, timeout: float = 60.0, max_tokens: int = 400, retries: int = 1) -> None:
        self.generator = generator
        self.name = f"{generator.name}/{PROMPT_VERSION}"
        self.timeout, self.max_tokens, self.retries = timeout, max_tokens, retries

    def rewrite(self, text: str, source: str) -> str:
        messages: list[ChatMessage] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"条款原文：{source}\n\n要点初稿：{text}\n\n请改写要点："},
        ]
        pieces = call_model(self.generator, messages, max_tokens=self.max_tokens, timeout=self.timeout,
                            retries=self.retries)
        return strip_markers("".join(pieces)).strip()


def accept_rewrite(original: str, rewritten: str, source: str, verifier: CitationVerifier | None = None
                   ) -> tuple[bool, str]:
    """Whether `rewritten` may replace `original`: every sentence verified against `source`, no fact dropped."""
    if not rewritten.strip():
        return False, "改写结果为空"
    verifier = verifier or CitationVerifier()
    evidence = {1: extract(source, source=True)}
    grams = {1: bigrams(source)}
    for sentence in split_sentences(rewritten):
        check = verifier.check_sentence(strip_markers(sentence).strip(), [1], evidence, grams)
        if check.unsupported_facts:
            return False, f"改写加入了原文没有的{'、'.join(check.unsupported_facts)}"
        if not check.verified and "low_overlap" in check.reasons:
            return False, "改写与原文内容对不上"
    dropped = unsupported(extract(original), extract(rewritten, source=True))  # "15" may be written "十五"
    if dropped:
        return False, f"改写丢掉了{'、'.join(dropped)}"
    return True, ""


def try_rewrite(rewriter: Rewriter, text: str, source: str) -> tuple[str, str]:
    """(text to use, problem). Falls back to `text` when the rewrite fails or does not pass `accept_rewrite`."""
    try:
        candidate = rewriter.rewrite(text, source)
    except Exception as exc:  # GenerationFailed, or anything a backend raises: the rules' text is always usable
        log.warning("rewrite failed", extra={"rewriter": rewriter.name, "error": type(exc).__name__})
        return text, f"模型改写失败（{type(exc).__name__}），保留规则稿"
    ok, why = accept_rewrite(text, candidate, source)
    return (candidate, "") if ok else (text, f"模型改写未通过核对（{why}），保留规则稿")
