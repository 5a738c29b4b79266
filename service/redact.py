"""Personal-data redaction: 居民身份证号, 手机号 and 银行卡号 are replaced by placeholders before anything is stored.

`redact(text)` is what every feature that logs or stores user text should call. Identity numbers must pass the
GB 11643 check character and card numbers the Luhn check, so ordinary long numbers (文号, amounts, dates)
are left alone. Digits are delimited with look-arounds, not `\\b`, because `\\b` does not separate Chinese
characters from digits ("手机13812345678请回电").
"""

from __future__ import annotations

import re

ID_PLACEHOLDER = "[身份证号]"
PHONE_PLACEHOLDER = "[手机号]"
CARD_PLACEHOLDER = "[银行卡号]"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![\d+])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
# 16-19 digits, optionally grouped by single spaces or hyphens in fours ("6222 0212 3456 7890 128").
_CARD = re.compile(r"(?<![\d-])(\d(?:[ -]?\d){15,18})(?![\d-])")


def id_number_valid(number: str) -> bool:
    """True when `number` is 17 digits plus the GB 11643 check character (digit or X) that matches them."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn check (bank card numbers)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _id_sub(match: re.Match[str]) -> str:
    return ID_PLACEHOLDER if id_number_valid(match.group(1)) else match.group(0)


def _card_sub(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group(1))
    if 16 <= len(digits) <= 19 and luhn_valid(digits):
        return CARD_PLACEHOLDER
    return match.group(0)


def redact(text: str) -> str:
    """`text` with valid ID numbers, mobile numbers and Luhn-valid card numbers replaced by placeholders.

    Order matters: an 18-digit ID number could also look like a card number, so IDs go first, then cards
    (16-19 digits), then phones (11 digits, which never match the longer patterns).
    """
    if not text:
        return text
    text = _ID.sub(_id_sub, text)
    text = _CARD.sub(_card_sub, text)
    return _PHONE.sub(PHONE_PLACEHOLDER, text)


def contains_personal_data(text: str) -> bool:
    """True when `redact` would change `text`."""
    return redact(text) != text
