"""Drafts in the service database: every version kept, status 草稿 -> 已审核 -> 已发布, every transition logged.

A reviewer's edit is a new version (the old one stays, and `diff` shows what changed). Editing a reviewed or
published draft sends it back to 草稿: what is published is always a version someone approved.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from service.db import Database, utc_now
from service.drafting.markdown import to_markdown
from service.drafting.model import Draft
from service.errors import UserInputError

DRAFT, REVIEWED, PUBLISHED = "草稿", "已审核", "已发布"

MIGRATIONS: list[str] = [
    # 1: drafts (with the policy text their offsets point into), versions, transitions
    """
    CREATE TABLE interp_drafts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, policy_doc_id TEXT NOT NULL, title TEXT NOT NULL,
        policy_text TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL, reviewed_version INTEGER,
        published_version INTEGER, published_doc_id TEXT NOT NULL DEFAULT '', published_source TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE INDEX interp_drafts_doc ON interp_drafts(doc);
    CREATE TABLE interp_versions (
        draft_id INTEGER NOT NULL REFERENCES interp_drafts(id), version INTEGER NOT NULL, content TEXT NOT NULL,
        markdown TEXT NOT NULL, author TEXT NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (draft_id, version)
    );
    CREATE TABLE interp_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT, draft_id INTEGER NOT NULL REFERENCES interp_drafts(id),
        at TEXT NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL, from_status TEXT NOT NULL,
        to_status TEXT NOT NULL, version INTEGER NOT NULL
    )
    """,
]


class WorkflowError(UserInputError):
    """A transition the workflow does not allow (publishing an unreviewed draft, approving a failing one)."""


@dataclass
class DraftRecord:
    id: int
    doc: str
    policy_doc_id: str
    title: str
    status: str
    version: int
    reviewed_version: int | None
    published_version: int | None
    published_doc_id: str
    published_source: str
    created_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class Version:
    draft_id: int
    version: int
    draft: Draft
    markdown: str
    author: str
    note: str
    created_at: str


class DraftStore:
    """Drafts, versions and transitions in the `interp_*` tables of the service database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("drafting", MIGRATIONS)

    def create(self, draft: Draft, policy_text: str, author: str, policy_doc_id: str = "") -> DraftRecord:
        now = utc_now()
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO interp_drafts (doc, policy_doc_id, title, policy_text, status, version, created_at,"
                " updated_at) VALUES (?,?,?,?,?,1,?,?)",
                (draft.doc, policy_doc_id, draft.heading, policy_text, DRAFT, now, now),
            )
            draft_id = int(cur.lastrowid or 0)
            self._add_version(cur, draft_id, 1, draft, author, "系统起草")
            self._event(cur, draft_id, "create", author, "", DRAFT, 1)
        return self.get(draft_id)

    def get(self, draft_id: int) -> DraftRecord:
        rows = self.db.query("SELECT * FROM interp_drafts WHERE id = ?", (draft_id,))
        if not rows:
            raise UserInputError(f"no draft {draft_id}; `policy-assistant drafts list` shows the drafts")
        return _record(rows[0])

    def list(self, status: str = "", doc: str = "") -> list[DraftRecord]:
        sql, args = "SELECT * FROM interp_drafts WHERE 1=1", []
        if status:
            sql, args = sql + " AND status = ?", [*args, status]
        if doc:
            sql, args = sql + " AND doc = ?", [*args, doc]
        return [_record(r) for r in self.db.query(sql + " ORDER BY id DESC", args)]

    def policy_text(self, draft_id: int) -> str:
        rows = self.db.query("SELECT policy_text FROM interp_drafts WHERE id = ?", (draft_id,))
        if not rows:
            raise UserInputError(f"no draft {draft_id}")
        return str(rows[0]["policy_text"])

    def version(self, draft_id: int, version: int | None = None) -> Version:
        """One version of a draft (the current one by default)."""
        number = version if version is not None else self.get(draft_id).version
        rows = self.db.query("SELECT * FROM interp_versions WHERE draft_id = ? AND version = ?", (draft_id, number))
        if not rows:
            raise UserInputError(f"draft {draft_id} has no version {number}")
        r = rows[0]
        return Version(draft_id, r["version"], Draft.from_dict(json.loads(r["content"])), r["markdown"], r["author"],
                       r["note"], r["created_at"])

    def versions(self, draft_id: int) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT version, author, note, created_at FROM interp_versions WHERE draft_id = ? ORDER BY version",
            (draft_id,))
        return [dict(r) for r in rows]

    def events(self, draft_id: int) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT at, action, actor, from_status, to_status, version FROM interp_events"
                             " WHERE draft_id = ? ORDER BY id", (draft_id,))
        return [dict(r) for r in rows]

    def revise(self, draft_id: int, draft: Draft, author: str, note: str = "") -> DraftRecord:
        """Store an edited draft as a new version; a reviewed or published draft goes back to 草稿."""
        with self.db.transaction() as cur:
            record = self._locked(cur, draft_id)
            version = record.version + 1
            self._add_version(cur, draft_id, version, draft, author, note or "修改")
            cur.execute("UPDATE interp_drafts SET status = ?, version = ?, updated_at = ? WHERE id = ?",
                        (DRAFT, version, utc_now(), draft_id))
            self._event(cur, draft_id, "revise", author, record.status, DRAFT, version)
        return self.get(draft_id)

    def approve(self, draft_id: int, reviewer: str, edited: Draft | None = None, note: str = "") -> DraftRecord:
        """Mark the current version reviewed; a reviewer's `edited` draft is first kept as a new version.

        Raises WorkflowError when the draft is already published or a point fails verification.
        """
        if edited is not None:
            self.revise(draft_id, edited, reviewer, note or "审核修改")
        with self.db.transaction() as cur:
            record = self._locked(cur, draft_id)
            if record.status != DRAFT:
                raise WorkflowError(f"draft {draft_id} is {record.status}; only a 草稿 can be approved")
            current = self._load(cur, draft_id, record.version)
            failing = [f"{s.name}：{'；'.join(p.problems)}" for s, p in current.points() if not p.verified]
            if failing:
                raise WorkflowError(f"draft {draft_id} version {record.version} has points that fail verification: "
                                    + " | ".join(failing[:5]) + "; fix them (revise) before approving")
            cur.execute("UPDATE interp_drafts SET status = ?, reviewed_version = ?, updated_at = ? WHERE id = ?",
                        (REVIEWED, record.version, utc_now(), draft_id))
            self._event(cur, draft_id, "approve", reviewer, DRAFT, REVIEWED, record.version)
        return self.get(draft_id)

    def check_publishable(self, draft_id: int) -> DraftRecord:
        """The record, if it may be published now. Raises WorkflowError for a draft nobody approved."""
        record = self.get(draft_id)
        if record.status == DRAFT:
            raise WorkflowError(f"draft {draft_id} is an unreviewed 草稿 and cannot be published; a reviewer must "
                                f"approve it first (`policy-assistant drafts review {draft_id}`)")
        if record.status == PUBLISHED:
            raise WorkflowError(f"draft {draft_id} is already published (version {record.published_version})")
        return record

    def mark_published(self, draft_id: int, publisher: str, doc_id: str, source: str) -> DraftRecord:
        with self.db.transaction() as cur:
            record = self._locked(cur, draft_id)
            if record.status != REVIEWED:
                raise WorkflowError(f"draft {draft_id} is {record.status}; only an 已审核 draft can be published")
            cur.execute("UPDATE interp_drafts SET status = ?, published_version = ?, published_doc_id = ?,"
                        " published_source = ?, updated_at = ? WHERE id = ?",
                        (PUBLISHED, record.version, doc_id, source, utc_now(), draft_id))
            self._event(cur, draft_id, "publish", publisher, REVIEWED, PUBLISHED, record.version)
        return self.get(draft_id)

    def diff(self, draft_id: int, old: int | None = None, new: int | None = None) -> str:
        """A unified diff of two versions' Markdown (by default the previous and the current one)."""
        current = self.get(draft_id).version
        new = new if new is not None else current
        old = old if old is not None else max(1, new - 1)
        a, b = self.version(draft_id, old).markdown, self.version(draft_id, new).markdown
        lines = difflib.unified_diff(a.splitlines(), b.splitlines(), f"第{old}版", f"第{new}版", lineterm="")
        return "\n".join(lines)

    def published(self) -> list[tuple[DraftRecord, Draft]]:
        """The last published draft of each policy, with the version that was published (which stays live, for
        the FAQ fast path, while a revision of it is under review)."""
        rows = self.db.query("SELECT * FROM interp_drafts WHERE published_version IS NOT NULL ORDER BY id")
        latest = {r.doc: r for r in map(_record, rows)}  # a later published draft of a policy replaces an earlier one
        return [(r, self.version(r.id, r.published_version).draft) for r in latest.values()
                if r.published_version is not None]

    def changed_key(self) -> int:
        """Changes whenever any draft changes (the id of the last transition): cheap to poll."""
        return int(self.db.query("SELECT coalesce(max(id), 0) AS n FROM interp_events")[0]["n"])

    # --- helpers ---

    def _locked(self, cur: Any, draft_id: int) -> DraftRecord:
        row = cur.execute("SELECT * FROM interp_drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            raise UserInputError(f"no draft {draft_id}; `policy-assistant drafts list` shows the drafts")
        return _record(row)

    @staticmethod
    def _load(cur: Any, draft_id: int, version: int) -> Draft:
        row = cur.execute("SELECT content FROM interp_versions WHERE draft_id = ? AND version = ?",
                          (draft_id, version)).fetchone()
        return Draft.from_dict(json.loads(row["content"]))

    @staticmethod
    def _add_version(cur: Any, draft_id: int, version: int, draft: Draft, author: str, note: str) -> None:
        markdown = to_markdown(draft, version=version)
        cur.execute("INSERT INTO interp_versions VALUES (?,?,?,?,?,?,?)",
                    (draft_id, version, json.dumps(draft.to_dict(), ensure_ascii=False), markdown, author, note,
                     utc_now()))

    @staticmethod
    def _event(cur: Any, draft_id: int, action: str, actor: str, old: str, new: str, version: int) -> None:
        cur.execute("INSERT INTO interp_events (draft_id, at, action, actor, from_status, to_status, version)"
                    " VALUES (?,?,?,?,?,?,?)", (draft_id, utc_now(), action, actor, old, new, version))


def _record(row: Any) -> DraftRecord:
    return DraftRecord(
        id=row["id"], doc=row["doc"], policy_doc_id=row["policy_doc_id"], title=row["title"], status=row["status"],
        version=row["version"], reviewed_version=row["reviewed_version"], published_version=row["published_version"],
        published_doc_id=row["published_doc_id"], published_source=row["published_source"],
        created_at=row["created_at"], updated_at=row["updated_at"],
    )
