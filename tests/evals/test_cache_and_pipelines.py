"""Answer cache (resumable runs), fusion, sentence units and passage hits."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.cache import AnswerCache, case_key, stable_hash
from evals.pipelines import rrf, sentence_units, text_hit
from evals.suites import Case, Passage


def test_answer_cache_resumes_and_survives_a_cut_line(tmp_path: Path) -> None:
    a, b = Case("a", "问题一？", "t"), Case("b", "问题二？", "t")
    cache = AnswerCache(tmp_path, "h1")
    cache.put(a, {"id": "a", "answer": "一"})
    with cache.path.open("a", encoding="utf-8") as f:
        f.write('{"key": "b:')  # the process was killed mid-write
    again = AnswerCache(tmp_path, "h1")
    assert again.get(a) == {"id": "a", "answer": "一"} and again.get(b) is None and len(again) == 1
    assert AnswerCache(tmp_path, "h2").get(a) is None  # another configuration hash starts afresh


def test_case_key_changes_when_the_question_or_passages_change() -> None:
    base = Case("a", "问题？", "t")
    assert case_key(base) == case_key(Case("a", "问题？", "other type"))
    assert case_key(base) != case_key(Case("a", "改过的问题？", "t"))
    assert case_key(base) != case_key(Case("a", "问题？", "t", contexts=[Passage("p", "x")]))
    assert stable_hash({"b": 1, "a": 2}) == stable_hash({"a": 2, "b": 1})


def test_rrf_of_several_weighted_lists() -> None:
    fused = dict(rrf([([("x", 0.9), ("y", 0.8)], 0.5), ([("y", 0.7)], 0.5), ([("z", 3.0), ("x", 1.0)], 1.0)], k=60))
    assert fused["x"] == pytest.approx(0.5 / 61 + 1 / 62)
    assert fused["y"] == pytest.approx(0.5 / 62 + 0.5 / 61)
    assert fused["z"] == pytest.approx(1 / 61)
    assert [cid for cid, _ in rrf([([("x", 0.9), ("y", 0.8)], 1.0), ([("z", 3.0), ("x", 1.0)], 1.0)])] == ["x", "z", "y"]


def test_sentence_units_are_document_offsets() -> None:
    text = "第一句。第二句！\n第三句"
    units = sentence_units(text, start=100)
    assert [text[s - 100 : e - 100] for s, e in units] == ["第一句。", "第二句！", "第三句"]
    wrapped = "政府信息公开\n工作年度报告。\n\n下一段"  # a PDF line break is not a sentence end; a blank line is
    assert [wrapped[s:e] for s, e in sentence_units(wrapped)] == ["政府信息公开\n工作年度报告。", "下一段"]
    hit = text_hit("p1", text, start=100)
    assert hit.chunk.units == units and hit.chunk.end == 100 + len(text) and hit.document.source == "p1"
