"""Classify the lines of a Chinese government document: headings, table rows, page marks, prose.

Government documents number their structure in a fixed hierarchy (第X编 > 第X章 > 第X节 > 一、 > （一） > 1. >
（1）), and their statistical tables arrive flattened in a few shapes (a label followed by space-separated numbers,
or one cell per line ending in ` |`). Everything downstream works on these classified lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.cleaning import is_page_mark

CN_NUM = "[一二三四五六七八九十百零〇两]+"

# (rank, pattern): lower rank = higher in the hierarchy. Articles (第X条) are handled separately: they start
# a clause whose text follows on the same line.
HEADING_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(rf"^第{CN_NUM}编")),
    (1, re.compile(rf"^第{CN_NUM}章")),
    (2, re.compile(rf"^第{CN_NUM}节")),
    (4, re.compile(rf"^{CN_NUM}、")),
    (5, re.compile(rf"^[（(]{CN_NUM}[）)]")),
    (6, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (7, re.compile(r"^[（(]\d{1,2}[）)]")),
]
ARTICLE_RANK = 3
ARTICLE = re.compile(rf"^第{CN_NUM}条(?!第)")
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+")
TABLE_CAPTION = re.compile(rf"^第{CN_NUM}条第[（(]{CN_NUM}[）)]项")
NUMBER = r"-?\d[\d,]*(?:\.\d+)?%?"
NUMERIC_TAIL = re.compile(rf"^(?P<label>.*?)(?P<nums>(?:(?<=\s)|^){NUMBER}(?:\s+{NUMBER})*)\s*$")
SENTENCE_PUNCT = re.compile(r"[。！？!?；;]")
LABEL_PUNCT = re.compile(r"[。！？!?；;，,：:]")
PIPE_ONLY = re.compile(r"^[\s|]+$")
INLINE_HEADING_MAX = 24


@dataclass
class Line:
    """One line of the document with its offsets and what it is."""

    start: int
    end: int  # exclusive, without the newline
    raw: str
    kind: str  # blank | page_mark | heading | article | row | pipe | header | caption | text
    rank: int | None = None  # heading rank
    label: str = ""  # heading label (for headings and articles) or row label
    numbers: list[str] | None = None  # for rows

    @property
    def stripped(self) -> str:
        return self.raw.strip()


def heading_rank(text: str) -> int | None:
    """The rank of a heading marker at the start of `text`, or None."""
    if ARTICLE.match(text):
        return ARTICLE_RANK
    for rank, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return rank
    return None


def split_lines(text: str) -> list[Line]:
    """All lines of `text` (split on \\n) with absolute offsets, classified."""
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        line = Line(start=pos, end=pos + len(raw), raw=raw, kind="text")
        _classify(line)
        lines.append(line)
        pos += len(raw) + 1
    return lines


def _classify(line: Line) -> None:
    s = line.stripped
    if not s:
        line.kind = "blank"
        return
    if is_page_mark(s):
        line.kind = "page_mark"
        return
    if "|" in s:
        line.kind = "pipe"
        return
    md = MARKDOWN_HEADING.match(s)
    if md:
        body = s[md.end() :].strip()
        line.kind, line.label = "heading", body
        line.rank = heading_rank(body)
        if line.rank is None:
            line.rank = max(0, len(md.group(1)) - 1)
        return
    if TABLE_CAPTION.match(s) and len(s) <= 20:
        line.kind, line.label = "caption", s
        return
    if _classify_row(line, s):
        return
    rank = heading_rank(s)
    if rank == ARTICLE_RANK:
        match = ARTICLE.match(s)
        assert match is not None
        line.kind, line.rank, line.label = "article", rank, match.group(0)
        return
    if rank is not None:
        line.rank = rank
        if len(s) <= 40 and not SENTENCE_PUNCT.search(s[:-1]):
            line.kind, line.label = "heading", s.rstrip("。")
        else:
            # A heading that runs into its first sentence: "（一）主动公开情况。主要通过……"
            head = SENTENCE_PUNCT.split(s, maxsplit=1)[0]
            line.kind = "inline_heading"
            line.label = head if len(head) <= INLINE_HEADING_MAX else head[:INLINE_HEADING_MAX] + "…"
        return
    if _is_header_line(s):
        line.kind = "header"


def _classify_row(line: Line, s: str) -> bool:
    match = NUMERIC_TAIL.match(s)
    if not match:
        return False
    label = match.group("label").strip()
    numbers = match.group("nums").split()
    if "。" in label or len(label) > 60:
        return False
    if label and not match.group("label")[-1:].isspace():
        return False  # "第711号" or "2024年" glued to text: prose, not a row
    # A single value is a row only for a short label without prose punctuation: "行政许可 9487".
    if len(numbers) == 1 and (not label or len(label) > 20 or LABEL_PUNCT.search(label)):
        return False
    line.kind, line.label, line.numbers = "row", label, numbers
    return True


def _is_header_line(s: str) -> bool:
    s = re.sub(r"[（(][^）)]{0,12}[）)]", "", s)  # "本年收费金额（单位：万元）"
    tokens = s.split()
    if len(tokens) < 2 or LABEL_PUNCT.search(s):
        return False
    return all(len(t) <= 12 and not re.search(r"\d", t) for t in tokens)
