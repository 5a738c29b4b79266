"""Quantities and unit normalisation, on cases worked out by hand (including the traps)."""

from __future__ import annotations

import pytest

from evals.numbers import Quantity, chinese_to_int, numbers_equal, quantities


@pytest.mark.parametrize(
    ("text", "value"),
    [("二十", 20), ("十五", 15), ("一百零五", 105), ("三万", 30000), ("二〇二四", 2024), ("两千", 2000), ("十", 10)],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert chinese_to_int(text) == value


def test_chinese_to_int_rejects_non_numerals() -> None:
    assert chinese_to_int("一般") is None
    assert chinese_to_int("") is None


def test_quantities_keep_whole_numbers_and_canonical_units() -> None:
    assert quantities("受理1295件，办结1191件（含上年结转189件）") == [
        Quantity(1295, "件"), Quantity(1191, "件"), Quantity(189, "件"),
    ]
    assert quantities("5万元") == [Quantity(50000, "元")]
    assert quantities("二十个工作日内") == [Quantity(20, "工作日")]
    assert quantities("百分之五") == [Quantity(5, "%")]
    assert quantities("同比上升16.13%") == [Quantity(16.13, "%")]
    assert quantities("1,295件") == [Quantity(1295, "件")]


def test_words_with_numeral_characters_are_not_numbers() -> None:
    assert quantities("一般不收费") == []
    assert quantities("不得低于职工上一年度月平均工资的5%") == [Quantity(5, "%")]


def test_trap_zero_inside_one_thousand() -> None:
    assert numbers_equal("0件", "共受理1000件") is False
    assert numbers_equal("0件", "撤回0件") is True


def test_trap_95_is_not_1995() -> None:
    assert numbers_equal("95", "1995年制定") is False
    assert numbers_equal("95", "总计95件") is True  # no unit in the gold answer: any unit is accepted


@pytest.mark.parametrize(
    ("expected", "answer"),
    [
        ("20个工作日", "应当在二十个工作日内答复"),
        ("20个工作日", "20 个工作日"),
        ("15个工作日", "十五个工作日"),
        ("5万元", "最高补助50000元"),
        ("1.5万元", "15000元"),
        ("5%", "不得低于百分之五"),
        ("16.13%", "上升16.13％"),  # full-width percent sign
    ],
)
def test_equal_after_unit_normalisation(expected: str, answer: str) -> None:
    assert numbers_equal(expected, answer) is True


def test_different_units_or_values_do_not_match() -> None:
    assert numbers_equal("95件", "95%") is False
    assert numbers_equal("20个工作日", "15个工作日") is False
    assert numbers_equal("5万元", "5元") is False


def test_every_number_of_the_expected_answer_is_needed() -> None:
    assert numbers_equal("受理1295件，办结1191件", "受理1295件") is False
    assert numbers_equal("受理1295件，办结1191件", "办结1191件，受理1295件") is True


def test_no_number_means_not_applicable() -> None:
    assert numbers_equal("免费", "不收费") is None
