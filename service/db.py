"""The service's own SQLite database (audit log, feedback, drafts, WeChat message ids, ...).

Each feature owns a namespace of numbered migrations, so features can evolve their tables independently:
`db.migrate("audit", [sql1, sql2])` applies the ones not yet applied, in order, each in a transaction.
The registry of documents is separate (`retriever.registry`): the index can be rebuilt, this data cannot.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """A thread-safe SQLite connection in WAL mode, shareable by several worker processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (namespace TEXT, n INTEGER, applied_at TEXT,"
            " PRIMARY KEY (namespace, n))"
        )

    def migrate(self, namespace: str, migrations: Sequence[str]) -> None:
        """Apply `migrations` (1-based numbers by position) not yet applied for `namespace`."""
        with self.transaction() as cur:
            done = {r[0] for r in cur.execute("SELECT n FROM schema_migrations WHERE namespace = ?", (namespace,))}
            for n, sql in enumerate(migrations, start=1):
                if n in done:
                    continue
                for statement in filter(str.strip, sql.split(";")):
                    cur.execute(statement)
                cur.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (namespace, n, utc_now()))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(args)).fetchall()

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the number of rows changed."""
        with self.transaction() as cur:
            cur.execute(sql, tuple(args))
            return cur.rowcount

    def close(self) -> None:
        with self._lock:
            self._conn.close()
