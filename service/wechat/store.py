"""WeChat's tables in the service database: message state (one answer per MsgId), rate limits, conversations,
answer pages and the salt for user hashes.

A message row is claimed with a unique key, so retries that land on another worker process find it. Its
state moves `computing -> ready` when the answer is computed while a request still waits for it, or
`computing -> deferred -> held` when the request gave up first (the answer is then pushed or kept for the
user's next message). `sent` counts the reply parts already delivered. Users appear only as salted hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass

from service.db import Database

MIGRATIONS: list[str] = [
    """
    CREATE TABLE wechat_messages (
        key TEXT PRIMARY KEY, channel TEXT NOT NULL, user_hash TEXT NOT NULL, created_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1, state TEXT NOT NULL, parts TEXT, sent INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX wechat_messages_user ON wechat_messages(user_hash, created_at);
    CREATE TABLE wechat_rate (user_hash TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX wechat_rate_user ON wechat_rate(user_hash, at);
    CREATE TABLE wechat_conversations (
        channel TEXT NOT NULL, user_hash TEXT NOT NULL, conversation_id TEXT NOT NULL, last_at REAL NOT NULL,
        PRIMARY KEY (channel, user_hash)
    );
    CREATE TABLE wechat_pages (id TEXT PRIMARY KEY, created_at REAL NOT NULL, body TEXT NOT NULL);
    CREATE TABLE wechat_tokens (
        name TEXT PRIMARY KEY, token TEXT NOT NULL DEFAULT '', expires_at REAL NOT NULL DEFAULT 0,
        lock_owner TEXT, lock_until REAL NOT NULL DEFAULT 0
    );
    CREATE TABLE wechat_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)
    """,
]

HELD_FOR = 48 * 3600  # the customer-service window; a held answer older than this is not served
STALE_AFTER = 120.0  # a message still computing after this long lost its worker


@dataclass
class Message:
    key: str
    user_hash: str
    created_at: float
    attempts: int
    state: str
    parts: list[str]
    sent: int


def _message(row: object) -> Message:
    r = dict(row)  # type: ignore[call-overload]
    return Message(r["key"], r["user_hash"], r["created_at"], r["attempts"], r["state"],
                   json.loads(r["parts"]) if r["parts"] else [], r["sent"])


class WeChatStore:
    """Everything the bridge keeps, in the shared service database (namespace "wechat")."""

    def __init__(self, db: Database, salt: str | None = None) -> None:
        self.db = db
        db.migrate("wechat", MIGRATIONS)
        self._salt = (salt or self._stored_salt()).encode("utf-8")
        self.prune()

    def prune(self, messages_days: float = 7, pages_days: float = 90) -> None:
        """Forget message states (and answer pages) older than WeChat could still ask about (or a citizen reopen)."""
        now = time.time()
        self.db.execute("DELETE FROM wechat_messages WHERE created_at < ?", (now - messages_days * 86400,))
        self.db.execute("DELETE FROM wechat_pages WHERE created_at < ?", (now - pages_days * 86400,))
        self.db.execute("DELETE FROM wechat_rate WHERE at < ?", (now - 60,))

    def _stored_salt(self) -> str:
        self.db.execute("INSERT OR IGNORE INTO wechat_meta VALUES ('salt', ?)", (secrets.token_hex(32),))
        return str(self.db.query("SELECT value FROM wechat_meta WHERE name = 'salt'")[0][0])

    def user_hash(self, channel: str, user_id: str) -> str:
        """A salted hash standing for an OpenID/UserID everywhere something is stored."""
        return hmac.new(self._salt, f"{channel}\x00{user_id}".encode(), hashlib.sha256).hexdigest()[:32]

    # --- messages ---

    def claim(self, key: str, channel: str, user_hash: str) -> tuple[bool, int]:
        """Record an arriving message; returns (first time seen, attempts so far including this one)."""
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT OR IGNORE INTO wechat_messages (key, channel, user_hash, created_at, state)"
                " VALUES (?, ?, ?, ?, 'computing')",
                (key, channel, user_hash, time.time()),
            )
            if cur.rowcount == 1:
                return True, 1
            cur.execute("UPDATE wechat_messages SET attempts = attempts + 1 WHERE key = ?", (key,))
            row = cur.execute("SELECT attempts FROM wechat_messages WHERE key = ?", (key,)).fetchone()
            return False, int(row[0])

    def get(self, key: str) -> Message | None:
        rows = self.db.query("SELECT * FROM wechat_messages WHERE key = ?", (key,))
        return _message(rows[0]) if rows else None

    def finish(self, key: str, parts: list[str]) -> str:
        """Store the computed reply parts; returns the new state (`ready`, or `held` if the request gave up)."""
        with self.db.transaction() as cur:
            row = cur.execute("SELECT state FROM wechat_messages WHERE key = ?", (key,)).fetchone()
            state = "held" if row and row[0] == "deferred" else "ready"
            cur.execute("UPDATE wechat_messages SET parts = ?, state = ? WHERE key = ?",
                        (json.dumps(parts, ensure_ascii=False), state, key))
            return state

    def defer(self, key: str) -> bool:
        """Mark a message whose request stops waiting; False when its answer arrived in the meantime."""
        return self.db.execute("UPDATE wechat_messages SET state = 'deferred' WHERE key = ? AND state = 'computing'",
                               (key,)) == 1

    def mark_sent(self, key: str, n: int) -> None:
        """At least `n` parts of the message's reply have been delivered."""
        self.db.execute("UPDATE wechat_messages SET sent = MAX(sent, ?) WHERE key = ?", (n, key))

    def claim_unsent(self, key: str, already: int) -> list[str]:
        """Atomically take the parts after the first `already` for pushing; [] when another worker took them."""
        with self.db.transaction() as cur:
            row = cur.execute("SELECT parts, sent FROM wechat_messages WHERE key = ?", (key,)).fetchone()
            parts = json.loads(row[0]) if row and row[0] else []
            if not row or row[1] > already or len(parts) <= already:
                return []
            cur.execute("UPDATE wechat_messages SET sent = ? WHERE key = ?", (len(parts), key))
            return parts[already:]

    def take_part(self, key: str) -> tuple[str, bool] | None:
        """The next undelivered part of a message's reply and whether more remain; None when none is left."""
        with self.db.transaction() as cur:
            row = cur.execute("SELECT parts, sent FROM wechat_messages WHERE key = ?", (key,)).fetchone()
            parts = json.loads(row[0]) if row and row[0] else []
            if not row or row[1] >= len(parts):
                return None
            cur.execute("UPDATE wechat_messages SET sent = ? WHERE key = ?", (row[1] + 1, key))
            return parts[row[1]], row[1] + 1 < len(parts)

    def release(self, key: str, sent: int) -> None:
        """A push failed after `sent` parts: keep the rest for the user's next message."""
        self.db.execute("UPDATE wechat_messages SET sent = ?, state = 'held' WHERE key = ?", (sent, key))

    def pending_for(self, user_hash: str, channel: str, exclude_key: str) -> Message | None:
        """The user's oldest earlier message whose reply is not fully delivered (computing or held)."""
        now = time.time()
        rows = self.db.query(
            "SELECT * FROM wechat_messages WHERE user_hash = ? AND channel = ? AND key != ? AND created_at > ?"
            " AND (state IN ('computing', 'deferred') AND created_at > ?"
            "      OR state IN ('ready', 'held') AND parts IS NOT NULL AND sent < json_array_length(parts))"
            " ORDER BY created_at LIMIT 1",
            (user_hash, channel, exclude_key, now - HELD_FOR, now - STALE_AFTER),
        )
        return _message(rows[0]) if rows else None

    # --- rate limit, conversations, pages ---

    def allow(self, user_hash: str, per_minute: int) -> bool:
        """Count one message against the user's sliding one-minute window; False when it is full."""
        if per_minute <= 0:
            return True
        now = time.time()
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM wechat_rate WHERE user_hash = ? AND at <= ?", (user_hash, now - 60))
            n = cur.execute("SELECT COUNT(*) FROM wechat_rate WHERE user_hash = ?", (user_hash,)).fetchone()[0]
            if n >= per_minute:
                return False
            cur.execute("INSERT INTO wechat_rate VALUES (?, ?)", (user_hash, now))
            return True

    def conversation_id(self, channel: str, user_hash: str, idle_seconds: float = 1800) -> str:
        """The user's current conversation, or a new one after `idle_seconds` without a message."""
        now = time.time()
        with self.db.transaction() as cur:
            row = cur.execute("SELECT conversation_id, last_at FROM wechat_conversations WHERE channel = ?"
                              " AND user_hash = ?", (channel, user_hash)).fetchone()
            cid = row[0] if row and now - row[1] < idle_seconds else f"wx-{uuid.uuid4().hex}"
            cur.execute("INSERT OR REPLACE INTO wechat_conversations VALUES (?, ?, ?, ?)", (channel, user_hash, cid, now))
            return cid

    def save_page(self, body: dict[str, object]) -> str:
        """Keep a full answer for its web page; returns the page's unguessable id."""
        page_id = secrets.token_urlsafe(16)
        self.db.execute("INSERT INTO wechat_pages VALUES (?, ?, ?)", (page_id, time.time(), json.dumps(body, ensure_ascii=False)))
        return page_id

    def page(self, page_id: str) -> dict[str, object] | None:
        rows = self.db.query("SELECT body FROM wechat_pages WHERE id = ?", (page_id,))
        return json.loads(rows[0][0]) if rows else None
