"""The checkable facts of a sentence: numbers, dates, percentages and document numbers (文号).

A model may write a fact differently from its source ("十五个工作日" for "15个工作日", "2024年3月1日" for
"2024-03-01", "1,295" for "1295"), so facts are compared in a canonical form. A number is never matched inside a
longer number: "15" is not found in "150".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇○一二两三四五六七八九十百千万"

DOC_NO = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[(（［]\s*(\d{4})\s*[〕\])）］]\s*(\d{1,4})\s*号")
DATE_YMD = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?|(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
DATE_MD = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
CN_DATE = re.compile(rf"([〇○零一二三四五六七八九]{{4}})年([{CN_NUM}]{{1,3}})月(?:([{CN_NUM}]{{1,3}})日)?")
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%|百分之\s*(\d+(?:\.\d+)?|[点" + CN_NUM + r"]+)")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
DIGIT_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=\d)|(?<=\d)[ \t\u3000]+(?=[\u4e00-\u9fff%])")
# Chinese numerals count as a fact in a sentence only before a unit ("十五个工作日", "三日内"), so that words like
# "统一" or "十分" are not read as numbers.
CN_NUMBER_WITH_UNIT = re.compile(rf"[{CN_NUM}]+(?=个工作日|个月|日|天|年|倍|件|项|人|户|元|万|条|次|周|岁|家|名|份|%)")
CN_NUMBER_ANY = re.compile(rf"[{CN_NUM}]+")
DOC_NO_LEAD = re.compile(r"^.*(?:依据|根据|按照|参照|印发|见|即|为|是|的|和|与|及)")  # words before an issuer's code


def normalize(text: str) -> str:
    """NFKC, lower case, thousands separators and spaces inside numbers removed ("1 295 件" -> "1295件")."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = THOUSANDS.sub("", text)
    return DIGIT_GAP.sub("", text)


def cn_to_int(numeral: str) -> int | None:
    """"十五" -> 15, "二〇二四" -> 2024, "一百二十" -> 120, "三万" -> 30000; None when it is not a numeral."""
    if not numeral or any(ch not in CN_DIGITS and ch not in CN_UNITS and ch != "万" for ch in numeral):
        return None
    if all(ch in CN_DIGITS for ch in numeral):  # digit by digit, as in years: 二〇二四
        return int("".join(str(CN_DIGITS[ch]) for ch in numeral))
    total, section, digit = 0, 0, None
    for ch in numeral:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:  # 万
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
    return total + section + (digit or 0)


def _num(value: str) -> str:
    """Canonical text of a decimal number: "05" -> "5", "1050.0" -> "1050", "12.50" -> "12.5"."""
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value.lstrip("0") or "0"


def _cn_decimal(text: str) -> str | None:
    """"十二点五" -> "12.5" (for 百分之十二点五)."""
    whole, _, frac = text.partition("点")
    head = cn_to_int(whole) if whole else 0
    if head is None:
        return None
    if not frac:
        return str(head)
    digits = [CN_DIGITS.get(ch) for ch in frac]
    if any(d is None for d in digits):
        return None
    return _num(f"{head}." + "".join(str(d) for d in digits))


@dataclass
class Facts:
    """Canonical facts found in a text."""

    doc_numbers: set[tuple[str, str, str]] = field(default_factory=set)  # (prefix, year, number)
    dates: set[tuple[str, str, str]] = field(default_factory=set)  # (year, month, day); "" when absent
    percents: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)

    def labels(self) -> list[str]:
        out = [f"{p}〔{y}〕{n}号" for p, y, n in sorted(self.doc_numbers)]
        out += ["-".join(x for x in d if x) for d in sorted(self.dates)]
        out += [f"{p}%" for p in sorted(self.percents)]
        out += sorted(self.numbers, key=lambda x: (len(x), x))
        return out


def _dates(text: str) -> tuple[set[tuple[str, str, str]], list[tuple[int, int]]]:
    found: set[tuple[str, str, str]] = set()
    spans: list[tuple[int, int]] = []
    for m in DATE_YMD.finditer(text):
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        found.add((y, _num(mo), _num(d) if d else ""))
        spans.append(m.span())
    for m in DATE_MD.finditer(text):
        if not any(s <= m.start() < e for s, e in spans):
            found.add(("", _num(m.group(1)), _num(m.group(2))))
            spans.append(m.span())
    for m in CN_DATE.finditer(text):
        y, mo = cn_to_int(m.group(1)), cn_to_int(m.group(2))
        d = cn_to_int(m.group(3)) if m.group(3) else None
        if y is not None and mo is not None:
            found.add((str(y), str(mo), str(d) if d is not None else ""))
            spans.append(m.span())
    return found, spans


def extract(text: str, source: bool = False) -> Facts:
    """The facts of `text`. With `source=True`, the set to check against: every number in it, in any form.

    A sentence's plain numbers exclude those already part of a date, a percentage or a 文号, which are checked in
    their own form; a source's numbers include them, so that "2024年" in a sentence is found in "2024-03-01".
    """
    text = normalize(text)
    facts = Facts()
    taken: list[tuple[int, int]] = []
    for m in DOC_NO.finditer(text):
        prefix = DOC_NO_LEAD.sub("", m.group(1)) or m.group(1)
        facts.doc_numbers.add((prefix, m.group(2), _num(m.group(3))))
        taken.append(m.span())
    facts.dates, date_spans = _dates(text)
    taken += date_spans
    for m in PERCENT.finditer(text):
        value = _num(m.group(1)) if m.group(1) else _cn_decimal(m.group(2))
        if value is not None:
            facts.percents.add(value)
            taken.append(m.span())
    for m in NUMBER.finditer(text):
        if source or not any(s <= m.start() < e for s, e in taken):
            facts.numbers.add(_num(m.group()))
    pattern = CN_NUMBER_ANY if source else CN_NUMBER_WITH_UNIT
    for m in pattern.finditer(text):
        if not source and any(s <= m.start() < e for s, e in taken):
            continue
        value = cn_to_int(m.group())
        if value is not None:
            facts.numbers.add(str(value))
    if source:  # a date written in a source also vouches for its parts, and a percentage for its number
        for y, mo, d in facts.dates:
            facts.numbers.update(x for x in (y, mo, d) if x)
        facts.numbers.update(facts.percents)
    return facts


def unsupported(claims: Facts, evidence: Facts) -> list[str]:
    """The facts of `claims` that `evidence` (extracted with `source=True`) does not contain."""
    missing: list[str] = []
    for prefix, year, number in sorted(claims.doc_numbers):
        if not any(y == year and n == number and (prefix.endswith(p) or p.endswith(prefix))
                   for p, y, n in evidence.doc_numbers):
            missing.append(f"{prefix}〔{year}〕{number}号")
    for y, mo, d in sorted(claims.dates):
        if not any((not y or y == ey) and mo == em and (not d or d == ed) for ey, em, ed in evidence.dates):
            missing.append("-".join(x for x in (y, mo, d) if x))
    missing += [f"{p}%" for p in sorted(claims.percents - evidence.percents)]
    missing += sorted(claims.numbers - evidence.numbers, key=lambda x: (len(x), x))
    return missing
