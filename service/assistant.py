"""The composition root: settings in, a working assistant out (index, ingestor, answerer)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from ingest.pipeline import FileResult, Ingestor
from retriever.embedders import make_embedder
from retriever.index import PolicyIndex
from retriever.types import DocumentRecord, Hit, SearchFilters
from service.answers import Answer
from service.db import Database
from service.drafting.faq import install_faq_fast_path
from service.errors import ProviderError, UserInputError
from service.extractive import ExtractiveAnswerer
from service.generation import build_answerer, build_generator, build_rewriter
from service.generation.conversation import ConversationStore
from service.generation.grounded import Event, final_answer
from service.report_tables import ReportTables
from service.settings import Settings
from service.status import StatusKeeper
from service.status_questions import StatusAnswerer
from service.table_answers import TableAnswerer

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
        self.answerer = ExtractiveAnswerer(
            threshold=settings.refusal_threshold, doc_text=self.index.registry.document_text
        )
        # A language model, when the `generator` setting names one, writes the answer from the same hits; `writer`
        # verifies its citations and falls back to `answerer` (issue #3). Follow-ups are rewritten by `rewriter`.
        self.generator = build_generator(settings)
        self.writer = build_answerer(settings, self.answerer, self.generator)
        self.rewriter = build_rewriter(settings, self.generator)
        # Fast paths answer before the general answerer when they can (FAQ matches, table cells);
        # each returns an Answer or None. Observers see every answer (audit log, metrics).
        self.fast_paths: list[Callable[[str, list[Hit]], Answer | None]] = []
        self.observers: list[Callable[[Answer], None]] = []
        # `filter_hooks` may narrow the search filters from the question (the date it asks about); `answer_hooks` may
        # add to an answer before observers see it (a warning that a cited document has lapsed).
        self.filter_hooks: list[Callable[[str, SearchFilters | None], SearchFilters | None]] = []
        self.answer_hooks: list[Callable[[Answer], Answer]] = []
        # Validity and report tables (issue #8): statuses derived from the relations graph are written to each
        # document's meta.validity; numeric questions about 年度报告 are answered from the parsed table cells.
        self.status = StatusKeeper(self.index)
        self.report_tables = ReportTables(self.index)
        self.ingestor.prepare_hooks.append(self.status.before_index)
        self.filter_hooks.append(self.status.filters_for)
        self.answer_hooks.append(self.status.annotate)
        self.fast_paths += [StatusAnswerer(self.status), TableAnswerer(self.report_tables)]
        install_faq_fast_path(self)  # published 政策解读 answer their own 常见问答 directly (issue #6)

    # --- documents ---

    def ingest(self, paths: list[Path], kb: str | None = None, overrides: dict[str, Any] | None = None) -> list[FileResult]:
        results = self.ingestor.ingest(paths, kb or self.settings.kb, overrides)
        self.status.sync()  # a new document may repeal, amend or be repealed by others
        self.report_tables.sync()
        return results

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
        self.status.sync()
        return record

    # --- questions ---

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[Hit]:
        """The hits `ask` would answer from: filters narrowed by the question as `ask` does (the date it asks
        about selects the documents in force on that date)."""
        self._check_question(query)
        return self.index.search(query, k or self.settings.top_k, self._narrowed(query, filters))

    def answer_from_hits(self, question: str, hits: list[Hit]) -> Answer:
        """What `ask` does once it has hits, for callers that bring their own (evaluation configurations, a suite's
        given passages): the fast paths, else the answer writer; then the answer hooks. Observers are not told."""
        answer = self._fast_answer(question, hits)
        if answer is None:
            answer = self.writer.run(question, hits)
        for finish in self.answer_hooks:
            answer = finish(answer)
        return answer

    @cached_property
    def conversations(self) -> ConversationStore:
        db = Database(self.settings.data_dir / "service.sqlite3")
        return ConversationStore(db, self.settings.history_turns, self.settings.history_chars)

    def ask(
        self, question: str, filters: SearchFilters | None = None, legs: str = "hybrid",
        conversation_id: str | None = None,
    ) -> Answer:
        """The answer, cited sentence by sentence, or a refusal. With `conversation_id`, a follow-up question is
        rewritten from the conversation's history before retrieval. Raises UserInputError on a bad question or id."""
        return final_answer(self._answer_events(question, filters, legs, conversation_id))

    def ask_stream(
        self, question: str, conversation_id: str | None = None, filters: SearchFilters | None = None
    ) -> Iterator[dict[str, Any]]:
        """`{"type": "token", "text": ...}` events as the model writes (unverified), then one
        `{"type": "answer", "answer": Answer.to_dict()}` with the verified answer, which replaces the streamed text.
        The question and conversation id are checked (UserInputError) before this returns."""
        events = self._answer_events(question, filters, "hybrid", conversation_id)
        return ({"type": "token", "text": v} if k == "token" else {"type": "answer", "answer": v.to_dict()}
                for k, v in events)

    def _answer_events(
        self, question: str, filters: SearchFilters | None, legs: str, conversation_id: str | None
    ) -> Iterator[Event]:
        question = question.strip()
        self._check_question(question)
        if conversation_id is not None:
            ConversationStore.check_id(conversation_id)
        return self._answer_stream(question, filters, legs, conversation_id)

    def _answer_stream(
        self, question: str, filters: SearchFilters | None, legs: str, conversation_id: str | None
    ) -> Iterator[Event]:
        started = time.perf_counter()
        query = question
        if conversation_id is not None:
            query = self.rewriter.rewrite(question, self.conversations.history(conversation_id))
        hits = self.index.search(query, self.settings.top_k, self._narrowed(query, filters), legs=legs)
        searched = time.perf_counter()
        answer = self._fast_answer(query, hits)
        if answer is None:
            for kind, value in self.writer.stream(query, hits):
                if kind == "token":
                    yield kind, value
                else:
                    answer = value
        else:
            yield "token", answer.answer
        assert answer is not None
        answer.question = question
        answer.rewritten_query = query if query != question else ""
        answer.conversation_id = conversation_id or ""
        answer.timings.update(search=searched - started, answer=time.perf_counter() - searched)
        answer.timings["total"] = time.perf_counter() - started
        if conversation_id is not None:
            self.conversations.record(conversation_id, question, query, answer.answer)
        for finish in self.answer_hooks:
            answer = finish(answer)
        for observe in self.observers:
            observe(answer)
        yield "answer", answer

    def _narrowed(self, query: str, filters: SearchFilters | None) -> SearchFilters | None:
        for narrow in self.filter_hooks:
            filters = narrow(query, filters)
        return filters

    def _fast_answer(self, question: str, hits: list[Hit]) -> Answer | None:
        return next((a for a in (path(question, hits) for path in self.fast_paths) if a is not None), None)

    def _check_question(self, question: str) -> None:
        if not question.strip():
            raise UserInputError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise UserInputError(
                f"the question has {len(question)} characters; at most {self.settings.max_question_chars} are accepted"
            )
