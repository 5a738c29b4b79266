"""Quantities in Chinese answers: "20个工作日" = "二十个工作日", "5万元" = "50000元", "百分之五" = "5%".

A quantity is a whole number token with its unit, so "0件" is never found inside "1000件" and 95 never inside 1995.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from service.generation.facts import CN_DIGITS, cn_to_int

# Longest first, so that "个工作日" wins over "个" and "万元" over "元".
UNITS = (
    "个工作日", "工作日", "万元", "亿元", "千元", "元", "万人", "万件", "%", "‰", "件", "条", "篇", "个", "项", "人次", "人",
    "次", "户", "家", "份", "天", "日", "周岁", "岁", "年", "月", "小时", "分钟", "平方米", "公里",
)
# What a unit means: a canonical unit and a multiplier.
CANONICAL = {
    "个工作日": ("工作日", 1), "万元": ("元", 10_000), "亿元": ("元", 100_000_000), "千元": ("元", 1000),
    "万人": ("人", 10_000), "万件": ("件", 10_000), "天": ("日", 1),
}
IDIOMATIC_ONE = frozenset({"年", "月", "次", "个", "日", "天"})
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)
_ARABIC = re.compile(r"(?<![0-9.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(" + _UNIT_RE + ")?")
_CN_NUM = "零〇一二两三四五六七八九十百千万"
# Chinese numerals count only with a unit after them (or 百分之 before), so that "一般" is not the number one.
_CHINESE = re.compile(r"(百分之)?([" + _CN_NUM + r"]+)(" + _UNIT_RE + ")?")
_PERCENT_WORD = re.compile(r"百分之\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # canonical unit, "" when none was written

    def matches(self, other: Quantity) -> bool:
        """Equal values, and equal units unless one side wrote none (a table cell "95" answers "95件")."""
        same_value = abs(self.value - other.value) <= 1e-9 * max(1.0, abs(self.value))
        return same_value and (not self.unit or not other.unit or self.unit == other.unit)


def chinese_to_int(text: str) -> int | None:
    """"二十" -> 20, "一百零五" -> 105, "三万" -> 30000, "二〇二四" -> 2024; None if `text` is not a numeral."""
    if any(ch not in _CN_NUM for ch in text):
        return None
    return cn_to_int(text)  # the citation verifier's reading of numerals, so scoring and verifying agree


def _quantity(value: float, unit: str) -> Quantity:
    canon, factor = CANONICAL.get(unit, (unit, 1))
    return Quantity(round(value * factor, 9), canon)


def quantities(text: str) -> list[Quantity]:
    """Every number in `text` with its (canonical) unit, in order of appearance."""
    text = unicodedata.normalize("NFKC", text or "")
    found: list[tuple[int, Quantity]] = []
    taken: list[tuple[int, int]] = []
    for m in _PERCENT_WORD.finditer(text):
        found.append((m.start(), Quantity(float(m.group(1)), "%")))
        taken.append(m.span())
    for m in _ARABIC.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        value = float(m.group(1).replace(",", "") + (m.group(2) or ""))
        found.append((m.start(), _quantity(value, m.group(3) or "")))
        taken.append(m.span())
    for m in _CHINESE.finditer(text):
        percent, numeral, unit = m.group(1), m.group(2), m.group(3)
        if not (percent or unit) or any(s <= m.start() < e for s, e in taken):
            continue
        if numeral[0] not in CN_DIGITS and numeral[0] != "十":  # "万元" after "5" or a lone "百" is no number
            continue
        if numeral == "一" and unit in IDIOMATIC_ONE:  # 上一年度, 一次性, 一个月: words, not counts
            continue
        value = chinese_to_int(numeral)
        if value is None:
            continue
        found.append((m.start(), Quantity(float(value), "%") if percent else _quantity(value, unit)))
    return [q for _, q in sorted(found, key=lambda item: item[0])]


def numbers_equal(expected: str, answer: str) -> bool | None:
    """True when every quantity written in `expected` appears in `answer`; None when `expected` has no number."""
    wanted = quantities(expected)
    if not wanted:
        return None
    have = quantities(answer)
    return all(any(w.matches(h) for h in have) for w in wanted)
