"""Flattened table text -> a stream of cell tokens with exact character offsets, in every input shape.

The shapes: PDF text (a label followed by space-separated numbers on one line, headers broken over short lines),
web text (one cell per line ending in ` |`, rows separated by lines of pipes), Markdown and DOCX/HTML rows (a whole
row on one line, cells joined by `|`). A `break` token marks where a shape ends a row for certain; a row label
broken over lines arrives as several `text` tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_RE = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
_NUM = r"\d[\d,]*(?:\.\d+)?"
_SPACE_ROW_RE = re.compile(rf"^(?P<label>.*?)(?P<nums>(?:(?<=\s)|^){_NUM}(?:[ \t\u3000]+{_NUM})*)[ \t\u3000]*$")
_NUM_IN_ROW_RE = re.compile(_NUM)
_PAGE_MARK_RE = re.compile(r"^[-—–－―~\s]*\d{1,4}[-—–－―~\s]*$|^第\s*\d+\s*页")
_RULE_CELL_RE = re.compile(r"^:?-{2,}:?$")
_PROSE_RE = re.compile(r"[。；;]")
_MAX_LABEL = 80


@dataclass
class Token:
    """A cell or a fragment of one: `text` (a label), `num`, `empty` (a blank cell inside a row) or `break`."""

    kind: str
    text: str
    start: int
    end: int


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of `text[start:end]`; offsets are absolute positions in `text`. Prose lines are skipped."""
    end = len(text) if end is None else end
    tokens: list[Token] = []
    pos = start
    for raw in text[start:end].split("\n"):
        _line_tokens(raw, pos, tokens)
        pos += len(raw) + 1
    return tokens


def _line_tokens(raw: str, pos: int, out: list[Token]) -> None:
    stripped = raw.strip()
    if not stripped or _PAGE_MARK_RE.match(stripped):
        return
    body = stripped.lstrip("#").strip()
    if "|" in raw:
        _pipe_tokens(raw, pos, out)
        return
    if len(stripped) > _MAX_LABEL and _PROSE_RE.search(stripped):
        out.append(Token("break", "", pos, pos))  # a sentence between tables ends whatever row was open
        return
    match = _SPACE_ROW_RE.match(raw)
    if match and not _PROSE_RE.search(match["label"]) and len(match["label"].strip()) <= _MAX_LABEL:
        label = match["label"].strip()
        if label:
            offset = raw.index(label)
            out.append(Token("text", label, pos + offset, pos + offset + len(label)))
        base = pos + match.start("nums")
        for num in _NUM_IN_ROW_RE.finditer(match["nums"]):
            out.append(Token("num", num[0], base + num.start(), base + num.end()))
        out.append(Token("break", "", pos + len(raw), pos + len(raw)))
        return
    if _PROSE_RE.search(stripped):
        out.append(Token("break", "", pos, pos))
        return
    offset = raw.index(body)
    out.append(Token("text", body, pos + offset, pos + offset + len(body)))


def _pipe_tokens(raw: str, pos: int, out: list[Token]) -> None:
    """Cells split on `|`. A line holding two or more cells is a whole row; one cell alone continues a row."""
    cells: list[tuple[str, int, int]] = []
    offset = 0
    for part in raw.split("|"):
        cell = part.strip()
        at = pos + offset + (part.index(cell) if cell else 0)
        cells.append((cell, at, at + len(cell)))
        offset += len(part) + 1
    # A leading "|" leaves an empty first part and a trailing "|" an empty last part: neither is a cell.
    if cells and not cells[0][0]:
        cells = cells[1:]
    if cells and not cells[-1][0]:
        cells = cells[:-1]
    filled = [c for c in cells if c[0]]
    if not filled or all(_RULE_CELL_RE.match(c[0]) for c in filled):
        out.append(Token("break", "", pos, pos))
        return
    whole_row = len(filled) >= 2
    if whole_row:
        out.append(Token("break", "", pos, pos))
    for cell, start, end in cells:
        if not cell:
            if whole_row:
                out.append(Token("empty", "", start, start))
            continue
        value = cell.replace(" ", "")
        if NUMBER_RE.match(value):
            out.append(Token("num", cell, start, end))
        else:
            out.append(Token("text", cell.lstrip("#").strip(), start, end))
    if whole_row:
        out.append(Token("break", "", pos + len(raw), pos + len(raw)))


@dataclass
class Run:
    """Consecutive number cells (and blank cells among or after them) with the text tokens that came before them.

    Blank cells are kept because they tell which column a value is missing from ("| 1 | 0 | 0 | 0 | 0 | 0 |  |").
    """

    labels: list[Token]  # text tokens since the previous run
    row_labels: list[Token]  # the part of `labels` since the last break: the row's own label in most shapes
    cells: list[Token]  # num and empty tokens

    @property
    def numbers(self) -> list[Token]:
        return [c for c in self.cells if c.kind == "num"]


def runs(tokens: list[Token]) -> list[Run]:
    """Group tokens into runs of values, each with the label text preceding it."""
    out: list[Run] = []
    labels: list[Token] = []
    since_break: list[Token] = []
    current: Run | None = None
    for tok in tokens:
        if tok.kind in ("num", "empty"):
            if current is None:
                if tok.kind == "empty":
                    continue
                current = Run(labels, since_break, [])
                out.append(current)
            current.cells.append(tok)
            continue
        if current is not None:
            current, labels, since_break = None, [], []
        if tok.kind == "break":
            since_break = []
        else:
            labels.append(tok)
            since_break.append(tok)
    return out
