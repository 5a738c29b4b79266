"""A policy document as clauses (第X条, or the text under a heading) made of passages with exact offsets.

A passage is what a point of the draft quotes: one sentence, or a list's lead-in ("应当提交下列材料：") with its
items. Offsets always point into the document text, so a quote is `text[start:end]` and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.cleaning import normalize_for_reading
from ingest.lines import ARTICLE, ARTICLE_RANK, Line, split_lines

SENTENCE_END = re.compile(r"[。！？!?；;][”’」』）)]*")
LIST_ITEM = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、](?!\d)|[一二三四五六七八九十]、|[-*•]\s)")
LEAD_IN = re.compile(r"[：:]\s*$")
# Web-page and letterhead furniture: metadata labels, promulgation lines, addressees, publication notes.
BOILERPLATE = re.compile(
    r"^(?:[-*•]\s*)?(?:索\s*引\s*号|发布机构|发文字号|发文机关|文\s*号|统一编号|成文日期|发布日期|发文日期|公开方式|主题分类|"
    r"分\s*类|标\s*题|名\s*称|当前位置|来源|阅读次数|字号|打印|主\s*题\s*词|内容概述|时\s*效|有效性)"
    r"|^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*\S*?(?:公布|发布|通过|修订|修正|施行)\s*$"
    r"|^<!--|^[（(]此件.*[）)]$|^各.{2,60}[：:]$|^(?:- )?时间[:：]"
    r"|^\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?$"
    r"|^[（(]?[\u4e00-\u9fff]{1,12}\s*[〔\[［]\s*\d{4}\s*[〕\]］]\s*第?\s*\d+\s*号[）)]?$"
)
SENTENCE_PUNCT = re.compile(r"[。！？!?；;，,：:]")
WORD = re.compile(r"[\w\u4e00-\u9fff]")


@dataclass
class Passage:
    """Consecutive sentences read as one unit. `text` is the readable form (list items on lines of their own)."""

    index: int
    clause: int  # index of its clause
    start: int
    end: int
    text: str
    is_list: bool = False


@dataclass
class Clause:
    """An article, or the text under the deepest heading. `label` is how it is cited; empty before any heading."""

    index: int
    path: list[str]
    start: int
    end: int
    passages: list[Passage] = field(default_factory=list)

    @property
    def label(self) -> str:
        articles = [p for p in self.path if ARTICLE.match(p)]
        return articles[-1] if articles else (self.path[-1] if self.path else "正文")

    @property
    def heading(self) -> str:
        return " > ".join(self.path)


def segment(text: str, title: str = "") -> list[Clause]:
    """The clauses of `text` in order, each with its passages. Boilerplate lines are left out."""
    clauses: list[Clause] = []
    stack: list[tuple[int, str]] = []
    body: list[Line] = []
    path: list[str] = []

    def close(new_path: list[str]) -> None:
        nonlocal body, path
        clause = Clause(len(clauses), path, body[0].start if body else 0, body[-1].end if body else 0)
        clause.passages = _passages(text, body, clause.index, title)
        if clause.passages:
            clause.start, clause.end = clause.passages[0].start, clause.passages[-1].end
            clauses.append(clause)
        body, path = [], new_path

    for line in split_lines(text):
        if line.kind in ("blank", "page_mark", "header"):
            continue  # a table's column headers say nothing a citizen needs
        if _starts_clause(line, stack):
            assert line.rank is not None
            stack = [(r, lbl) for r, lbl in stack if r < line.rank]
            if not (line.kind == "heading" and line.label in (title, title.strip("《》"))):
                stack.append((line.rank, line.label))
            close([lbl for _, lbl in stack])
            if line.kind == "heading":
                continue
        body.append(line)
    close([])
    for n, passage in enumerate(p for c in clauses for p in c.passages):
        passage.index = n
    return clauses


def _starts_clause(line: Line, stack: list[tuple[int, str]]) -> bool:
    if line.kind == "article":
        return True
    if line.kind not in ("heading", "inline_heading") or line.rank is None:
        return False
    if any(rank == ARTICLE_RANK for rank, _ in stack) and line.rank > ARTICLE_RANK:
        return False  # (一) inside an article is an item of it
    if line.stripped[-1:] in ("；", ";", "，", ",", "、", "。"):
        return False
    has_parent = any(rank < line.rank for rank, _ in stack)
    if line.kind == "inline_heading" or line.rank >= 6:
        return not has_parent  # "1.户口簿" or "（一）因火灾……" under a heading: an item of it
    return True


def _passages(text: str, lines: list[Line], clause: int, title: str) -> list[Passage]:
    sentences = _sentences(text, lines, title)
    out: list[Passage] = []
    i = 0
    while i < len(sentences):
        start, end, is_item = sentences[i]
        j = i + 1
        if LEAD_IN.search(text[start:end]):  # a lead-in takes the list items that follow it
            while j < len(sentences) and sentences[j][2]:
                j += 1
        end = sentences[j - 1][1]
        readable = "\n".join(normalize_for_reading(text[s:e]) for s, e, _ in sentences[i:j])
        out.append(Passage(0, clause, start, end, readable, is_list=j - i > 1 or is_item))
        i = j
    return out


def _sentences(text: str, lines: list[Line], title: str) -> list[tuple[int, int, bool]]:
    """(start, end, starts_a_list_item) of each sentence of `lines`; titles and boilerplate dropped."""
    out: list[tuple[int, int, bool]] = []
    for line in lines:
        start, end = _trim(text, line.start, line.end)
        if line.kind == "article":
            match = ARTICLE.match(text[start:end])
            if match:
                start, _ = _trim(text, start + match.end(), end)
        line_text = text[start:end]
        if start >= end or _is_boilerplate(line_text) or (title and line_text in (title, title.strip("《》"))):
            continue
        out.extend(_split(text, start, end, bool(LIST_ITEM.match(line_text))))
    return out


def _split(text: str, start: int, end: int, item: bool) -> list[tuple[int, int, bool]]:
    line = text[start:end]
    if len(WORD.findall(line)) < 2 or not (item or _is_sentence_like(line)):
        return []
    if item:
        return [(start, end, True)]  # a list item is quoted whole, whatever its punctuation
    spans: list[tuple[int, int, bool]] = []
    pos = start
    for m in SENTENCE_END.finditer(text, start, end):
        s, e = _trim(text, pos, m.end())
        if s < e:
            spans.append((s, e, False))
        pos = m.end()
    s, e = _trim(text, pos, end)
    if s < e:
        spans.append((s, e, False))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_boilerplate(line: str) -> bool:
    return bool(BOILERPLATE.search(line))


def _is_sentence_like(line: str) -> bool:
    """Titles and signatures (short, no punctuation, no numbers) are not something to cite."""
    if len(WORD.findall(line)) < 2:
        return False
    return bool(SENTENCE_PUNCT.search(line) or re.search(r"\d", line) or len(line) > 30)
