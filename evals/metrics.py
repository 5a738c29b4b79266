"""Scorers for the evalkit question format: retrieval recall, answer accuracy, refusals, citation precision.

They follow the definitions of the reference scorer described in the evalkit README (numbers are never
matched inside longer numbers; a gold passage is found when the top-k chunks of its document cover half of it).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from statistics import mean
from typing import Any

REFUSAL_MARKERS = ("未找到", "没有找到", "找不到", "无法回答", "无法确定", "没有相关信息", "未提及", "资料中没有")


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
    if pred.get("refused") is not None:
        return bool(pred["refused"])
    answer = norm(pred.get("answer", ""))
    return any(norm(m) in answer for m in REFUSAL_MARKERS)


def answer_correct(question: dict[str, Any], pred: dict[str, Any]) -> bool:
    if is_refusal(pred):
        return False
    answer = norm(pred.get("answer", ""))
    keywords = question.get("answer_keywords") or []
    if keywords:
        return all(contains(k, answer) for k in keywords)
    return any(contains(a, answer) for a in [question["answer"], *question.get("answer_aliases", [])])


def passage_coverage(passage: str, chunks: list[str], document: str) -> float:
    """Share of `passage` (located in `document`) covered by `chunks` (also located in it)."""
    doc, p = norm(document), norm(passage)
    ps = doc.find(p)
    if ps < 0 or not p:
        return 0.0
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


def score(
    questions: list[dict[str, Any]], predictions: dict[str, dict[str, Any]], documents: dict[str, str],
    ks: tuple[int, ...] = (1, 3, 5), min_cover: float = 0.5,
) -> dict[str, Any]:
    """All metrics for `predictions` (by question id) against `questions`; `documents` maps file name to text."""
    recall: dict[str, list[float]] = defaultdict(list)
    accuracy, refused_ok, false_refusal, cite_precision, cite_recall = [], [], [], [], []
    by_type: dict[str, list[bool]] = defaultdict(list)
    for q in questions:
        pred = predictions.get(q["id"], {})
        retrieved = pred.get("retrieved", [])
        if not q.get("supporting_passages"):
            ok = is_refusal(pred)
            refused_ok.append(ok)
            by_type[q["type"]].append(ok)
            continue
        for k in ks:
            top = retrieved[:k]
            docs = {r["doc"] for r in top}
            recall[f"doc_recall@{k}"].append(sum(d in docs for d in q["source_docs"]) / len(q["source_docs"]))
            found = [
                passage_coverage(sp["text"], [r["text"] for r in top if r["doc"] == sp["doc"]],
                                 documents.get(sp["doc"], "")) >= min_cover
                for sp in q["supporting_passages"]
            ]
            recall[f"passage_recall@{k}"].append(sum(found) / len(found))
        ok = answer_correct(q, pred)
        accuracy.append(ok)
        false_refusal.append(is_refusal(pred))
        by_type[q["type"]].append(ok)
        cites = pred.get("citations", [])
        good = [c["doc"] in q["source_docs"] for c in cites]
        cite_precision.append(sum(good) / len(good) if cites else 0.0)
        cite_recall.append(len({c["doc"] for c in cites} & set(q["source_docs"])) / len(q["source_docs"]))

    def avg(xs: list) -> float | None:
        return round(mean(xs), 4) if xs else None

    out: dict[str, Any] = {name: avg(vals) for name, vals in sorted(recall.items())}
    out |= {
        "answer_contains_acc": avg(accuracy),
        "false_refusal_rate": avg(false_refusal),
        "refusal_acc_on_unanswerable": avg(refused_ok),
        "citation_precision_doc": avg(cite_precision),
        "citation_recall_doc": avg(cite_recall),
        "by_type": {t: avg(v) for t, v in sorted(by_type.items())},
        "n_answerable": len(accuracy),
        "n_unanswerable": len(refused_ok),
        "n_missing_predictions": sum(q["id"] not in predictions for q in questions),
    }
    return out
