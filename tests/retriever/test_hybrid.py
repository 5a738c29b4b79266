"""Reciprocal rank fusion and near-duplicate detection, on values worked out by hand."""

from __future__ import annotations

import pytest

from retriever.hybrid import bigrams, is_near_duplicate, reciprocal_rank_fusion


def test_rrf_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([("a", 0.9), ("b", 0.8)], [("b", 7.0), ("c", 3.0)], k=60)
    scores = {f.chunk_id: f.score for f in fused}
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["c"] == pytest.approx(1 / 62)
    assert [f.chunk_id for f in fused] == ["b", "a", "c"]
    b = fused[0]
    assert (b.dense_rank, b.lexical_rank, b.lexical_score) == (2, 1, 7.0)


def test_rrf_keeps_one_sided_hits_with_the_missing_leg_empty() -> None:
    fused = reciprocal_rank_fusion([], [("x", 1.0)])
    assert fused[0].dense_rank is None and fused[0].lexical_rank == 1


def test_near_duplicates() -> None:
    a = bigrams("申请人可以向乡镇人民政府提出书面申请。")
    b = bigrams("申请人可以向乡镇人民政府提出书面申请")
    c = bigrams("住房公积金的缴存比例不得低于百分之五。")
    assert is_near_duplicate(a, b)
    assert not is_near_duplicate(a, c)
