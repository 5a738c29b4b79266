"""Scorer functions on hand-made cases whose values were worked out by hand."""

from __future__ import annotations

import math

import pytest

from evals import metrics as m

DOC = "第一条 为了规范。第二条 申请人可以书面提出申请。第三条 行政机关应当在20个工作日内答复。第四条 不收取费用。"


def test_contains_never_matches_inside_a_longer_number() -> None:
    hay = m.norm("本年共受理1000件，其中1995年以前的10件")
    assert not m.contains("0件", hay)
    assert not m.contains("95", hay)
    assert m.contains("1000件", hay)
    assert m.contains("10件", hay)


def test_norm_removes_whitespace_pipes_and_width() -> None:
    assert m.norm("749 件 |\n ＡＢ") == "749件ab"


def test_groups_all_required_any_alternative() -> None:
    groups = [["1295"], ["1191", "一千一百九十一"]]
    assert m.groups_match(groups, "受理1295件，办结1191件")
    assert not m.groups_match(groups, "受理1295件")
    assert not m.groups_match([], "anything")  # no expectation: nothing to match


def test_exact_contains_needs_the_whole_answer_or_alias() -> None:
    assert m.exact_contains("20个工作日", ["二十个工作日"], "应在二十个工作日内答复")
    assert not m.exact_contains("受理1295件，办结1191件", [], "受理1295件，办结了1191件")


def test_numeric_match_per_group() -> None:
    assert m.numeric_match([["20个工作日", "二十个工作日"]], "二十个工作日内") is True
    assert m.numeric_match([["3636"], ["7条"]], "3636条，其中政策解读7条") is True
    assert m.numeric_match([["3636"], ["7条"]], "3636条") is False
    assert m.numeric_match([["免费", "不收费"]], "不收费") is None


def test_refusal_flag_wins_over_text() -> None:
    assert m.is_refusal({"answer": "根据……", "refused": True})
    assert not m.is_refusal({"answer": "未找到", "refused": False})
    assert m.is_refusal({"answer": "资料中没有相关信息"})
    assert m.is_refusal({"answer": "信息不足，无法回答"})  # RGB's refusal phrase
    assert not m.is_refusal({"answer": "应当在20个工作日内答复"})


def test_passage_coverage_located_in_the_document() -> None:
    passage = "第二条 申请人可以书面提出申请。第三条 行政机关应当在20个工作日内答复。"
    assert m.passage_coverage(passage, ["第三条 行政机关应当在20个工作日内答复。第四条"], DOC) == pytest.approx(20 / 35)
    assert m.passage_coverage(passage, [DOC], DOC) == 1.0
    assert m.passage_coverage(passage, ["不在文档里的文字"], DOC) == 0.0
    # without the document, only containment counts
    assert m.passage_coverage("行政机关答复", ["前文行政机关答复后文"]) == 1.0


def _r(doc: str, text: str) -> dict[str, str]:
    return {"doc": doc, "text": text}


def test_recall_at_k_document_and_passage() -> None:
    gold = [{"doc": "a.txt", "text": "第三条 行政机关应当在20个工作日内答复。"}]
    retrieved = [_r("b.txt", "无关"), _r("a.txt", "第一条 为了规范。"), _r("a.txt", "第三条 行政机关应当在20个工作日内答复。")]
    docs = {"a.txt": DOC}
    assert m.doc_recall(retrieved, ["a.txt"], 1) == 0.0
    assert m.doc_recall(retrieved, ["a.txt"], 2) == 1.0
    assert m.passage_recall(retrieved, gold, docs, 2) == 0.0
    assert m.passage_recall(retrieved, gold, docs, 3) == 1.0
    assert m.doc_recall(retrieved, ["a.txt", "c.txt"], 3) == 0.5


def test_mrr_and_ndcg_by_hand() -> None:
    gains = [0, 1, 0, 1, 0]
    assert m.reciprocal_rank(gains) == 0.5
    assert m.reciprocal_rank([0, 0]) == 0.0
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3)
    assert m.ndcg(gains, 2, 5) == pytest.approx(dcg / ideal)  # 0.6509
    assert m.ndcg([1, 1], 2, 5) == pytest.approx(1.0)
    assert m.ndcg(gains, 0, 5) == 0.0


def test_passage_relevance_counts_each_gold_passage_once() -> None:
    gold = [{"doc": "a.txt", "text": "第四条 不收取费用。"}]
    retrieved = [_r("a.txt", "第四条 不收取费用。"), _r("a.txt", "第三条 行政机关应当在20个工作日内答复。第四条 不收取费用。")]
    assert m.relevance(retrieved, gold, {"a.txt": DOC}) == [1, 0]
    assert m.doc_relevance([_r("a.txt", ""), _r("a.txt", ""), _r("b.txt", "")], ["a.txt", "b.txt"]) == [1, 0, 1]


def test_citation_precision_and_recall_document_level() -> None:
    cites = [{"doc": "a.txt"}, {"doc": "b.txt"}, {"doc": "a.txt"}]
    p, r = m.citation_doc_scores(cites, ["a.txt", "c.txt"])
    assert p == pytest.approx(2 / 3)
    assert r == 0.5
    assert m.citation_doc_scores([], ["a.txt"]) == (0.0, 0.0)


def test_citation_precision_and_recall_span_level() -> None:
    gold = [{"doc": "a.txt", "text": "第三条 行政机关应当在20个工作日内答复。"},
            {"doc": "a.txt", "text": "第四条 不收取费用。"}]
    cites = [
        {"doc": "a.txt", "text": "行政机关应当在20个工作日内答复。第四条"},  # overlaps the first passage
        {"doc": "a.txt", "text": "第一条 为了规范。"},  # right document, wrong span
        {"doc": "b.txt", "text": "第四条 不收取费用。"},  # right words, wrong document
    ]
    p, r = m.citation_span_scores(cites, gold, {"a.txt": DOC})
    assert p == pytest.approx(1 / 3)
    assert r == 0.5  # the first passage is covered (17 of its 20 chars); the second is not cited from a.txt


def test_span_overlap_in_document_coordinates() -> None:
    assert m.span_overlaps("答复。第四条 不收取", "第四条 不收取费用。", DOC)
    assert not m.span_overlaps("第一条 为了规范。", "第四条 不收取费用。", DOC)


def test_percentiles_interpolate() -> None:
    assert m.percentile([4, 1, 3, 2], 50) == 2.5
    assert m.percentile([1, 2, 3, 4], 90) == pytest.approx(3.7)
    assert m.percentile([7], 99) == 7
    assert m.percentile([], 50) is None
