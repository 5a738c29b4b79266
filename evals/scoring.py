"""Per-question detail and the aggregate metrics of a run, overall and by question type.

`score_case` turns one case and its prediction (evalkit predictions schema, plus optional `sentences` and
`latency_s`) into a detail record that says what was right and, when wrong, why. `aggregate` averages details.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from statistics import mean
from typing import Any

from evals import metrics as m
from evals.suites import Case

CURVE_KS = tuple(range(1, 11))
MIN_COVER = 0.5


def _passages(case: Case) -> list[dict[str, str]]:
    return [{"doc": p.doc, "text": p.text} for p in case.passages]


def score_case(case: Case, pred: dict[str, Any] | None, documents: dict[str, str]) -> dict[str, Any]:
    """One question's detail record. `documents` maps a source name to its text (for passage and span location)."""
    pred = pred or {}
    answer, retrieved = pred.get("answer", ""), pred.get("retrieved", [])
    refused = m.is_refusal(pred)
    detail: dict[str, Any] = {
        "id": case.id, "type": case.type, "question": case.question, "expected": case.expected_text,
        "answer": answer, "refused": refused, "expect_refusal": case.expect_refusal, "missing": not pred,
        "latency_s": pred.get("latency_s"),
        "sources": [{"doc": r.get("doc", ""), "heading": r.get("heading", ""), "text": r.get("text", "")[:300]}
                    for r in retrieved[:5]],
    }
    if case.expect_refusal:
        detail |= {"correct": refused, "checks": {}}
    else:
        checks = {
            "contains": m.groups_match(case.groups, answer) and not refused,
            "exact": m.exact_contains(case.answer, case.aliases, answer) and not refused,
            "keywords": (m.groups_match(case.groups, answer) and not refused) if case.keywords else None,
            "numeric": None if (num := m.numeric_match(case.groups, answer)) is None else num and not refused,
        }
        detail |= {"correct": checks["contains"], "checks": checks}
    if case.fake_answer:
        detail["misled"] = m.contains(case.fake_answer, m.norm(answer)) and not refused
    if case.source_docs:
        detail["retrieval"] = _retrieval(case, retrieved, documents)
    if not case.expect_refusal and case.source_docs:
        cites = pred.get("citations", [])
        p_doc, r_doc = m.citation_doc_scores(cites, case.source_docs)
        p_span, r_span = m.citation_span_scores(cites, _passages(case), documents, MIN_COVER)
        detail["citations"] = {"precision_doc": p_doc, "recall_doc": r_doc, "precision_span": p_span,
                               "recall_span": r_span, "n": len(cites)}
    sentences = pred.get("sentences") or []
    if sentences and not refused and any("verified" in s for s in sentences):  # a refusal's text is not a claim
        detail["sentences"] = {"n": len(sentences), "verified": sum(bool(s.get("verified")) for s in sentences)}
    detail["failure"] = None if detail["correct"] else _why(case, detail)
    return detail


def _retrieval(case: Case, retrieved: list[dict[str, Any]], documents: dict[str, str]) -> dict[str, float]:
    passages = _passages(case)
    out: dict[str, float] = {}
    for k in CURVE_KS:
        out[f"doc_recall@{k}"] = m.doc_recall(retrieved, case.source_docs, k)
        if passages:
            out[f"passage_recall@{k}"] = m.passage_recall(retrieved, passages, documents, k, MIN_COVER)
    doc_gains = m.doc_relevance(retrieved, case.source_docs)
    out["rr_doc"] = m.reciprocal_rank(doc_gains)
    out["ndcg_doc@5"] = m.ndcg(doc_gains, len(case.source_docs), 5)
    if passages:
        gains = m.relevance(retrieved, passages, documents, MIN_COVER)
        out["rr_passage"] = m.reciprocal_rank(gains)
        out["ndcg_passage@5"] = m.ndcg(gains, len(passages), 5)
    return out


def _why(case: Case, d: dict[str, Any]) -> str:
    if d["missing"]:
        return "no prediction"
    if case.expect_refusal:
        return "answered a question the documents do not answer"
    found = d.get("retrieval", {}).get("passage_recall@5")
    where = "" if found is None else ("; gold passage in top 5" if found > 0 else "; gold passage not in top 5")
    if d["refused"]:
        return "false refusal" + where
    if d.get("misled"):
        return "repeated the counterfactual answer"
    return "answer lacks the expected content" + where


def _avg(xs: Iterable[float | bool | None]) -> float | None:
    vals = [float(x) for x in xs if x is not None]
    return round(mean(vals), 4) if vals else None


def aggregate(details: list[dict[str, Any]]) -> dict[str, Any]:
    """The metrics of a run: every metric over the questions it applies to, plus `by_type` and counts."""
    answerable = [d for d in details if not d["expect_refusal"]]
    unanswerable = [d for d in details if d["expect_refusal"]]
    with_gold = [d["retrieval"] for d in answerable if "retrieval" in d]
    out: dict[str, Any] = {}
    for key in [f"doc_recall@{k}" for k in CURVE_KS] + [f"passage_recall@{k}" for k in CURVE_KS]:
        out[key] = _avg(r.get(key) for r in with_gold)
    for key, name in [("rr_doc", "mrr_doc"), ("rr_passage", "mrr_passage"), ("ndcg_doc@5", "ndcg_doc@5"),
                      ("ndcg_passage@5", "ndcg_passage@5")]:
        out[name] = _avg(r.get(key) for r in with_gold)

    def check(name: str) -> list[Any]:
        return [d["checks"].get(name) for d in answerable]

    out |= {
        "answer_contains_acc": _avg(check("contains")),
        "answer_exact_acc": _avg(check("exact")),
        "answer_keywords_acc": _avg(check("keywords")),
        "answer_numeric_acc": _avg(check("numeric")),
        "accuracy": _avg(d["correct"] for d in details),
        "false_refusal_rate": _avg(d["refused"] for d in answerable),
        "refusal_acc_on_unanswerable": _avg(d["refused"] for d in unanswerable),
        "refusal_accuracy": _avg(d["refused"] == d["expect_refusal"] for d in details),
    }
    cites = [d["citations"] for d in answerable if "citations" in d]
    for key in ("precision_doc", "recall_doc", "precision_span", "recall_span"):
        out[f"citation_{key}"] = _avg(c[key] for c in cites)
    sentences = [d["sentences"] for d in details if "sentences" in d]
    n_sentences = sum(s["n"] for s in sentences)
    out["verified_sentence_share"] = round(sum(s["verified"] for s in sentences) / n_sentences, 4) if n_sentences else None
    misled = [d["misled"] for d in details if "misled" in d]
    if misled:
        out["counterfactual_misled_rate"] = _avg(misled)
    latencies = [d["latency_s"] for d in details if d.get("latency_s") is not None]
    for q in (50, 90, 95, 99):
        p = m.percentile(latencies, q)
        out[f"latency_p{q}_s"] = None if p is None else round(p, 4)
    out["latency_mean_s"] = _avg(latencies)
    out["latency_max_s"] = max(latencies) if latencies else None
    out["by_type"] = {t: _avg(d["correct"] for d in ds) for t, ds in sorted(_by_type(details).items())}
    out["by_type_detail"] = {t: _type_detail(ds) for t, ds in sorted(_by_type(details).items())}
    out |= {
        "n_questions": len(details), "n_answerable": len(answerable), "n_unanswerable": len(unanswerable),
        "n_numeric": sum(d["checks"].get("numeric") is not None for d in answerable),
        "n_keywords": sum(d["checks"].get("keywords") is not None for d in answerable),
        "n_missing_predictions": sum(d["missing"] for d in details), "n_failures": sum(not d["correct"] for d in details),
    }
    return out


def _by_type(details: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in details:
        groups[d["type"]].append(d)
    return groups


def _type_detail(ds: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = [d["latency_s"] for d in ds if d.get("latency_s") is not None]
    p50 = m.percentile(latencies, 50)
    return {
        "n": len(ds),
        "accuracy": _avg(d["correct"] for d in ds),
        "refusal_rate": _avg(d["refused"] for d in ds),
        "doc_recall@5": _avg(d["retrieval"].get("doc_recall@5") for d in ds if "retrieval" in d),
        "passage_recall@5": _avg(d["retrieval"].get("passage_recall@5") for d in ds if "retrieval" in d),
        "citation_precision_doc": _avg(d["citations"]["precision_doc"] for d in ds if "citations" in d),
        "latency_p50_s": None if p50 is None else round(p50, 4),
    }


def score(cases: list[Case], predictions: dict[str, dict[str, Any]], documents: dict[str, str]) -> tuple[dict, list]:
    """(metrics, details) for `predictions` keyed by question id."""
    details = [score_case(c, predictions.get(c.id), documents) for c in cases]
    return aggregate(details), details
