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

from charset_normalizer import from_bytes
from pypdf import PdfReader

from ingest.cleaning import clean_pdf_text
from ingest.docx_text import docx_to_text
from ingest.errors import IngestError
from ingest.html_text import html_to_text

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
