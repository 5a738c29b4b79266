"""Structure-aware chunking: chunks follow headings and clauses, never cut a sentence, keep table rows whole.

Each chunk's `text` is an exact span of the document (so a citation can quote and locate it); its `clean` text is
what people read and what is embedded; its heading path says where in the document it sits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.cleaning import normalize_for_reading
from ingest.lines import ARTICLE_RANK, Line, split_lines
from ingest.tables import is_short_label, is_table_line, parse_rows, table_end
from retriever.types import Chunk

SENTENCE_END = re.compile(r"[。！？!?；;][”’」』）)\"']*|\n[ \t\u3000]*\n")
CLAUSE_BREAK = re.compile(r"[，,、：:]")


@dataclass
class _Unit:
    start: int
    end: int
    clean: str


@dataclass
class _Section:
    path: list[str]
    kind: str = "text"  # text | table_row
    lines: list[Line] = field(default_factory=list)
    units: list[_Unit] = field(default_factory=list)
    caption: str = ""

    @property
    def size(self) -> int:
        return sum(len(u.clean) for u in self.units)


class Chunker:
    """Split a document's text into chunks of roughly `min_chars`-`max_chars` readable characters."""

    def __init__(self, min_chars: int = 200, max_chars: int = 500) -> None:
        if not 0 < min_chars <= max_chars:
            raise ValueError("need 0 < min_chars <= max_chars")
        self.min_chars = min_chars
        self.max_chars = max_chars

    def run(self, doc_id: str, text: str, title: str = "") -> list[Chunk]:
        sections = self._sections(text, title)
        chunks: list[Chunk] = []
        for path, kind, caption, units in self._pack(sections):
            start, end = units[0].start, units[-1].end
            rows = kind == "table_row"
            clean = "\n".join(u.clean for u in units) if rows else normalize_for_reading(text[start:end])
            if not clean.strip():
                continue
            chunks.append(
                Chunk(doc_id=doc_id, ordinal=len(chunks), text=text[start:end], start=start, end=end, clean=clean,
                      heading_path=path, kind=kind, context=caption, units=[(u.start, u.end) for u in units])
            )
        return chunks

    # --- sections: runs of lines under one heading path ---

    def _sections(self, text: str, title: str) -> list[_Section]:
        lines = split_lines(text)
        stack: list[tuple[int, str]] = []
        sections: list[_Section] = []
        current = _Section(path=[])

        def close(new_path: list[str]) -> _Section:
            self._finish(current, text)
            if current.units:
                sections.append(current)
            return _Section(path=new_path)

        i = 0
        while i < len(lines):
            line = lines[i]
            if line.kind in ("heading", "article", "inline_heading") and line.rank is not None and not _is_list_item(
                line, stack
            ):
                stack = [(r, lbl) for r, lbl in stack if r < line.rank]
                if not (line.kind == "heading" and line.label == title):
                    stack.append((line.rank, line.label))
                current = close([lbl for _, lbl in stack])
                if line.kind != "heading":
                    current.lines.append(line)
            elif is_table_line(line):
                end = table_end(lines, i)
                preamble = self._take_preamble(current)
                table = close(current.path)
                table.kind = "table_row"
                for row in parse_rows(lines[i:end], " ".join(current.path) + preamble):
                    table.units.append(_Unit(row.start, row.end, row.render()))
                    table.caption = table.caption or row.caption
                if table.units:
                    sections.append(table)
                current = _Section(path=table.path)
                i = end
                continue
            else:
                current.lines.append(line)
            i += 1
        close([])
        return sections

    @staticmethod
    def _take_preamble(section: _Section) -> str:
        """Header cells broken over short lines just before a table belong to the table, not the prose."""
        taken: list[str] = []
        while section.lines and (is_short_label(section.lines[-1]) or section.lines[-1].kind in ("blank", "page_mark")):
            taken.append(section.lines.pop().raw)
        return "".join(reversed(taken))

    def _finish(self, section: _Section, text: str) -> None:
        if section.kind != "text" or not section.lines:
            return
        start, end = section.lines[0].start, section.lines[-1].end
        for s, e in _sentences(text, start, end):
            clean = normalize_for_reading(text[s:e])
            if not clean:
                continue
            if len(clean) > self.max_chars:
                section.units.extend(self._split_long(text, s, e))
            else:
                section.units.append(_Unit(s, e, clean))

    def _split_long(self, text: str, start: int, end: int) -> list[_Unit]:
        units: list[_Unit] = []
        piece_start = start
        last_break = None
        for m in CLAUSE_BREAK.finditer(text, start, end):
            if m.end() - piece_start > self.max_chars and last_break:
                units.append(_Unit(piece_start, last_break, normalize_for_reading(text[piece_start:last_break])))
                piece_start = last_break
            last_break = m.end()
        units.append(_Unit(piece_start, end, normalize_for_reading(text[piece_start:end])))
        return [u for u in units if u.clean]

    # --- packing sections into chunks ---

    def _pack(self, sections: list[_Section]) -> list[tuple[list[str], str, str, list[_Unit]]]:
        packed: list[tuple[list[str], str, str, list[_Unit]]] = []
        for section in _merge_small_articles(sections, self.min_chars, self.max_chars):
            group: list[_Unit] = []
            size = 0
            for unit in section.units:
                if group and size + len(unit.clean) > self.max_chars:
                    packed.append((section.path, section.kind, section.caption, group))
                    group, size = [], 0
                group.append(unit)
                size += len(unit.clean)
            if group:
                packed.append((section.path, section.kind, section.caption, group))
        return packed


def _is_list_item(line: Line, stack: list[tuple[int, str]]) -> bool:
    """Enumerations inside an article, or items ending like a clause ("1.户口簿；"), stay in the running text."""
    if line.kind == "article" or line.rank is None or line.rank <= ARTICLE_RANK:
        return False
    if any(rank == ARTICLE_RANK for rank, _ in stack):
        return True
    return line.kind == "heading" and line.stripped[-1:] in ("；", ";", "，", ",", "、")


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in text[start:end], stripped of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    pos = start
    for m in SENTENCE_END.finditer(text, start, end):
        spans.append((pos, m.end()))
        pos = m.end()
    spans.append((pos, end))
    out = []
    for s, e in spans:
        seg = text[s:e]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


def _merge_small_articles(sections: list[_Section], min_chars: int, max_chars: int) -> list[_Section]:
    """Short sibling articles (第X条) under one chapter share a chunk, so a chunk says enough to be found."""
    merged: list[_Section] = []
    for section in sections:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and _is_article(prev)
            and _is_article(section)
            and prev.path[:-1] == section.path[:-1]
            and prev.size < min_chars
            and prev.size + section.size <= max_chars
        ):
            first = prev.path[-1].split("至")[0]
            prev.path = [*prev.path[:-1], f"{first}至{section.path[-1]}"]
            prev.units.extend(section.units)
        else:
            merged.append(section)
    return merged


def _is_article(section: _Section) -> bool:
    return section.kind == "text" and bool(section.path) and section.path[-1].startswith("第") and (
        "条" in section.path[-1]
    )

