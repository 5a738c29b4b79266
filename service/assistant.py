"""The composition root: settings in, a working assistant out (index, ingestor, answerer)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.pipeline import FileResult, Ingestor
from retriever.embedders import make_embedder
from retriever.index import PolicyIndex
from retriever.types import DocumentRecord, Hit, SearchFilters
from service.answers import Answer
from service.errors import ProviderError, UserInputError
from service.extractive import ExtractiveAnswerer
from service.settings import Settings

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions from the indexed documents, with citations, or refuses."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        try:
            embedder = make_embedder(settings.embedder)
        except (ImportError, ValueError) as exc:
            raise ProviderError(f"embedder {settings.embedder!r}: {exc}") from exc
        try:
            self.index = PolicyIndex(
                settings.data_dir, embedder, chroma_url=settings.chroma_url, embedding_cache=settings.embedding_cache
            )
        except Exception as exc:  # Chroma raises many types; the user needs to know which store failed
            where = settings.chroma_url or settings.data_dir
            raise ProviderError(f"cannot open the index at {where}: {exc}") from exc
        self.ingestor = Ingestor(self.index)
        self.answerer = ExtractiveAnswerer(threshold=settings.refusal_threshold)
        # Fast paths answer before the general answerer when they can (FAQ matches, table cells);
        # each returns an Answer or None. Observers see every answer (audit log, metrics).
        self.fast_paths: list[Callable[[str, list[Hit]], Answer | None]] = []
        self.observers: list[Callable[[Answer], None]] = []

    # --- documents ---

    def ingest(self, paths: list[Path], kb: str | None = None, overrides: dict[str, Any] | None = None) -> list[FileResult]:
        return self.ingestor.ingest(paths, kb or self.settings.kb, overrides)

    def documents(self) -> list[DocumentRecord]:
        return self.index.registry.documents()

    def find_document(self, ref: str) -> DocumentRecord:
        """A document by id or source file name; raises UserInputError when none or several match."""
        found = self.index.registry.find(ref)
        if not found:
            raise UserInputError(f"no document {ref!r}; `policy-assistant docs list` shows what is indexed")
        if len(found) > 1:
            raise UserInputError(f"{ref!r} is in several knowledge bases; use its doc_id: {[d.doc_id for d in found]}")
        return found[0]

    def remove(self, ref: str) -> DocumentRecord:
        record = self.find_document(ref)
        self.index.remove(record.doc_id)
        return record

    # --- questions ---

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[Hit]:
        self._check_question(query)
        return self.index.search(query, k or self.settings.top_k, filters)

    def ask(self, question: str, filters: SearchFilters | None = None, legs: str = "hybrid") -> Answer:
        question = question.strip()
        self._check_question(question)
        started = time.perf_counter()
        hits = self.index.search(question, self.settings.top_k, filters, legs=legs)
        searched = time.perf_counter()
        answer = next((a for a in (path(question, hits) for path in self.fast_paths) if a is not None), None)
        if answer is None:
            answer = self.answerer.run(question, hits)
        answer.timings = {"search": searched - started, "answer": time.perf_counter() - searched}
        answer.timings["total"] = time.perf_counter() - started
        for observe in self.observers:
            observe(answer)
        return answer

    def _check_question(self, question: str) -> None:
        if not question.strip():
            raise UserInputError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise UserInputError(
                f"the question has {len(question)} characters; at most {self.settings.max_question_chars} are accepted"
            )
