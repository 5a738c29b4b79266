"""Format adapters on small samples written here (evalkit and RGB shapes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.suites import SuiteError, load_suite

EVALKIT = [
    {"id": "ar-1", "type": "numeric_table", "question": "某区2024年新收申请总计是多少？", "answer": "95",
     "answer_aliases": ["95件"], "answer_keywords": [], "source_docs": ["ar.txt"],
     "supporting_passages": [{"doc": "ar.txt", "text": "一、本年新收政府信息公开申请数量 95"}], "notes": "trap"},
    {"id": "ar-2", "type": "annual_report_fact", "question": "受理和办结多少件？", "answer": "受理12件，办结10件",
     "answer_aliases": [], "answer_keywords": ["12", "10件"], "source_docs": ["ar.txt"],
     "supporting_passages": [{"doc": "ar.txt", "text": "受理12件，办结10件"}]},
    {"id": "none-1", "type": "unanswerable", "question": "火星低保标准？", "answer": "未找到", "answer_aliases": [],
     "answer_keywords": [], "source_docs": [], "supporting_passages": []},
]
NEG = [f"无关新闻{i}。" for i in range(6)]
RGB_REFINE = [{"id": 7, "query": "事故死亡人数", "answer": ["12人"], "positive": ["造成12人死亡。", "至少12人遇难。"],
               "negative": NEG}]
RGB_INT = [{"id": 3, "query": "两个日期", "answer": [["1月3日", "1月3号"], "1月12日"],
            "positive": [["宣誓在1月3日。"], ["会议在1月12日。"]], "negative": NEG}]
RGB_FACT = [{"id": 0, "query": "多少个议席？", "answer": "70", "fakeanswer": "170",
             "positive_wrong": ["共有170个议席。", "170个议席产生。"], "positive": ["共有70个议席。"], "negative": NEG}]


def _write(tmp_path: Path, name: str, records: list[dict]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n", encoding="utf-8")
    return path


def test_evalkit_adapter(tmp_path: Path) -> None:
    cases = load_suite(_write(tmp_path, "q.jsonl", EVALKIT))
    single, multi, none = cases
    assert single.groups == [["95", "95件"]] and single.source_docs == ["ar.txt"]
    assert single.passages[0].text == "一、本年新收政府信息公开申请数量 95"
    assert multi.groups == [["12"], ["10件"]]  # keywords: every one is needed
    assert none.expect_refusal and not single.expect_refusal
    assert all(not c.contexts for c in cases)


def test_rgb_noise_rates_and_negative_rejection(tmp_path: Path) -> None:
    cases = load_suite(_write(tmp_path, "rgb.jsonl", RGB_REFINE), noise_rates=(0.0, 0.4, 1.0), passages=5)
    by_id = {c.id: c for c in cases}
    assert set(by_id) == {"rgb-7-n0", "rgb-7-n0.4", "rgb-7-neg"}  # noise 1.0 is the rejection case
    clean, noisy, rejection = by_id["rgb-7-n0"], by_id["rgb-7-n0.4"], by_id["rgb-7-neg"]
    assert clean.type == "rgb_noise_0" and len(clean.contexts) == 2  # only two positives exist
    texts = [p.text for p in noisy.contexts]
    assert len(texts) == 4 and sum(t in NEG for t in texts) == 2  # round(5 * 0.4) negatives, then positives
    assert noisy.groups == [["12人"]]
    assert rejection.type == "rgb_negative_rejection" and rejection.expect_refusal
    assert all(p.text in NEG for p in rejection.contexts) and len(rejection.contexts) == 5


def test_rgb_integration_answers_and_passages(tmp_path: Path) -> None:
    (case,) = load_suite(_write(tmp_path, "int.jsonl", RGB_INT), noise_rates=(0.0,))[:1]
    assert case.type == "rgb_integration_0"
    assert case.groups == [["1月3日", "1月3号"], ["1月12日"]]
    assert sorted(p.text for p in case.contexts) == ["会议在1月12日。", "宣誓在1月3日。"]


def test_rgb_counterfactual(tmp_path: Path) -> None:
    (case,) = load_suite(_write(tmp_path, "fact.jsonl", RGB_FACT))
    assert case.type == "rgb_counterfactual" and case.fake_answer == "170"
    texts = [p.text for p in case.contexts]
    assert "共有170个议席。" in texts and "共有70个议席。" not in texts and len(texts) == 5


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q", "type": "t"}\nnot json\n', encoding="utf-8")
    with pytest.raises(SuiteError, match="bad.jsonl:2"):
        load_suite(bad)
    with pytest.raises(SuiteError, match="unknown suite format"):
        load_suite(_write(tmp_path, "odd.jsonl", [{"foo": 1}]))
    with pytest.raises(SuiteError, match="missing type"):
        load_suite(_write(tmp_path, "short.jsonl", [{"id": "a", "question": "q"}]), fmt="evalkit")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(SuiteError, match="no questions"):
        load_suite(empty)
