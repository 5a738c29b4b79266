"""From a clause's official wording to a short plain point: drop what a reader does not need, then the glossary."""

from __future__ import annotations

import re

from service.drafting.glossary import Glossary

ALIAS = re.compile(r"（以下(?:简称|统称)[^（）]*(?:（[^（）]*）[^（）]*)*）")
ENUMERATOR = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、](?!\d)|[-*•])\s*")
PURPOSE = re.compile(r"^为了?[^，。；]{2,40}，(?=[^，。；]{2,})")
LONG = 40
# A long sentence is split at a comma before one of these, which start a new clause in legal Chinese ("对……的，"
# is a condition; a bare "对" is a preposition); the connective gets its plain form ("，并将" -> "。然后把").
RESTART = re.compile(
    r"，(?:(?P<cond>对)(?=[^，。；]{1,20}的，)|(?P<word>但|也可以|有特殊情况|情况特别|并将|并在|并从|并通过|并可以|并按|并向)(?=[^，。；]{3,}))"
)
RESTART_WORDS = {"并将": "然后把", "并在": "在", "并从": "从", "并通过": "通过", "并可以": "也可以", "并按": "按", "并向": "向"}
_PLACE = r"[\u4e00-\u9fff]{2,8}?(?:省|自治区|市|区|县|镇|乡|街道)"
_PREFIX = re.compile(rf"^(?:中华人民共和国|最高人民法院关于|国务院关于|{_PLACE}(?:人民政府|政府)?(?:关于)?)")
_SUFFIX = re.compile(r"(?:审核确认|实施|管理|申请|给付|审理)?(?:若干问题的)?(?:暂行)?(?:办法|条例|规定|细则|办事指南|指南|通知|意见|方案)$")


def shorten(text: str, keep_purpose: bool = True) -> str:
    """`text` without aliases ("（以下简称低保）"), list numbering, and (unless kept) its purpose clause."""
    lines = []
    for line in text.split("\n"):
        line = ALIAS.sub("", line).strip()
        line = ENUMERATOR.sub("", line)
        if not keep_purpose:
            line = PURPOSE.sub("", line)
        if line:
            lines.append(line)
    return "\n".join(_split_long(line) for line in lines)


def _restart(m: re.Match[str]) -> str:
    word = m.group("cond") or m.group("word")
    return "。" + RESTART_WORDS.get(word, word)


def _split_long(sentence: str) -> str:
    """Long sentences cut into shorter ones at commas where a new clause starts; words are not changed."""
    parts = re.split(r"(?<=[。；;！？])", sentence)
    out = []
    for part in parts:
        if len(part) > LONG:
            part = RESTART.sub(_restart, part)
        out.append(part)
    return "".join(out)


class Simplifier:
    """Applies the glossary across one draft, explaining each term only the first time it appears."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self.explained: set[str] = set()

    def run(self, text: str) -> str:
        plain, _ = self.glossary.simplify(text, self.explained)
        return plain


def topic_of(name: str, glossary: Glossary) -> str:
    """What a policy is about, in plain words, for question templates: 低保, 公积金, 居住证, 政府信息公开."""
    terms = glossary.explained_terms(name)
    if terms:
        return terms[0].plain
    core = _SUFFIX.sub("", _PREFIX.sub("", name.strip("《》")))
    return core or name
