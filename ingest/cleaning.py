"""Pure text clean-up for policy documents: page marks, hard line breaks, stray spaces around digits.

Two entry points share one line-reflowing engine:

- `clean_pdf_text` builds the document text of a PDF. Chunk offsets point into its output, so it must be
  deterministic; it keeps a line break after a sentence end and a blank line between paragraphs.
- `normalize_for_reading` builds a chunk's `clean` text from a span of any document. It joins every line
  break that is not structure, because the result is read, embedded and indexed, never cited by offset.

Both keep structure: a heading (第X章, 第X条, 一、, （一）, 1., markdown #) always starts a line, and a table
row stays a line of its own with its numbers apart: a label with numbers ("数量 95 0 0", "行政许可 4862"),
short column headers ("信息内容 本年制发件数"), or cells joined by " | ".
"""

from __future__ import annotations

import re

__all__ = ["clean_pdf_text", "is_page_mark", "normalize_for_reading"]

# CJK ideographs, CJK punctuation (3000-303F), full-width forms, and the general punctuation Chinese text
# borrows (— “ ” ‘ ’ … ·): a line break next to any of these is an artefact, never a word separator.
_CJK_CLASS = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
_CJK_CHAR = re.compile(f"[{_CJK_CLASS}]")

_DASHES = "-－—–―~～"
_PAGE_MARK = re.compile(
    rf"[{_DASHES}]+\s*\d{{1,4}}\s*[{_DASHES}]+"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/／]?\s*第\s*\d{1,4}\s*页"
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?"
)
_PAGE_FRACTION = re.compile(r"(\d{1,4})\s*/\s*(\d{1,4})")

_NUMERALS = "一二三四五六七八九十百千零〇两"
_HEADING = re.compile(
    rf"(?P<article>第[{_NUMERALS}\d]+条)"
    rf"|(?P<part>第[{_NUMERALS}\d]+(?:编|章|节|部分))"
    rf"|(?P<enum>[{_NUMERALS}]+、|[（(][{_NUMERALS}\d]{{1,3}}[)）]|\d{{1,2}}(?:[.．、](?!\d)))"
    r"|(?P<markdown>#{1,6}\s|[-*+•]\s)"
)
# Widths are relative to a full line of the text. A title is a heading clearly shorter than a full line with no
# clause punctuation after its marker; a PDF line under half a full line ends its paragraph.
_MIN_FULL_WIDTH = 40
_TITLE_WIDTH = 0.75
_SHORT_LINE = 0.5
_CLAUSE_PUNCT = re.compile(r"[，,；;。]")

_NUMBER = r"[-+]?\d[\d,，.]*%?"
_NUMERIC_TAIL = re.compile(rf"^(?:(?P<label>\S.*?)\s+)?(?P<nums>{_NUMBER}(?:\s+{_NUMBER})*)$")
_SHORT_LABEL = 20  # "行政许可 4862" is a row; a long label before one number is a sentence wrapped after a number
_CELL_PUNCT = re.compile(r"[，,；;。：:！!？?]")

# A sentence end, possibly inside closing quotes, or a closing bracket ends a line for good in a PDF.
_LINE_END = re.compile(r"(?:[。！？；：.!?;:][”’」』）)]*|[）)】〕」』］\]])$")

_INLINE_SPACE = re.compile(r"[ \t\u3000\xa0\f\v]+")
_DIGIT_THEN_CJK = re.compile(rf"(?<=\d)[ \t\u3000\xa0]+(?=[{_CJK_CLASS}%‰℃])")
_CJK_THEN_DIGIT = re.compile(rf"(?<=[{_CJK_CLASS}])[ \t\u3000\xa0]+(?=\d)")
_SPACE_BEFORE_DECIMAL = re.compile(r"(?<=\d)[ \t]+(?=[.．]\d)")


def is_page_mark(line: str) -> bool:
    """True for a line that is only a page number: `- 1 -`, `— 12 —`, `-1-`, `第 3 页`, `第3页 共5页`, `3/12`."""
    text = line.strip()
    if _PAGE_MARK.fullmatch(text):
        return True
    fraction = _PAGE_FRACTION.fullmatch(text)
    # "3/12" is page 3 of 12; "12/3" cannot be, so it is left alone (it may be a date or a ratio).
    return bool(fraction) and 1 <= int(fraction.group(1)) <= int(fraction.group(2))


def normalize_for_reading(span: str) -> str:
    """Readable text of a raw span: page marks dropped, hard line breaks joined, digit spacing fixed.

    Line breaks survive only before a heading, around a table row, after a short title line, and where the
    span had a blank line (which becomes a single line break). Full-width punctuation is kept (no NFKC).
    """
    return _reflow(span, keep_sentence_breaks=False, paragraph_sep="\n")


def clean_pdf_text(text: str) -> str:
    """Document text for a PDF extraction: page marks dropped, sentences rejoined, digit spacing fixed.

    A line is joined to the next unless it ends a sentence (。！？；：), ends with a closing bracket, is a short
    title, is under half as wide as a full line of the text, or the next line is a heading or a table row. Paragraph breaks (blank lines) are kept as one blank
    line; blank lines next to a page mark are page layout and are dropped. Deterministic.
    """
    return _reflow(text, keep_sentence_breaks=True, paragraph_sep="\n\n")


def _reflow(text: str, *, keep_sentence_breaks: bool, paragraph_sep: str) -> str:
    lines = [_INLINE_SPACE.sub(" ", raw).strip() for raw in text.splitlines()]
    full = _full_width([line for line in lines if line and not is_page_mark(line)])
    out: list[str] = []  # finished lines; "" marks a paragraph break
    last = ""  # the last physical line appended to out[-1]
    gap_lines = 0  # blank lines and page marks since the last content line
    gap_has_page_mark = False
    for line in lines:
        if not line or is_page_mark(line):
            gap_lines += 1
            gap_has_page_mark = gap_has_page_mark or bool(line)
            continue
        paragraph_break = gap_lines > 0 and not gap_has_page_mark
        gap_lines, gap_has_page_mark = 0, False
        if not out:
            out.append(line)
        elif paragraph_break:
            out.extend(["", line])
        elif _joins(out[-1], last, line, full, keep_sentence_breaks):
            out[-1] = out[-1] + _separator(out[-1][-1], line[0]) + line
        else:
            out.append(line)
        last = line
    return paragraph_sep.join(_split_paragraphs([_fix_digit_spacing(line) for line in out]))


def _width(line: str) -> int:
    return sum(2 if _CJK_CHAR.match(ch) else 1 for ch in line)


def _full_width(lines: list[str]) -> int:
    """The width of a full line of this text (CJK counts 2), at least that of 20 CJK characters."""
    widths = sorted(_width(line) for line in lines)
    # The widest line after setting aside the widest tenth (a table row or an unwrapped line can be longer).
    return max(widths[-(len(widths) // 10) - 1] if widths else 0, _MIN_FULL_WIDTH)


def _split_paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _joins(previous: str, last: str, line: str, full: int, keep_sentence_breaks: bool) -> bool:
    if _is_table_row(previous) or _is_table_row(line) or _HEADING.match(line) or _is_title(previous, full):
        return False
    if not keep_sentence_breaks:
        return True
    # In a PDF a line ends early only where its paragraph ends ("临江区民政局" above the date of a signature).
    return not _LINE_END.search(previous) and _width(last) >= _SHORT_LINE * full


def _separator(left: str, right: str) -> str:
    if _CJK_CHAR.match(left) or _CJK_CHAR.match(right):
        return ""
    return " "


def _is_table_row(line: str) -> bool:
    if " | " in line:
        return True
    match = _NUMERIC_TAIL.match(line)
    if not match:
        return _is_header_row(line)
    label, count = match.group("label"), len(match.group("nums").split())
    if count >= 2:
        # Two numbers need a label to be a row ("数量 95 0"); bare "1 295" may be one number split by a space.
        return label is not None or count >= 3
    return label is not None and len(label) <= _SHORT_LABEL and not _CELL_PUNCT.search(label)


def _is_header_row(line: str) -> bool:
    # Column headers ("信息内容 本年制发件数 本年废止件数"): short CJK cells apart. Prose has no such spaces, and
    # text spaced out character by character has one-character cells.
    cells = line.split(" ")
    return 2 <= len(cells) <= 12 and all(
        2 <= len(cell) <= 12 and _CJK_CHAR.search(cell) and not _CELL_PUNCT.search(cell) and not _HEADING.match(cell)
        for cell in cells
    )


def _is_title(line: str, full: int) -> bool:
    heading = _HEADING.match(line)
    if not heading or heading.group("article"):
        return False  # 第X条 carries its own text, which may wrap onto the next line
    if heading.group("part"):
        return True
    rest = line[heading.end() :]
    return _width(line) < _TITLE_WIDTH * full and not _CLAUSE_PUNCT.search(rest)


def _fix_digit_spacing(line: str) -> str:
    match = _NUMERIC_TAIL.match(line)
    if match and " | " not in line and _is_table_row(line):
        # The numbers of a table row are separate cells: only the label gets fixed.
        label = match.group("label")
        return f"{_fix_digit_spacing_text(label)} {match.group('nums')}" if label else line
    return _fix_digit_spacing_text(line)


def _fix_digit_spacing_text(text: str) -> str:
    text = _DIGIT_THEN_CJK.sub("", text)
    text = _CJK_THEN_DIGIT.sub("", text)
    return _SPACE_BEFORE_DECIMAL.sub("", text)
