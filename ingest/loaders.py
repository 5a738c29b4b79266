"""Files -> text: one loader per format, chosen by suffix, each raising `IngestError` for a file it cannot load.

Plain text is returned exactly as written (only line endings are normalised) because citations quote exact
spans of it. HTML drops scripts, chrome and hidden text (hidden text is a prompt-injection channel, see
SECURITY.md). DOCX keeps paragraphs and tables in document order. PDF text goes through `clean_pdf_text`.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from charset_normalizer import from_bytes
from docx.document import Document as DocxDocument
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from pypdf import PdfReader

from ingest.cleaning import clean_pdf_text
from ingest.errors import IngestError

__all__ = ["SUPPORTED_SUFFIXES", "LoadedFile", "decode_bytes", "iter_files", "load_file"]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
SIDECAR_SUFFIX = ".meta.json"

_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
_TO_DOCX = "; convert it to .docx first (e.g. libreoffice --headless --convert-to docx FILE)"
_CONVERT_HINTS = {".doc": _TO_DOCX, ".wps": _TO_DOCX, ".ofd": "; export it as PDF first"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# GB2312 and GBK pages routinely use characters outside their declared set; GB18030 is a superset of both.
_GB_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_MAX_CHAOS = 0.1  # charset-normalizer's mess ratio; above this its guess is noise

# <head> itself is not dropped: html.parser nests the whole body inside it when a page never closes it.
# fmt: off
_DROP_TAGS = ["script", "style", "noscript", "template", "title", "meta", "link", "base", "iframe", "object",
              "embed", "svg", "canvas", "nav", "button", "select", "textarea", "input"]
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "table", "thead", "tbody", "tfoot", "caption", "figure",
    "figcaption", "address", "center", "form", "fieldset", "legend", "hr", "td", "th",
})
# fmt: on
# Classes that mean "not shown" in every common CSS framework; the stylesheet itself is usually not at hand.
_HIDING_CLASSES = frozenset({"hidden", "hide", "d-none", "sr-only", "visually-hidden", "invisible"})
_CONTAINER_HINTS = ("article", "content", "main", "zoom", "trs_editor")
_NEAR_WHITE = 0xF0
_ZERO_FONT_SIZE = re.compile(
    r"(?<![\w-])font-size\s*:\s*(?:0+\.?0*|\.0+)(?:[a-z]+|%)?\s*(?:!important\s*)?(?:;|$)", re.I
)
_NONZERO_FONT_SIZE = re.compile(r"font-size\s*:\s*0*\.?0*[1-9]", re.IGNORECASE)


@dataclass
class LoadedFile:
    """What a loader extracts from a file: its text, its format name, and the hash of its raw bytes."""

    text: str
    format: str
    file_hash: str


def load_file(path: Path) -> LoadedFile:
    """Load a .txt, .md, .html, .htm, .docx or .pdf file as text.

    Raises IngestError for an unsupported suffix, an unreadable, empty, undecodable or corrupt file, an
    encrypted PDF, or a PDF without a text layer.
    """
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        supported = " ".join(SUPPORTED_SUFFIXES)
        raise IngestError(
            str(path), f"unsupported file type {suffix}; supported: {supported}{_CONVERT_HINTS.get(suffix, '')}"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise IngestError(str(path), "empty document")
    fmt = _FORMATS[suffix]
    if fmt in ("txt", "md"):
        text = _normalize_newlines(decode_bytes(data, path))
    elif fmt == "html":
        text = html_to_text(_decode_html(data, path))
    elif fmt == "docx":
        text = docx_to_text(data, path)
    else:
        text = _pdf_to_text(data, path)
    if not text.strip():
        raise IngestError(str(path), "empty document")
    return LoadedFile(text=text, format=fmt, file_hash=hashlib.sha256(data).hexdigest()[:16])


def iter_files(paths: list[Path]) -> Iterator[Path]:
    """Yield the files named in `paths`, expanding folders recursively in sorted order.

    Inside folders, hidden files and folders (".name"), Office lock files ("~$name") and `*.meta.json`
    sidecars are skipped; files of unsupported types are still yielded so that `load_file` can report them
    instead of their silently going missing. Each file is yielded once. Nothing is raised here.
    """
    seen: set[Path] = set()
    for given in paths:
        for path in _expand(given):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield path


def _expand(given: Path) -> Iterator[Path]:
    if not given.is_dir():
        if not given.name.endswith(SIDECAR_SUFFIX):
            yield given
        return
    for root, dirs, files in os.walk(given):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith((".", "~$")) and not name.endswith(SIDECAR_SUFFIX):
                yield Path(root) / name


def decode_bytes(data: bytes, path: Path) -> str:
    """Decode text bytes: UTF-8 (BOM or not), else GB18030/GBK if clean, else a confident charset-normalizer guess.

    Raises IngestError when none of them fits.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_clean(text):
            return text
    best = from_bytes(data).best()
    if best is not None and best.chaos <= _MAX_CHAOS and _looks_clean(str(best)):
        return str(best)
    raise IngestError(str(path), "cannot decode: not UTF-8 or GB18030/GBK; re-save the file as UTF-8")


def _looks_clean(text: str) -> bool:
    # Big5 or Latin-1 bytes often decode as GB18030 without error, but into private-use code points and
    # control characters; UTF-16 without a BOM decodes as UTF-8 full of NULs. A real GBK file may use a few
    # private-use characters for rare names, hence a ratio rather than zero.
    if _CONTROL.search(text):
        return False
    non_ascii = sum(1 for ch in text if ord(ch) > 0x7F)
    return len(_PRIVATE_USE.findall(text)) <= 0.01 * non_ascii


def _decode_html(data: bytes, path: Path) -> str:
    try:
        # Valid UTF-8 is UTF-8 whatever the page declares: copied templates often keep a stale gb2312 <meta>.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return codecs.decode(data, _GB_ALIASES.get(name, name))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration is common on old pages: fall back to detection
    return decode_bytes(data, path)


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pdf_to_text(data: bytes, path: Path) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            # Many PDFs carry only an owner password (an empty user password opens them); these do not.
            raise IngestError(str(path), "encrypted PDF needs a password; remove it first (e.g. qpdf --decrypt)")
        pages = [(page.extract_text() or "").strip("\n") for page in reader.pages]
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files; each means the same to the user
        raise IngestError(str(path), f"cannot read PDF, corrupt? ({type(exc).__name__}: {exc})") from exc
    if not any(page.strip() for page in pages):
        raise IngestError(str(path), "no text layer (scanned PDF?); run OCR first")
    return clean_pdf_text("\n".join(pages))


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
    return _squeeze_blank_lines(lines)


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


def _squeeze_blank_lines(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if line.strip() or (out and out[-1]):
            out.append(line if line.strip() else "")
    return "\n".join(out).strip("\n")


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one line per block element and per table row (cells joined by " | ").

    Drops scripts, styles, title and meta, comments and hidden elements (inline display:none, visibility:hidden,
    font-size:0, opacity:0, white text, the hidden and aria-hidden attributes, hiding classes, and simple
    `.class`/`#id` rules in <style> that hide), and keeps only the article container when one holds most text.
    """
    soup = BeautifulSoup(html, "html.parser")
    hidden_rules = [r for style in soup.find_all("style") for r in _hiding_selectors(style.get_text())]
    for node in soup.find_all(string=lambda s: isinstance(s, PreformattedString)):
        node.extract()  # comments, doctype, CDATA, processing instructions
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if not tag.decomposed and _is_hidden(tag, hidden_rules):
            tag.decompose()
    body = soup.body or soup
    root = _main_container(body)
    lines = _render_lines(root)
    if root is not body:
        lines[:0] = _title_outside(root)
    return _squeeze_blank_lines(lines)


def _is_hidden(tag: Tag, hidden_rules: list[tuple[str, str, str]]) -> bool:
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).strip().lower() == "true":
        return True
    classes = {c.lower() for c in _classes(tag)}
    style = str(tag.get("style", ""))
    if classes & _HIDING_CLASSES or _style_hides(style):
        return True
    if _ZERO_FONT_SIZE.search(style):
        # font-size:0 on a wrapper is a layout trick (no gaps between inline blocks) when the children set
        # their own size again; otherwise it hides the text.
        return tag.find(style=_NONZERO_FONT_SIZE) is None
    ident = str(tag.get("id", ""))
    return any(
        (not name or name == tag.name)
        and ((kind == "." and value.lower() in classes) or (kind == "#" and value == ident))
        for name, kind, value in hidden_rules
    )


def _style_hides(style: str) -> bool:
    for declaration in style.split(";"):
        prop, _, value = declaration.partition(":")
        prop = prop.strip().lower()
        value = value.lower().replace("!important", "").strip()
        if (
            (prop == "display" and value == "none")
            or (prop == "visibility" and value in ("hidden", "collapse"))
            or (prop == "opacity" and _number(value) is not None and (_number(value) or 0) < 0.1)
            or (prop == "color" and _is_near_white(value))
        ):
            return True
    return False


def _classes(tag: Tag) -> list[str]:
    return [str(c) for c in tag.get_attribute_list("class") if c]


def _number(value: str) -> float | None:
    match = re.fullmatch(r"(\d*\.?\d+)\s*(?:[a-z]+|%)?", value)
    return float(match.group(1)) if match else None


def _is_near_white(value: str) -> bool:
    value = value.replace(" ", "")
    if value == "white":
        return True
    if hex_match := re.fullmatch(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", value):
        digits = hex_match.group(1)
        channels = [d * 2 for d in digits[:3]] if len(digits) <= 4 else [digits[i : i + 2] for i in (0, 2, 4)]
        return all(int(c, 16) >= _NEAR_WHITE for c in channels)
    if rgb_match := re.fullmatch(r"rgba?\((\d+),(\d+),(\d+)(?:,[\d.]+)?\)", value):
        return all(int(c) >= _NEAR_WHITE for c in rgb_match.groups())
    return False


def _hiding_selectors(css: str) -> Iterator[tuple[str, str, str]]:
    # Only top-level rules: a rule inside @media applies to some screens or to print, not to what is read.
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    depth, rule_start, body_start, selector = 0, 0, 0, ""
    for brace in re.finditer(r"[{}]", css):
        if brace.group() == "{":
            if depth == 0:
                selector, body_start = css[rule_start : brace.start()], brace.end()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                rule_start = brace.end()
                if not selector.strip().startswith("@") and _style_hides(css[body_start : brace.start()]):
                    for part in selector.split(","):
                        if simple := re.fullmatch(r"([a-z][a-z0-9]*)?([.#])([\w-]+)", part.strip(), re.IGNORECASE):
                            yield (simple.group(1) or "").lower(), simple.group(2), simple.group(3)


def _main_container(body: Tag) -> Tag:
    total = _visible_len(body)
    candidates = [
        tag
        for tag in body.find_all(["article", "div", "section", "td"])
        if tag.name == "article"
        or any(hint in " ".join([str(tag.get("id", "")), *_classes(tag)]).lower() for hint in _CONTAINER_HINTS)
    ]
    # An article container holds most of the text; a page-wide wrapper (id="main" around everything) holds all of
    # it, chrome included, so the largest container below the whole page wins.
    sizes = [(size, tag) for tag in candidates if 0.5 * total <= (size := _visible_len(tag)) < 0.95 * total]
    return max(sizes, key=lambda pair: pair[0])[1] if sizes else body


def _title_outside(root: Tag) -> list[str]:
    # Gov sites put the <h1> title just above the article div; a site logo <h1> sits at page level, higher up.
    if root.find("h1") is not None:
        return []
    for ancestor in list(root.parents)[:2]:
        if ancestor.name in ("body", "html", "[document]"):
            break
        title = ancestor.find("h1")
        if title is not None and root not in title.parents:
            return [title.get_text(" ", strip=True)]
    return []


def _visible_len(tag: Tag) -> int:
    return len(re.sub(r"\s+", "", tag.get_text()))


def _render_lines(root: Tag) -> list[str]:
    lines: list[str] = []
    current: list[str] = []

    def flush(keep_empty: bool) -> None:
        line = re.sub(r"[ \t\r\n\f\xa0]+", " ", "".join(current)).strip()
        if line or keep_empty:
            lines.append(line)
        current.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                current.append(str(child))
            elif not isinstance(child, Tag):
                continue
            elif child.name == "br":
                flush(keep_empty=True)
            elif child.name == "tr":
                flush(keep_empty=False)
                cells = [" ".join(_render_lines(cell)) for cell in child.find_all(["td", "th"], recursive=False)]
                if any(cells):
                    lines.append(" | ".join(cells).strip())
            elif child.name == "pre":
                flush(keep_empty=False)
                lines.extend(child.get_text().split("\n"))
            elif child.name in _BLOCK_TAGS:
                flush(keep_empty=False)
                walk(child)
                flush(keep_empty=False)
            else:
                walk(child)

    walk(root)
    flush(keep_empty=False)
    return lines
