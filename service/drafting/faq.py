"""The 常见问答 of published interpretations as a fast path: a matching citizen question is answered directly.

A citizen's question matches a stored one when it asks the same kind of thing (materials, time limit, standard...),
names the same subject (低保 / 最低生活保障) and retrieval found the policy or its interpretation among the hits,
so search filters (knowledge base, document type, validity) still apply. The answer carries the citations of
the published 常见问答: the policy's own clauses, with their exact spans.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retriever.index import PolicyIndex
from retriever.lexical import SynonymExpander
from retriever.types import DocumentRecord, Hit
from service.answers import Answer, Citation, Sentence
from service.db import Database
from service.drafting.glossary import Glossary
from service.drafting.model import FAQ, Draft, DraftCitation
from service.drafting.rules import INTENT_BY_NAME, INTENTS
from service.drafting.store import DraftRecord, DraftStore
from service.settings import Settings

if TYPE_CHECKING:
    from service.assistant import Assistant

_NOISE = re.compile(r"[\s，。？！?!、：:；;“”\"'（）()]|请问|我想|我家|我们|一下|吗|呢|吧|啊")


@dataclass
class FaqEntry:
    question: str
    intent: str
    topics: frozenset[str]
    answer: str
    citations: list[DraftCitation]
    draft: Draft
    doc_ids: frozenset[str]  # the policy's and the interpretation's ids in the index


def intents_of(question: str) -> set[str]:
    """The kinds of question `question` asks, by the citizen wording of each intent."""
    return {i.name for i in INTENTS if i.asked.search(question)}


def _bigrams(text: str) -> set[str]:
    core = _NOISE.sub("", text)
    return {core[i : i + 2] for i in range(len(core) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two questions, function words removed."""
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


class FaqFastPath:
    """`Assistant.fast_paths` member: (question, hits) -> Answer or None. Reloads when a draft changes."""

    def __init__(self, store: DraftStore, index: PolicyIndex | None = None, threshold: float = 0.85,
                 glossary: Glossary | None = None, require_hit: bool = True) -> None:
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        self.store, self.index, self.threshold, self.require_hit = store, index, threshold, require_hit
        self.glossary = glossary or Glossary.load()
        self.synonyms = SynonymExpander()
        self._entries: list[FaqEntry] = []
        self._key: int | None = None
        self._lock = threading.Lock()

    def entries(self) -> list[FaqEntry]:
        with self._lock:
            key = self.store.changed_key()
            if key != self._key:
                self._entries = [e for record, draft in self.store.published() for e in self._load(record, draft)]
                self._key = key
            return self._entries

    def _load(self, record: DraftRecord, draft: Draft) -> list[FaqEntry]:
        section = draft.section(FAQ)
        if section is None:
            return []
        topics = {draft.topic} | {e.term for e in self.glossary.entries.values() if e.plain == draft.topic}
        topics |= set(self.synonyms.expand(draft.topic))
        ids = frozenset(x for x in (record.policy_doc_id, record.published_doc_id) if x)
        out = []
        for p in section.points:
            intent = p.intent if p.intent in INTENT_BY_NAME else next(iter(sorted(intents_of(p.question))), "")
            if intent and p.citations:
                out.append(FaqEntry(p.question, intent, frozenset(t for t in topics if t), p.text, p.citations, draft,
                                    ids))
        return out

    def score(self, question: str, entry: FaqEntry, asked: set[str] | None = None) -> float:
        """0.6 for asking the same kind of thing, 0.3 for naming the subject, 0.1 x wording similarity; a near
        copy of the stored question scores its similarity."""
        asked = intents_of(question) if asked is None else asked
        sim = similarity(question, entry.question)
        score = 0.6 * (entry.intent in asked) + 0.3 * any(t in question for t in entry.topics)
        return max(score + 0.1 * sim, sim)

    def __call__(self, question: str, hits: list[Hit]) -> Answer | None:
        found = {h.document.doc_id for h in hits} | {h.document.source for h in hits}
        asked = intents_of(question)
        best: tuple[float, FaqEntry] | None = None
        for entry in self.entries():
            if self.require_hit and not (entry.doc_ids | {entry.draft.doc}) & found:
                continue
            s = self.score(question, entry, asked)
            if s >= self.threshold and (best is None or s > best[0]):
                best = (s, entry)
        if best is None:
            return None
        return self._answer(question, best[1], hits, best[0])

    def _answer(self, question: str, entry: FaqEntry, hits: list[Hit], score: float) -> Answer | None:
        draft = entry.draft
        record = self._policy_record(draft.doc)
        if record is not None and not record.meta.in_force_on():
            return None  # the policy lapsed after the interpretation was published: let the general path answer
        citations = [
            Citation(n=n, doc=c.doc, title=draft.title, doc_number=draft.doc_number, issued=draft.issued,
                     validity=record.meta.validity if record else "未知", heading=c.heading, quote=c.quote,
                     start=c.start, end=c.end, chunk_id=self._chunk_id(record.doc_id if record else "", c))
            for n, c in enumerate(entry.citations, start=1)
        ]
        body = "".join(entry.answer.split("\n")).rstrip("。；;，, ")
        marks = "".join(f"[{c.n}]" for c in citations)
        text = f"{body}{marks}。"
        lead = f"根据{draft.heading}（常见问答“{entry.question}”）："
        sentences = [Sentence(text, [c.n for c in citations])]
        return Answer(question, lead + text, False, sentences, citations, hits, generator="faq", evidence_score=score)

    def _policy_record(self, source: str) -> DocumentRecord | None:
        if self.index is None:
            return None
        found = self.index.registry.find(source)
        return found[0] if found else None

    def _chunk_id(self, doc_id: str, c: DraftCitation) -> str:
        if self.index is None or not doc_id:
            return ""
        chunk = next((k for k in self.index.registry.chunks(doc_id) if k.start <= c.start < k.end), None)
        return chunk.chunk_id if chunk else ""


def service_db(settings: Settings) -> Database:
    """The service's own database, where drafts live next to the audit log and conversations."""
    return Database(Path(settings.data_dir) / "service.sqlite3")


def install_faq_fast_path(assistant: Assistant) -> FaqFastPath:
    """Registers the published 常见问答 in `assistant.fast_paths` and returns the fast path."""
    settings = assistant.settings
    path = FaqFastPath(DraftStore(service_db(settings)), assistant.index, threshold=settings.faq_threshold,
                       glossary=Glossary.load(settings.drafting_glossary))
    assistant.fast_paths.append(path)
    return path
