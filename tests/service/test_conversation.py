"""Conversation history (bounded, redacted) and follow-up rewriting, with and without a model."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.db import Database
from service.errors import UserInputError
from service.generation.conversation import CarryOverRewriter, ConversationStore, ModelRewriter, Turn, topic_of
from tests.service.generation_helpers import scripted


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(Database(tmp_path / "service.sqlite3"), max_turns=3, max_chars=200)


def turn(question: str) -> Turn:
    return Turn(question, question, "……")


def rewriter() -> CarryOverRewriter:
    return CarryOverRewriter(today=lambda: date(2025, 5, 20))


def test_history_keeps_the_last_turns_in_order(store: ConversationStore) -> None:
    for i in range(5):
        store.record("c1", f"问题{i}", f"改写{i}", f"回答{i}")
    store.record("c2", "别的对话", "别的对话", "回答")
    assert [t.question for t in store.history("c1")] == ["问题2", "问题3", "问题4"]
    count = store.db.query("SELECT COUNT(*) AS n FROM conversation_turns WHERE conversation_id = 'c1'")[0]["n"]
    assert count == 3  # older turns are deleted, not only hidden
    assert [t.rewritten for t in store.history("c2")] == ["别的对话"]
    assert store.history("never-seen") == []


def test_history_is_bounded_in_characters(store: ConversationStore) -> None:
    store.record("c1", "早先的问题", "早先的问题", "长" * 150)
    store.record("c1", "最近的问题", "最近的问题", "短" * 60)
    assert [t.question for t in store.history("c1")] == ["最近的问题"]


def test_history_is_stored_redacted(store: ConversationStore) -> None:
    store.record("c1", "我的手机13812345678，低保怎么申请？", "低保怎么申请？", "……")
    assert "13812345678" not in store.history("c1")[0].question
    assert store.forget("c1") == 1 and store.history("c1") == []


@pytest.mark.parametrize("bad", ["", "has space", "中文", "x" * 65, "a/b"])
def test_conversation_ids_are_checked(store: ConversationStore, bad: str) -> None:
    with pytest.raises(UserInputError, match="conversation id"):
        store.history(bad)


def test_topic_of_a_question() -> None:
    assert topic_of("临江区怎么申请低保？") == "申请低保"
    assert topic_of("咱们临江区现在的低保标准是多少？一个人一个月多少钱？") == "低保标准"


@pytest.mark.parametrize(
    ("previous", "follow_up", "standalone"),
    [
        ("临江区怎么申请低保？", "那需要什么材料？", "临江区申请低保需要什么材料？"),
        ("临江区2024年收到多少件政府信息公开申请？", "上一年呢？", "临江区2023年收到多少件政府信息公开申请？"),
        ("临江区2023年收到多少件政府信息公开申请？", "去年呢？", "临江区2024年收到多少件政府信息公开申请？"),
        ("临江区2024年收到多少件政府信息公开申请？", "洪泽区呢？", "洪泽区2024年收到多少件政府信息公开申请？"),
        ("临江区2024年主动公开了多少条政府信息？", "这个数字包括规范性文件吗？",
         "临江区2024年主动公开政府信息数字包括规范性文件吗？"),
    ],
)
def test_follow_ups_carry_region_year_and_topic(previous: str, follow_up: str, standalone: str) -> None:
    assert rewriter().rewrite(follow_up, [turn(previous)]) == standalone


def test_standalone_questions_are_left_alone() -> None:
    question = "临江区住房公积金租房提取每年最多能提多少钱？"
    assert rewriter().rewrite(question, [turn("临江区怎么申请低保？")]) == question
    assert rewriter().rewrite("低保标准是多少？", [turn("临江区怎么提取公积金？")]) == "低保标准是多少？"
    assert rewriter().rewrite("要多久？", [turn("临江区怎么提取公积金？")]) == "临江区提取公积金要多久？"
    assert rewriter().rewrite("那需要什么材料？", []) == "那需要什么材料？"


def test_calendar_years_are_resolved_even_without_history() -> None:
    assert rewriter().rewrite("去年临江区收到多少件申请？", []) == "2024年临江区收到多少件申请？"


def test_the_model_rewrites_with_the_history_it_is_shown() -> None:
    gen, model = scripted("改写后的问题：临江区申请低保需要提交哪些材料？\n（补全了地区和事项）")
    result = ModelRewriter(gen, rewriter()).rewrite("那需要什么材料？", [turn("临江区怎么申请低保？")])
    assert result == "临江区申请低保需要提交哪些材料？"
    assert "问：临江区怎么申请低保？" in model.prompt_text() and "追问：那需要什么材料？" in model.prompt_text()


@pytest.mark.parametrize("reply", [TimeoutError("slow"), "", "ok", "未在已收录的政策文件中找到相关依据。"])
def test_a_failed_model_rewrite_falls_back_to_carrying_context(reply: object) -> None:
    gen, _ = scripted(reply)
    result = ModelRewriter(gen, rewriter(), timeout=2).rewrite("那需要什么材料？", [turn("临江区怎么申请低保？")])
    assert result == "临江区申请低保需要什么材料？"


def test_the_model_is_not_asked_without_history() -> None:
    gen, model = scripted("不该被调用")
    assert ModelRewriter(gen, rewriter()).rewrite("临江区怎么申请低保？", []) == "临江区怎么申请低保？"
    assert model.calls == []
