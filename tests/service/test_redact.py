"""Redaction of 身份证号 (check character), 手机号 and 银行卡号 (Luhn), per SECURITY.md."""

from __future__ import annotations

import pytest

from service.redact import contains_personal_data, id_number_valid, luhn_valid, redact


def test_security_guide_example_is_fully_redacted() -> None:
    text = "我的身份证11010519491231002X，手机13812345678，卡号6222021234567890128"
    assert redact(text) == "我的身份证[身份证号]，手机[手机号]，卡号[银行卡号]"


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", "440524188001010014"])
def test_valid_id_numbers(number: str) -> None:
    assert id_number_valid(number)
    assert redact(f"身份证号{number}。") == "身份证号[身份证号]。"


@pytest.mark.parametrize("number", ["110101199003077578", "110105194912310021", "11010519491231002Y"])
def test_id_numbers_failing_the_check_are_kept(number: str) -> None:
    assert not id_number_valid(number)
    assert "[身份证号]" not in redact(f"编号{number}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("手机13812345678请回电", "手机[手机号]请回电"),
        ("电话：+86 138-1234-5678。", "电话：[手机号]。"),
        ("8613912345678", "[手机号]"),
        ("call 199 1234 5678 now", "call [手机号] now"),
    ],
)
def test_mobile_numbers(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "12345政务服务便民热线",  # the hotline is public
        "咨询电话0595-22345678",  # landline
        "12812345678",  # 12x is not a mobile prefix
        "138123456789",  # 12 digits: not a phone number
        "临政规〔2024〕3号，自2024年3月1日起施行，每人每月1050元",
    ],
)
def test_public_numbers_are_untouched(text: str) -> None:
    assert redact(text) == text
    assert not contains_personal_data(text)


@pytest.mark.parametrize("card", ["6222021234567890128", "4111111111111111", "6222 0212 3456 7890 128"])
def test_luhn_valid_cards(card: str) -> None:
    assert redact(f"卡号{card}谢谢") == "卡号[银行卡号]谢谢"


@pytest.mark.parametrize("card", ["6222021234567890123", "4111111111111112", "411111111111111"])
def test_cards_failing_luhn_or_too_short_are_kept(card: str) -> None:
    assert redact(f"卡号{card}") == f"卡号{card}"


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert not luhn_valid("7992a")


def test_several_items_and_empty_text() -> None:
    assert redact("") == ""
    text = "A:13812345678,B:13987654321"
    assert redact(text) == "A:[手机号],B:[手机号]"
