"""DOCX -> text: paragraphs and table rows in document order, hidden runs left out."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from ingest.errors import IngestError
from ingest.text_lines import squeeze_blank_lines


def docx_to_text(data: bytes, path: Path) -> str:
    """Paragraphs and table rows (cells joined by " | ") of a DOCX body, in document order.

    Runs marked hidden (w:vanish) are left out. Raises IngestError when the file is not a readable DOCX.
    """
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in _docx_blocks(document.element.body, document):
            if block.tag.endswith("}p"):
                lines.append(_paragraph_text(Paragraph(block, document)))
            else:
                lines.extend(_docx_row(row.cells) for row in Table(block, document).rows)
    except Exception as exc:  # python-docx raises zip, XML and key errors for damaged files
        raise IngestError(
            str(path), f"cannot read DOCX, corrupt or not a .docx? ({type(exc).__name__}: {exc})"
        ) from exc
    return squeeze_blank_lines(lines)


def _docx_blocks(container: Any, document: DocxDocument) -> Iterator[Any]:
    for child in container.iterchildren():
        tag = child.tag
        if tag.endswith("}p") or tag.endswith("}tbl"):
            yield child
        elif tag.endswith("}sdt"):  # a content control wraps ordinary paragraphs and tables
            for content in child.iterchildren():
                if content.tag.endswith("}sdtContent"):
                    yield from _docx_blocks(content, document)


def _paragraph_text(paragraph: Paragraph) -> str:
    parts: list[str] = []
    for item in paragraph.iter_inner_content():
        runs = [item] if isinstance(item, Run) else item.runs
        # Hidden runs are invisible in Word: the same injection channel as hidden HTML text.
        parts.extend(run.text for run in runs if not run.font.hidden)
    return "".join(parts)


def _docx_row(cells: tuple[_Cell, ...]) -> str:
    texts: list[str] = []
    previous = None
    for cell in cells:
        # A horizontally merged cell is returned once per grid column; equal text in separate cells is kept.
        if cell._tc is not previous:
            texts.append(" ".join(cell.text.split("\n")).strip())
        previous = cell._tc
    return " | ".join(texts)
