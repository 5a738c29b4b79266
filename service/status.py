"""Keep every document's status current: read what documents state, resolve the graph, write statuses to the index.

Retrieval filters on `meta.validity` and the dates, so the computed status of today is written into each
document's metadata whenever it changes (after an ingest, a removal, a staff override, or a new day). Questions
about another date ("2019年的时候……") are answered from the documents in force on that date instead.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from typing import Any

from ingest.validity import extract_validity
from retriever.index import PolicyIndex
from retriever.relations import RelationStore, StoredRelation
from retriever.types import DocumentRecord, PolicyDocument, SearchFilters
from service.answers import Answer, Sentence
from service.errors import UserInputError
from service.status_graph import TERMINAL, USABLE, Graph, Status, describe
from service.status_questions import asked_date, cn_date

log = logging.getLogger(__name__)
STATUSES = ("现行有效", "尚未施行", "已失效", "已废止", "已修改")


class StatusKeeper:
    """Derives document statuses from the relations graph and keeps `meta.validity` in step with them."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self.store = RelationStore(index.registry)
        self._synced: tuple[Any, ...] | None = None
        self._graph: Graph | None = None

    # --- ingest hooks ---

    def before_index(self, doc: PolicyDocument) -> None:
        """Called with each prepared document before it is indexed: remember the validity it states, fill a 施行
        date the metadata reader missed, and carry over the status already computed, so that re-ingesting an
        unchanged file leaves it unchanged."""
        self.store.set_stated(doc.doc_id, doc.meta.validity)
        if not doc.meta.effective:
            doc.meta.effective = extract_validity(doc.text, doc.meta).effective
        known = self.store.fact(doc.doc_id)
        if known and known.status:
            doc.meta.validity = known.status

    def sync(self, force: bool = False) -> dict[str, tuple[str, str]]:
        """Read new or changed documents, recompute every status, write the changed ones to the index.

        Cheap when nothing changed since the last call on the same day. Returns {doc_id: (old, new)}."""
        records = self.index.registry.documents()
        fingerprint = _fingerprint(records)
        if not force and fingerprint == self._synced:
            return {}
        facts = self.store.facts()
        self.store.forget([d for d in facts if d not in {r.doc_id for r in records}])
        for rec in records:
            known = facts.get(rec.doc_id)
            if known is None or known.text_hash != rec.text_hash:
                if known is None:
                    self.store.set_stated(rec.doc_id, rec.meta.validity)
                found = extract_validity(self.index.registry.document_text(rec.doc_id), rec.meta)
                self.store.put_facts(rec.doc_id, rec.text_hash, found.effective, found.expires, [
                    StoredRelation(rec.doc_id, r.kind, r.target_title, r.target_number, r.start, r.end, r.effective,
                                   r.subject_title, r.subject_number, r.note) for r in found.relations])
        self._adopt_direct_edits(records)
        graph = self.graph(refresh=True)
        changes: dict[str, tuple[str, str]] = {}
        today = date.today()
        for rec in records:
            now = graph.status_on(rec.doc_id, today)
            stored = graph.facts[rec.doc_id].status if rec.doc_id in graph.facts else ""
            if now.status != rec.meta.validity or now.status != stored:
                self.store.record_status(rec.doc_id, stored or rec.meta.validity, now.status, now.reason)
                if now.status != rec.meta.validity:
                    self.index.set_validity(rec.doc_id, now.status)
                    changes[rec.doc_id] = (rec.meta.validity, now.status)
        if changes:
            log.info("statuses updated", extra={"documents": len(changes)})
            self._graph = None
        self._synced = _fingerprint(self.index.registry.documents())
        return changes

    def _adopt_direct_edits(self, records: list[DocumentRecord]) -> None:
        """A validity someone wrote straight into the index (`PolicyIndex.set_validity`, the console's PATCH) is a
        staff decision: keep it as an override instead of overwriting it with the derived status."""
        facts, overrides = self.store.facts(), self.store.overrides()
        for rec in records:
            known = facts.get(rec.doc_id)
            if known and known.status and rec.meta.validity != known.status and rec.doc_id not in overrides \
                    and rec.meta.validity in STATUSES:
                self.store.set_override(rec.doc_id, rec.meta.validity, "直接修改了文件的有效性", "index")

    def graph(self, refresh: bool = False) -> Graph:
        if refresh or self._graph is None:
            records = {r.doc_id: r for r in self.index.registry.documents()}
            self._graph = Graph(records, self.store.facts(), self.store.relations(), self.store.overrides())
        return self._graph

    # --- staff ---

    def override(self, doc_id: str, status: str, note: str = "", by: str = "staff") -> Status:
        """Set a document's status by hand (it wins over everything derived); raises UserInputError for a bad value."""
        if status not in STATUSES:
            raise UserInputError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        self.store.set_override(doc_id, status, note, by)
        self.sync(force=True)
        return self.graph().status_on(doc_id, date.today())

    def clear_override(self, doc_id: str) -> bool:
        cleared = self.store.clear_override(doc_id)
        self.sync(force=True)
        return cleared

    # --- reading ---

    def details(self, doc_id: str) -> dict[str, Any]:
        """Status today (and why), relations both ways, the status over time, and the log of recomputed statuses."""
        self.sync()
        graph = self.graph()
        now = graph.status_on(doc_id, date.today())
        override = graph.overrides.get(doc_id)
        outgoing = [
            {"kind": r.kind, "target_title": r.target_title, "target_number": r.target_number,
             "resolved": [t.source for t in graph.resolve(r.target_title, r.target_number, exclude=doc_id)],
             "effective": r.effective or graph.start_of(doc_id), "quote": self._quote(doc_id, r.start, r.end)}
            for r in graph.relations if r.doc_id == doc_id
        ]
        incoming = [
            {"kind": e.relation.kind, "by": e.stated_by.source, "by_title": e.stated_by.meta.title,
             "by_number": e.stated_by.meta.doc_number, "effective": e.day, "reason": describe(e),
             "quote": self._quote(e.stated_by.doc_id, e.relation.start, e.relation.end)}
            for e in graph.events.get(doc_id, [])
        ]
        return {
            "status": {"today": now.status, "since": now.since, "reason": now.reason,
                       "override": None if override is None else vars(override)},
            "relations": {"outgoing": outgoing, "incoming": incoming},
            "status_timeline": graph.timeline(doc_id),
            "status_log": self.store.log(doc_id),
        }

    def _quote(self, doc_id: str, start: int, end: int) -> str:
        return self.index.registry.document_text(doc_id)[start:end] if end > start else ""

    # --- question hooks ---

    def filters_for(self, question: str, filters: SearchFilters | None) -> SearchFilters | None:
        """Restrict retrieval to the documents in force on the date a question asks about, when it names one."""
        self.sync()
        if filters is not None and not filters.in_force_only:
            return filters  # the caller asked for lapsed documents too
        day = asked_date(question)
        if day is None or day == date.today():
            return filters
        graph = self.graph()
        # A guide or an interpretation written after the day does not describe the rules of that day; a report
        # always comes out after the year it covers.
        usable = sorted({r.source for r in graph.records.values()
                         if graph.status_on(r.doc_id, day).status in USABLE
                         and (r.meta.doc_type == "年度报告" or not r.meta.issued or r.meta.issued <= day.isoformat())})
        base = filters or SearchFilters()
        if base.sources:
            usable = [s for s in usable if s in base.sources]
        return replace(base, in_force_only=False, on_date=day.isoformat(), sources=usable or ["\x00none"])

    def annotate(self, answer: Answer) -> Answer:
        """Say so when an answer rests on a document that is not in force today."""
        graph = self.graph()
        noted: set[str] = set()
        for citation in answer.citations:
            rec = next((r for r in graph.records.values() if r.source == citation.doc), None)
            if rec is None or rec.doc_id in noted:
                continue
            now = graph.status_on(rec.doc_id, date.today())
            if now.status not in TERMINAL and now.status != "尚未施行":
                continue
            noted.add(rec.doc_id)
            number = f"（{rec.meta.doc_number}）" if rec.meta.doc_number else ""
            since = f"，自{cn_date(now.since)}起" if now.since else ""
            note = (f"注意：《{rec.meta.title}》{number}现{now.status}（{now.reason}{since}），"
                    f"[{citation.n}]所引内容仅反映该文件施行期间的规定。")
            if now.status == "尚未施行":
                note = f"注意：《{rec.meta.title}》{number}尚未施行（{now.reason}）。"
            answer.answer = f"{answer.answer}\n{note}"
            answer.sentences.append(Sentence(note, [citation.n]))
        return answer


def _fingerprint(records: list[DocumentRecord]) -> tuple[Any, ...]:
    """Changes when a document is added, replaced, removed or has its validity edited, and every new day."""
    return date.today(), tuple((r.doc_id, r.text_hash, r.version, r.meta.validity) for r in records)
