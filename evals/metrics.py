"""Scorer functions: each takes one case's expectations and one response, and returns a number or a bool.

They follow the evalkit reference scorer (../shared/evalkit/score.py) where it defines a metric: text is compared
after NFKC and whitespace removal, numbers are never matched inside longer numbers, and a gold passage counts as
retrieved when the top-k chunks of its document cover at least half of it. Aggregation lives in `evals.scoring`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from evals.numbers import numbers_equal

# The reference scorer's refusal phrases, plus the assistant's own refusal prefix and RGB's "信息不足".
REFUSAL_MARKERS = (
    "未找到", "没有找到", "找不到", "无法回答", "无法确定", "无相关信息", "没有相关信息", "未提及", "未涉及", "不包含",
    "没有提供", "未提供", "资料中没有", "文档中没有", "语料中没有", "无法从", "不知道", "信息不足",
)


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text).replace("|", "").lower()


def contains(needle: str, haystack_normed: str) -> bool:
    """`needle` in the normalised haystack, never as part of a longer number ("0件" is not in "1000件")."""
    n = norm(needle)
    if not n:
        return False
    pre = r"(?<![0-9.])" if n[0].isdigit() else ""
    post = r"(?![0-9])" if n[-1].isdigit() else ""
    return re.search(pre + re.escape(n) + post, haystack_normed) is not None


def is_refusal(pred: dict[str, Any]) -> bool:
    """The `refused` flag when the prediction has one; otherwise a refusal phrase in the answer."""
    if pred.get("refused") is not None:
        return bool(pred["refused"])
    answer = norm(pred.get("answer", ""))
    return any(norm(m) in answer for m in REFUSAL_MARKERS)


def groups_match(groups: list[list[str]], answer: str) -> bool:
    """Every group has an alternative contained in `answer` (the reference scorer's rule)."""
    text = norm(answer)
    return bool(groups) and all(any(contains(alt, text) for alt in group) for group in groups)


def exact_contains(expected: str, aliases: list[str], answer: str) -> bool:
    """The whole expected answer, or one whole alias, appears in `answer` (no keyword decomposition)."""
    text = norm(answer)
    return any(contains(a, text) for a in [expected, *aliases] if a)


def numeric_match(groups: list[list[str]], answer: str) -> bool | None:
    """Every group has an alternative whose numbers all appear in `answer` after unit normalisation.

    Groups without any number are ignored; None when no group has one (the metric does not apply).
    """
    verdicts = []
    for group in groups:
        checks = [numbers_equal(alt, answer) for alt in group]
        if any(c is not None for c in checks):
            verdicts.append(any(c is True for c in checks))
    return all(verdicts) if verdicts else None


def passage_coverage(passage: str, chunks: Sequence[str], document: str = "") -> float:
    """Share of `passage` covered by `chunks`, all located in `document` (normalised).

    Without the document text, a chunk covers the passage only by containing it (or being contained in it).
    """
    p = norm(passage)
    if not p:
        return 0.0
    doc = norm(document)
    ps = doc.find(p) if doc else -1
    if ps < 0:
        best = 0.0
        for chunk in map(norm, chunks):
            if chunk and p in chunk:
                return 1.0
            if chunk and chunk in p:
                best = max(best, len(chunk) / len(p))
        return best
    pe = ps + len(p)
    covered = [False] * len(p)
    for chunk in map(norm, chunks):
        if not chunk:
            continue
        if p in chunk:
            return 1.0
        start = doc.find(chunk)
        while start >= 0:
            for i in range(max(start, ps), min(start + len(chunk), pe)):
                covered[i - ps] = True
            start = doc.find(chunk, start + 1)
    return sum(covered) / len(p)


def relevance(
    retrieved: list[dict[str, Any]], passages: list[dict[str, str]], documents: dict[str, str], min_cover: float = 0.5,
) -> list[int]:
    """Per retrieved chunk: 1 if it alone covers `min_cover` of a gold passage not already covered higher up."""
    found: set[int] = set()
    gains = []
    for r in retrieved:
        gain = 0
        for i, sp in enumerate(passages):
            if i in found or r.get("doc") != sp["doc"]:
                continue
            if passage_coverage(sp["text"], [r.get("text", "")], documents.get(sp["doc"], "")) >= min_cover:
                found.add(i)
                gain = 1
                break
        gains.append(gain)
    return gains


def doc_relevance(retrieved: list[dict[str, Any]], source_docs: list[str]) -> list[int]:
    """Per retrieved chunk: 1 for the first chunk of each gold document."""
    seen: set[str] = set()
    gains = []
    for r in retrieved:
        doc = r.get("doc", "")
        gains.append(int(doc in source_docs and doc not in seen))
        seen.add(doc)
    return gains


def reciprocal_rank(gains: list[int]) -> float:
    return next((1.0 / i for i, g in enumerate(gains, start=1) if g), 0.0)


def ndcg(gains: list[int], n_relevant: int, k: int) -> float:
    """Binary-gain nDCG@k: DCG of `gains[:k]` over the DCG of `min(n_relevant, k)` hits at the top."""
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(n_relevant, k) + 1))
    if ideal == 0:
        return 0.0
    return sum(g / math.log2(i + 1) for i, g in enumerate(gains[:k], start=1)) / ideal


def doc_recall(retrieved: list[dict[str, Any]], source_docs: list[str], k: int) -> float:
    docs = {r.get("doc") for r in retrieved[:k]}
    return sum(d in docs for d in source_docs) / len(source_docs) if source_docs else 0.0


def passage_recall(
    retrieved: list[dict[str, Any]], passages: list[dict[str, str]], documents: dict[str, str], k: int,
    min_cover: float = 0.5,
) -> float:
    if not passages:
        return 0.0
    top = retrieved[:k]
    found = [
        passage_coverage(sp["text"], [r.get("text", "") for r in top if r.get("doc") == sp["doc"]],
                         documents.get(sp["doc"], "")) >= min_cover
        for sp in passages
    ]
    return sum(found) / len(found)


def citation_doc_scores(citations: list[dict[str, Any]], source_docs: list[str]) -> tuple[float, float]:
    """(precision, recall) of cited documents; an answer citing nothing scores 0 on both, as in the reference."""
    if not citations or not source_docs:
        return 0.0, 0.0
    precision = sum(c.get("doc") in source_docs for c in citations) / len(citations)
    recall = len({c.get("doc") for c in citations} & set(source_docs)) / len(source_docs)
    return precision, recall


def span_overlaps(quote: str, passage: str, document: str = "") -> bool:
    """The quoted span and the gold passage share text: located in the document, their ranges intersect."""
    q, p, doc = norm(quote), norm(passage), norm(document)
    if not q or not p:
        return False
    if q in p or p in q:
        return True
    ps = doc.find(p) if doc else -1
    if ps < 0:
        return False
    start = doc.find(q)
    while start >= 0:
        if start < ps + len(p) and ps < start + len(q):
            return True
        start = doc.find(q, start + 1)
    return False


def citation_span_scores(
    citations: list[dict[str, Any]], passages: list[dict[str, str]], documents: dict[str, str], min_cover: float = 0.5,
) -> tuple[float, float]:
    """(precision, recall) at span level: cited spans that overlap a gold passage of their document, and gold
    passages covered at least `min_cover` by the quotes of their document."""
    if not citations or not passages:
        return 0.0, 0.0
    good = [
        any(c.get("doc") == sp["doc"] and span_overlaps(c.get("text", ""), sp["text"], documents.get(sp["doc"], ""))
            for sp in passages)
        for c in citations
    ]
    covered = [
        passage_coverage(sp["text"], [c.get("text", "") for c in citations if c.get("doc") == sp["doc"]],
                         documents.get(sp["doc"], "")) >= min_cover
        for sp in passages
    ]
    return sum(good) / len(good), sum(covered) / len(covered)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between order statistics (numpy's default)."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
