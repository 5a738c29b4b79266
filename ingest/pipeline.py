"""Files in, documents out: load, read the metadata, chunk, and hand to the index. One bad file never stops a batch."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.chunking import Chunker
from ingest.errors import IngestError
from ingest.loaders import iter_files, load_file
from ingest.metadata import extract_metadata, load_sidecar
from retriever.index import PolicyIndex
from retriever.types import PolicyDocument

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    source: str
    status: str  # added | replaced | unchanged | meta_updated | failed
    reason: str = ""
    doc_id: str = ""
    title: str = ""
    doc_type: str = ""
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


class Ingestor:
    """Loads files into a `PolicyIndex`. `overrides` (metadata fields) apply to every file of a call."""

    def __init__(self, index: PolicyIndex, chunker: Chunker | None = None) -> None:
        self.index = index
        self.chunker = chunker or Chunker()
        # Called with each prepared document before it is indexed (e.g. to carry over a status computed elsewhere).
        self.prepare_hooks: list[Callable[[PolicyDocument], None]] = []

    def prepare(self, path: Path, kb: str = "default", overrides: dict[str, Any] | None = None) -> PolicyDocument:
        """Load and describe one file without touching the index. Raises IngestError for an unusable file."""
        loaded = load_file(path)
        meta = extract_metadata(loaded.text, path.name)
        try:
            meta = meta.merged(load_sidecar(path)).merged(overrides or {})
        except ValueError as exc:
            raise IngestError(str(path), f"bad metadata: {exc}") from exc
        if not meta.title:
            meta.title = path.stem
        return PolicyDocument(
            source=path.name, text=loaded.text, meta=meta, kb=kb, path=str(path), file_hash=loaded.file_hash,
            format=loaded.format,
        )

    def ingest_file(self, path: Path, kb: str = "default", overrides: dict[str, Any] | None = None) -> FileResult:
        started = time.perf_counter()
        try:
            doc = self.prepare(path, kb, overrides)
            for hook in self.prepare_hooks:
                hook(doc)
            chunks = self.chunker.run(doc.doc_id, doc.text, doc.meta.title)
            if not chunks:
                raise IngestError(str(path), "no text to index after cleaning")
            outcome = self.index.add(doc, chunks)
        except IngestError as exc:
            log.warning("ingest failed", extra={"path": str(path), "reason": exc.reason})
            return FileResult(str(path), path.name, "failed", exc.reason, seconds=time.perf_counter() - started)
        return FileResult(
            str(path), path.name, outcome.status, doc_id=doc.doc_id, title=doc.meta.title, doc_type=doc.meta.doc_type,
            chunks=len(chunks), embedded=outcome.embedded, seconds=time.perf_counter() - started,
        )

    def ingest(
        self, paths: Iterable[Path], kb: str = "default", overrides: dict[str, Any] | None = None
    ) -> list[FileResult]:
        """Ingest files and folders (recursively). Returns one result per file, failures included."""
        results = []
        for path in iter_files(list(paths)):
            results.append(self.ingest_file(path, kb, overrides))
        return results
