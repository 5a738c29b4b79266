"""Per-question detail and aggregation: by type, refusals, citations, verified sentences, latency."""

from __future__ import annotations

import pytest

from evals.scoring import aggregate, score
from evals.suites import Case, Passage

DOC = "第三条 行政机关应当在20个工作日内答复。第四条 不收取费用。"
DOCS = {"law.txt": DOC}
GOLD = Passage("law.txt", "第三条 行政机关应当在20个工作日内答复。")
CASES = [
    Case("q1", "多久答复？", "regulation", answer="20个工作日", groups=[["20个工作日", "二十个工作日"]],
         aliases=["二十个工作日"], source_docs=["law.txt"], passages=[GOLD]),
    Case("q2", "多久答复？（另一问）", "regulation", answer="20个工作日", groups=[["20个工作日"]],
         source_docs=["law.txt"], passages=[GOLD]),
    Case("q3", "火星低保标准？", "unanswerable"),
    Case("q4", "收费吗？", "procedure", answer="不收取费用", groups=[["不收取费用"]], source_docs=["law.txt"],
         passages=[Passage("law.txt", "第四条 不收取费用。")]),
]


def _pred(qid: str, answer: str, refused: bool = False, retrieved: list | None = None, cites: list | None = None,
          latency: float = 0.1, sentences: list | None = None) -> dict:
    return {"id": qid, "answer": answer, "refused": refused, "retrieved": retrieved or [], "citations": cites or [],
            "latency_s": latency, "sentences": sentences or []}


PREDICTIONS = {
    "q1": _pred("q1", "应当在二十个工作日内答复[1]。", retrieved=[{"doc": "law.txt", "text": GOLD.text}],
                cites=[{"doc": "law.txt", "text": "行政机关应当在20个工作日内答复。"}], latency=0.1,
                sentences=[{"text": "a", "verified": True}, {"text": "b", "verified": False}]),
    "q2": _pred("q2", "未找到依据。", refused=True, retrieved=[{"doc": "other.txt", "text": "x"}], latency=0.2,
                sentences=[{"text": "refusal", "verified": True}]),
    "q3": _pred("q3", "根据某文件：标准为800元。", latency=0.3, sentences=[{"text": "c", "verified": True}]),
    # q4 has no prediction
}


def test_details_say_what_was_right_and_why_not() -> None:
    _, details = score(CASES, PREDICTIONS, DOCS)
    d1, d2, d3, d4 = details
    assert d1["correct"] and d1["checks"] == {"contains": True, "exact": True, "keywords": None, "numeric": True}
    assert d1["retrieval"]["passage_recall@1"] == 1.0 and d1["retrieval"]["rr_passage"] == 1.0
    assert d1["citations"]["precision_span"] == 1.0 and d1["citations"]["recall_span"] == 1.0
    assert not d2["correct"] and d2["failure"] == "false refusal; gold passage not in top 5"
    assert d3["failure"] == "answered a question the documents do not answer"
    assert d4["missing"] and d4["failure"] == "no prediction"
    assert d1["sources"][0]["doc"] == "law.txt"


def test_aggregate_by_hand() -> None:
    metrics, _ = score(CASES, PREDICTIONS, DOCS)
    # answerable: q1 right, q2 refused, q4 missing
    assert metrics["answer_contains_acc"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["false_refusal_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["refusal_acc_on_unanswerable"] == 0.0
    # refused == expected: q1 yes, q2 no, q3 no, q4 yes (no prediction, not refused, answerable)
    assert metrics["refusal_accuracy"] == 0.5
    assert metrics["accuracy"] == 0.25
    assert metrics["passage_recall@5"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["doc_recall@1"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["citation_precision_doc"] == pytest.approx(1 / 3, abs=1e-4)
    # sentences of refusals are not claims: q1 has 1 of 2 verified, q3 has 1 of 1
    assert metrics["verified_sentence_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert metrics["latency_p50_s"] == 0.2 and metrics["latency_max_s"] == 0.3
    assert metrics["by_type"] == {"procedure": 0.0, "regulation": 0.5, "unanswerable": 0.0}
    assert metrics["by_type_detail"]["regulation"]["n"] == 2
    assert metrics["n_missing_predictions"] == 1 and metrics["n_failures"] == 3


def test_counterfactual_misled_rate() -> None:
    case = Case("f", "多少个议席？", "rgb_counterfactual", answer="70", groups=[["70"]], fake_answer="170")
    metrics = aggregate([score([case], {"f": _pred("f", "共有170个议席")}, {})[1][0]])
    assert metrics["counterfactual_misled_rate"] == 1.0
    assert metrics["accuracy"] == 0.0  # "70" is not found inside "170"
