"""The validity graph in the registry: relations between documents, their stated dates, overrides, status log.

Relations are stored as stated (target by title and 文号), keyed by the document that states them and the hash of
the text they were read from; resolving them to documents happens when statuses are computed, so the order in
which documents arrive does not matter. Tables come from a numbered migration in `retriever.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass

from retriever.registry import Registry
from retriever.sqlite import utc_now


@dataclass
class StoredRelation:
    """A relation as stated by document `doc_id` (see `ingest.validity.Relation`)."""

    doc_id: str
    kind: str
    target_title: str
    target_number: str
    start: int
    end: int
    effective: str = ""
    subject_title: str = ""
    subject_number: str = ""
    note: str = ""


@dataclass
class DocumentFacts:
    """What a document says about itself: its stated validity and dates, and its last computed status."""

    doc_id: str
    text_hash: str
    stated: str = "未知"
    effective: str = ""
    expires: str = ""
    status: str = ""
    reason: str = ""


@dataclass
class Override:
    doc_id: str
    status: str
    note: str
    by: str
    at: str


class RelationStore:
    """Read and write the validity tables of one registry."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    # --- per-document facts and relations ---

    def facts(self) -> dict[str, DocumentFacts]:
        rows = self.registry.select("SELECT * FROM doc_validity")
        return {r["doc_id"]: DocumentFacts(r["doc_id"], r["text_hash"], r["stated"], r["effective"], r["expires"],
                                           r["status"], r["reason"]) for r in rows}

    def fact(self, doc_id: str) -> DocumentFacts | None:
        rows = self.registry.select("SELECT * FROM doc_validity WHERE doc_id = ?", (doc_id,))
        return DocumentFacts(*(rows[0][k] for k in ("doc_id", "text_hash", "stated", "effective", "expires", "status",
                                                     "reason"))) if rows else None

    def set_stated(self, doc_id: str, stated: str) -> None:
        """Remember what the document (or its sidecar) states about its own validity, before it is overwritten."""
        with self.registry.transaction() as cur:
            cur.execute(
                "INSERT INTO doc_validity (doc_id, text_hash, stated, effective, expires, status, reason, updated_at)"
                " VALUES (?, '', ?, '', '', '', '', ?) ON CONFLICT(doc_id) DO UPDATE SET stated = excluded.stated",
                (doc_id, stated, utc_now()))

    def put_facts(self, doc_id: str, text_hash: str, effective: str, expires: str,
                  relations: list[StoredRelation]) -> None:
        """Replace what was read from a document's text (its dates and the relations it states)."""
        with self.registry.transaction() as cur:
            cur.execute(
                "INSERT INTO doc_validity (doc_id, text_hash, stated, effective, expires, status, reason, updated_at)"
                " VALUES (?, ?, '未知', ?, ?, '', '', ?) ON CONFLICT(doc_id) DO UPDATE SET text_hash = excluded.text_hash,"
                " effective = excluded.effective, expires = excluded.expires, updated_at = excluded.updated_at",
                (doc_id, text_hash, effective, expires, utc_now()))
            cur.execute("DELETE FROM doc_relations WHERE doc_id = ?", (doc_id,))
            cur.executemany(
                "INSERT INTO doc_relations (doc_id, kind, target_title, target_number, subject_title, subject_number,"
                " effective, start, end_, note) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(doc_id, r.kind, r.target_title, r.target_number, r.subject_title, r.subject_number, r.effective,
                  r.start, r.end, r.note) for r in relations])

    def forget(self, doc_ids: list[str]) -> None:
        """Drop what was read from documents that are no longer indexed (their log and overrides stay)."""
        with self.registry.transaction() as cur:
            for doc_id in doc_ids:
                cur.execute("DELETE FROM doc_relations WHERE doc_id = ?", (doc_id,))
                cur.execute("DELETE FROM doc_validity WHERE doc_id = ?", (doc_id,))

    def relations(self) -> list[StoredRelation]:
        rows = self.registry.select("SELECT * FROM doc_relations ORDER BY doc_id, start")
        return [StoredRelation(r["doc_id"], r["kind"], r["target_title"], r["target_number"], r["start"], r["end_"],
                               r["effective"], r["subject_title"], r["subject_number"], r["note"]) for r in rows]

    # --- computed status and its log ---

    def record_status(self, doc_id: str, old: str, new: str, reason: str) -> None:
        """Store a newly computed status and log the change."""
        with self.registry.transaction() as cur:
            cur.execute("UPDATE doc_validity SET status = ?, reason = ?, updated_at = ? WHERE doc_id = ?",
                        (new, reason, utc_now(), doc_id))
            cur.execute("INSERT INTO status_log (doc_id, at, old, new, reason) VALUES (?,?,?,?,?)",
                        (doc_id, utc_now(), old, new, reason))

    def log(self, doc_id: str) -> list[dict[str, str]]:
        rows = self.registry.select("SELECT at, old, new, reason FROM status_log WHERE doc_id = ? ORDER BY rowid",
                                    (doc_id,))
        return [dict(r) for r in rows]

    # --- staff overrides ---

    def overrides(self) -> dict[str, Override]:
        rows = self.registry.select("SELECT * FROM status_overrides")
        return {r["doc_id"]: Override(r["doc_id"], r["status"], r["note"], r["by_"], r["at"]) for r in rows}

    def set_override(self, doc_id: str, status: str, note: str, by: str) -> None:
        with self.registry.transaction() as cur:
            cur.execute("INSERT OR REPLACE INTO status_overrides (doc_id, status, note, by_, at) VALUES (?,?,?,?,?)",
                        (doc_id, status, note, by, utc_now()))

    def clear_override(self, doc_id: str) -> bool:
        with self.registry.transaction() as cur:
            cur.execute("DELETE FROM status_overrides WHERE doc_id = ?", (doc_id,))
            return cur.rowcount > 0
