"""Answers shaped for WeChat: plain text, short citation lines, at most 5 messages of at most 2048 UTF-8 bytes."""

from __future__ import annotations

import re

from service.answers import Answer, Citation

MAX_BYTES = 2048
MAX_PARTS = 5
AI_LABEL = "（AI生成，仅供参考，以原文为准）"

WELCOME = (
    "您好，欢迎关注！我是政策解读助手，可以根据已收录的政策文件回答您的问题，并注明出处。\n"
    "您可以这样问：\n"
    "· 低保标准是多少？\n"
    "· 申请低保需要什么条件？\n"
    "· 住房公积金怎么提取？\n"
    "请直接发送文字提问。"
)
PLEASE_SEND_TEXT = "抱歉，目前只能回答文字提问，请用文字描述您想了解的政策问题。"
PENDING = "正在查询，请稍后回复任意文字获取结果"
STILL_PENDING = "仍在查询，请稍后回复任意文字获取结果"
RATE_LIMITED = "您的提问过于频繁，请稍等一分钟后再试。"
FAILED = "抱歉，查询时出现问题，请稍后再试，或拨打12345政务服务便民热线咨询。"
MORE_HINT = "\n（未完，回复任意文字查看下一部分）"
TRUNCATED = "…（内容较长，已截断）"
HELD_NOTE = "以下是您上一个问题的答复：\n"

_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条(?:至第[一二三四五六七八九十百千零〇两\d]+条)?")
_INNER_TITLE = re.compile(r"《([^《》]+)》")
_MARKDOWN = [
    (re.compile(r"```[^\n]*\n?"), ""),  # code fences
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: keep the alt text, drop the (remote) URL
    (re.compile(r"\[([^\]]+)\]\((?:[^)]*)\)"), r"\1"),  # links: keep the text
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.M), ""),  # headings
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$", re.M), ""),  # horizontal rules
    (re.compile(r"^(\s*)[*+-]\s+", re.M), r"\1· "),  # bullets
    (re.compile(r"(\*\*|__)(.+?)\1", re.S), r"\2"),  # bold
    (re.compile(r"(?<![A-Za-z0-9*])\*(?![\s*])([^*\n]+?)(?<!\s)\*(?![A-Za-z0-9*])"), r"\1"),  # italics, not 2*3*4
    (re.compile(r"`([^`]*)`"), r"\1"),  # inline code
    (re.compile(r"~~(.+?)~~"), r"\1"),  # strike-through
]


def strip_markdown(text: str) -> str:
    """Plain text from Markdown (WeChat shows Markdown raw). Citation markers like [1] are kept."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def short_title(title: str) -> str:
    """`关于印发《X》的通知` -> `X`: the name a citizen knows the rule by."""
    inner = _INNER_TITLE.findall(title)
    return inner[0] if len(inner) == 1 and ("印发" in title or "转发" in title) else title


def citation_line(c: Citation) -> str:
    """`[1]《文件名》第X条`, or the last heading when the passage is not in a numbered article."""
    where = ""
    articles = _ARTICLE.findall(c.heading) or _ARTICLE.findall(c.quote[:12])
    if articles:
        where = articles[-1]
    elif c.heading:
        last = c.heading.split(" > ")[-1].strip()
        where = last if len(last) <= 16 else last[:15] + "…"
    name = short_title(c.title or c.doc).strip("《》")
    return f"[{c.n}]《{name}》{where}"


def answer_text(answer: Answer, link: str | None = None) -> str:
    """The whole reply: the plain answer, one short line per citation, the link to the full page, the AI label."""
    lines = [strip_markdown(answer.answer)]
    if answer.citations:
        lines += ["", "出处："] + [citation_line(c) for c in answer.citations]
    if link:
        lines += ["", f"完整答复及原文：{link}"]
    lines += ["", AI_LABEL]
    return "\n".join(lines)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _prefix(text: str, budget: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `budget` bytes (never half a character)."""
    return text.encode("utf-8")[: max(budget, 0)].decode("utf-8", errors="ignore")


def _cut(text: str, budget: int) -> str:
    """A prefix within `budget` bytes, ending at a line or sentence break when one is in its second half."""
    head = _prefix(text, budget)
    for breaks in ("\n", "。！？；", "，、 "):
        at = max(head.rfind(ch) for ch in breaks)
        if at >= len(head) // 2:
            return head[: at + 1]
    return head


def split_message(
    text: str, limit: int = MAX_BYTES, max_parts: int = MAX_PARTS, more: str = "", truncated: str = TRUNCATED
) -> list[str]:
    """`text` as at most `max_parts` messages of at most `limit` UTF-8 bytes, split at character boundaries.

    Every part but the last ends with `more`; when the text does not fit in `max_parts`, the last part is cut
    and ends with `truncated`.
    """
    if utf8_len(more) >= limit // 2 or utf8_len(truncated) >= limit // 2:
        raise ValueError("the continuation and truncation notes must be far shorter than the limit")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if utf8_len(rest) <= limit:
            parts.append(rest)
            break
        if len(parts) == max_parts - 1:
            parts.append(_prefix(rest, limit - utf8_len(truncated)).rstrip() + truncated)
            break
        head = _cut(rest, limit - utf8_len(more))
        parts.append(head.rstrip() + more)
        rest = rest[len(head) :].strip()
    return parts or [""]
