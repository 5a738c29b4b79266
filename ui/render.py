"""HTML for the chat: every piece of model or document text is escaped, so nothing it contains can run or load.

Only this module builds markup; the markers `[n]` it links are the citation numbers the answer really has.
Kept free of gradio so it can be tested (and reused) on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from service.answers import Citation

AI_LABEL = "AI生成，仅供参考，以原文为准"
MARKER = re.compile(r"\[(\d{1,3})\]")

Passage = tuple[str, str, str]  # before, quote, after


@dataclass
class Turn:
    """One question and (once it has arrived, possibly in pieces) its answer."""

    question: str
    answer: str = ""
    refused: bool = False
    citations: list[Citation] = field(default_factory=list)
    passages: dict[int, Passage] = field(default_factory=dict)
    answer_id: str = ""
    done: bool = False
    error: str = ""
    notice: str = ""  # e.g. the model failed and quoted passages stand in


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def link_markers(answer: str, turn: int, numbers: set[int]) -> str:
    """Escaped `answer` with each `[n]` that is a real citation turned into a link to its source entry."""
    def sub(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in numbers:
            return m.group(0)
        return (f'<a class="pa-cite" href="#pa-src-{turn}-{n}" data-target="pa-src-{turn}-{n}" '
                f'aria-label="来源{n}">[{n}]</a>')

    return MARKER.sub(sub, _e(answer))


def _booked(title: str) -> str:
    """The title in book-title marks, unless it already carries them (《…》政策解读)."""
    return title if title.startswith("《") else f"《{title}》"


def source_summary(c: Citation) -> str:
    details = [x for x in (c.doc_number, c.issued) if x]
    validity = c.validity if c.validity and c.validity != "未知" else "效力未标注"
    bits = [f'<span class="pa-src-n">[{c.n}]</span>', f'<span class="pa-src-title">{_e(_booked(c.title))}</span>']
    if details:
        bits.append(f'<span class="pa-src-meta">{_e("，".join(details))}</span>')
    css = "pa-valid" if validity == "现行有效" else ("pa-invalid" if validity in ("已废止", "已失效") else "pa-unknown")
    bits.append(f'<span class="pa-badge {css}">{_e(validity)}</span>')
    return " ".join(bits)


def render_source(c: Citation, turn: int, passage: Passage | None) -> str:
    before, quote, after = passage if passage else ("", c.quote, "")
    heading = f'<p class="pa-src-heading">{_e(c.heading)}</p>' if c.heading else ""
    return (
        f'<details class="pa-source" id="pa-src-{turn}-{c.n}">'
        f"<summary>{source_summary(c)}</summary>{heading}"
        f'<blockquote class="pa-passage">{_e(before)}<mark class="pa-quote">{_e(quote)}</mark>{_e(after)}</blockquote>'
        f'<p class="pa-src-file">文件：{_e(c.doc)}</p></details>'
    )


def render_turn(t: Turn, index: int) -> str:
    question = f'<div class="pa-q"><span class="pa-who">您的问题</span><p>{_e(t.question)}</p></div>'
    if t.error:
        body = f'<p class="pa-error" role="alert">{_e(t.error)}</p>'
    elif not t.answer:
        body = '<p class="pa-pending">正在查找政策依据…</p>'
    else:
        numbers = {c.n for c in t.citations} if t.done else set()
        css = "pa-answer-text pa-refused" if t.refused else "pa-answer-text"
        body = f'<p class="pa-notice" role="note">{_e(t.notice)}</p>' if t.notice else ""
        body += f'<p class="{css}">{link_markers(t.answer, index, numbers)}</p>'
        if t.done:
            body += f'<p class="pa-label" role="note">{AI_LABEL}</p>'
            if t.citations:
                items = "".join(render_source(c, index, t.passages.get(c.n)) for c in t.citations)
                body += f'<section class="pa-sources" aria-label="来源"><h4>来源（点击展开原文）</h4>{items}</section>'
    return (f'<div class="pa-turn" id="pa-turn-{index}" data-answer-id="{_e(t.answer_id)}">{question}'
            f'<div class="pa-a"><span class="pa-who">政策助手</span>{body}</div></div>')


WELCOME = ('<div class="pa-welcome"><p>您好！我可以根据已收录的政策文件回答您的问题，每句回答都注明出处。</p>'
           '<p>请勿在问题中填写身份证号、手机号、银行卡号等个人信息。</p></div>')


def render_chat(turns: list[Turn]) -> str:
    inner = "".join(render_turn(t, i) for i, t in enumerate(turns)) or WELCOME
    return f'<div class="pa-chat" role="log" aria-live="polite" aria-label="对话">{inner}</div>'


def passages_for(citations: list[Citation], lookup: Callable[[str, int, int], Passage | None]) -> dict[int, Passage]:
    out = {}
    for c in citations:
        found = lookup(c.chunk_id, c.start, c.end)
        if found:
            out[c.n] = found
    return out
