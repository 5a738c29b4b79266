"""Drafting wired to the assistant: which document, the drafter with its settings, the store, publishing.

Publishing writes the approved version as a public Markdown file, ingests it as a 政策解读 (its header names the
policy it interprets, and the draft row records both documents' ids), and from then on its 常见问答 answer
matching citizen questions through `FaqFastPath`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.errors import IngestError
from ingest.loaders import load_file
from ingest.metadata import extract_metadata, load_sidecar
from retriever.types import PolicyDocument
from service.db import Database
from service.drafting.clauses import segment
from service.drafting.docx_export import to_docx
from service.drafting.drafter import Drafter, draft_texts
from service.drafting.faq import service_db
from service.drafting.glossary import Glossary
from service.drafting.markdown import parse_markdown, to_markdown
from service.drafting.model import Draft
from service.drafting.readability import ReadabilityTargets, measure
from service.drafting.store import DraftRecord, DraftStore
from service.drafting.verify import GeneratorRewriter, Rewriter, verify_point
from service.errors import ProviderError, UserInputError
from service.settings import Settings

if TYPE_CHECKING:
    from service.assistant import Assistant

MAX_TEXT_CHARS = 200_000


def document_from_file(path: Path) -> PolicyDocument:
    """A file loaded and described as ingestion would, without touching the index. Raises UserInputError."""
    try:
        loaded = load_file(path)
        meta = extract_metadata(loaded.text, path.name).merged(load_sidecar(path))
    except (IngestError, ValueError) as exc:
        raise UserInputError(f"cannot read {path}: {exc}") from exc
    meta.title = meta.title or path.stem
    return PolicyDocument(source=path.name, text=loaded.text, meta=meta, path=str(path), format=loaded.format)


class DraftingService:
    """Interpretations of policy documents: draft, revise, review, publish, export."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None, db: Database | None = None,
                 drafter: Drafter | None = None) -> None:
        self.settings = settings
        self._assistant = assistant
        self.store = DraftStore(db or service_db(settings))
        self.glossary = drafter.glossary if drafter else Glossary.load(settings.drafting_glossary)
        self.targets = drafter.targets if drafter else ReadabilityTargets(
            settings.drafting_max_avg_sentence, settings.drafting_long_sentence, settings.drafting_max_long_share)
        self._drafter = drafter

    @property
    def assistant(self) -> Assistant:
        if self._assistant is None:
            from service.assistant import Assistant  # heavy: the embedder and the index load here

            self._assistant = Assistant(self.settings)
        return self._assistant

    @property
    def drafter(self) -> Drafter:
        if self._drafter is None:
            self._drafter = Drafter(self.glossary, self._rewriter(), self.targets)
        return self._drafter

    def _rewriter(self) -> Rewriter | None:
        if not self.settings.drafting_llm or self.settings.generator == "extractive":
            return None
        generator = getattr(self._assistant, "generator", None)
        if generator is None:
            from service.generation import build_generator

            generator = build_generator(self.settings)
        if generator is None:
            return None
        return GeneratorRewriter(generator, timeout=self.settings.llm_timeout, retries=self.settings.llm_retries)

    # --- drafting ---

    def document(self, ref: str = "", text: str = "", title: str = "", files: bool = True
                 ) -> tuple[PolicyDocument, str]:
        """(document, its doc_id in the index or "") for pasted text, a file path (when `files`), or an indexed
        document. Raises UserInputError when there is no such document."""
        if text:
            if len(text) > MAX_TEXT_CHARS:
                raise UserInputError(f"the text has {len(text)} characters; at most {MAX_TEXT_CHARS} are accepted")
            source = f"{title or 'pasted'}.txt"
            meta = extract_metadata(text, source)
            meta.title = title or meta.title or "未命名文件"
            return PolicyDocument(source=source, text=text, meta=meta), ""
        if not ref:
            raise UserInputError("say which document to interpret: a file path, an indexed document, or the text")
        path = Path(ref)
        if files and path.is_file():
            return document_from_file(path), ""
        record = self.assistant.find_document(ref)
        body = self.assistant.index.registry.document_text(record.doc_id)
        return PolicyDocument(record.source, body, record.meta, record.kb, record.path, record.file_hash,
                              record.format), record.doc_id

    def interpret(self, ref: str = "", text: str = "", title: str = "", save: bool = False, author: str = "system",
                  files: bool = True) -> tuple[Draft, DraftRecord | None]:
        """A draft of the document; stored as version 1 of a new 草稿 when `save`. `files=False` (over HTTP)
        refuses server-side paths."""
        doc, doc_id = self.document(ref, text, title, files)
        draft = self.drafter.run(doc)
        if not draft.sections:
            raise UserInputError(f"{doc.source} has no clauses a 政策解读 could be drafted from (is it a policy text?)")
        record = self.store.create(draft, doc.text, author, doc_id) if save else None
        return draft, record

    def assess(self, draft: Draft, policy_text: str) -> Draft:
        """Re-verifies every point against the policy and recomputes the readability report (after an edit)."""
        for _, point in draft.points():
            verify_point(point, policy_text)
        passages = [p.text for c in segment(policy_text, draft.title) for p in c.passages]
        draft.readability = {
            "source": measure(passages, self.glossary, self.targets).to_dict(),
            "draft": measure(draft_texts(draft), self.glossary, self.targets).to_dict(),
            "targets": vars(self.targets).copy(),
        }
        return draft

    # --- workflow ---

    def edited(self, draft_id: int, markdown: str) -> Draft:
        """The current version with a reviewer's Markdown applied, verified against the stored policy text."""
        base = self.store.version(draft_id).draft
        policy_text = self.store.policy_text(draft_id)
        return self.assess(parse_markdown(markdown, base, policy_text), policy_text)

    def revise(self, draft_id: int, markdown: str, author: str, note: str = "") -> DraftRecord:
        return self.store.revise(draft_id, self.edited(draft_id, markdown), author, note)

    def review(self, draft_id: int, reviewer: str, markdown: str | None = None, note: str = "") -> DraftRecord:
        """Approve the draft (with the reviewer's edits as a new version when `markdown` is given)."""
        edited = self.edited(draft_id, markdown) if markdown is not None else None
        return self.store.approve(draft_id, reviewer, edited, note)

    def publish(self, draft_id: int, publisher: str) -> DraftRecord:
        """Ingest the approved version as a 政策解读 and mark it published. Raises WorkflowError if not approved."""
        record = self.store.check_publishable(draft_id)
        draft = self.store.version(draft_id, record.version).draft
        kb = self.settings.kb
        if record.policy_doc_id and (policy := self.assistant.index.registry.get(record.policy_doc_id)):
            kb = policy.kb
        folder = Path(self.settings.data_dir) / "interpretations" / re.sub(r"[^\w-]", "_", kb)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{Path(draft.doc).stem}_jiedu.md"
        path.write_text(to_markdown(draft, public=True), encoding="utf-8")
        overrides = {"doc_type": "政策解读", "title": draft.heading, "agency": draft.agency,
                     "issued": date.today().isoformat()}
        result = self.assistant.ingestor.ingest_file(path, kb, overrides)
        if not result.ok:
            raise ProviderError(f"publishing draft {draft_id}: ingesting {path} failed: {result.reason}")
        return self.store.mark_published(draft_id, publisher, result.doc_id, path.name)

    # --- reading ---

    def show(self, draft_id: int, version: int | None = None) -> dict[str, Any]:
        record = self.store.get(draft_id)
        v = self.store.version(draft_id, version)
        return {"draft": record.to_dict(), "version": v.version, "author": v.author, "note": v.note,
                "content": v.draft.to_dict(), "markdown": v.markdown, "versions": self.store.versions(draft_id),
                "events": self.store.events(draft_id)}

    def export(self, draft_id: int, fmt: str = "md", version: int | None = None, public: bool = False) -> bytes:
        """The version as Markdown or DOCX bytes (citations as footnotes). Raises UserInputError for another format."""
        v = self.store.version(draft_id, version)
        if fmt == "md":
            status = self.store.get(draft_id).status
            return to_markdown(v.draft, public=public, status="" if public else status, version=v.version).encode()
        if fmt == "docx":
            return to_docx(v.draft, public=public)
        raise UserInputError(f"unknown export format {fmt!r}; use md or docx")
