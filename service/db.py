"""The service's own SQLite database (audit log, feedback, drafts, WeChat message ids, ...).

Each feature owns a namespace of numbered migrations, so features can evolve their tables independently:
`db.migrate("audit", [sql1, sql2])` applies the ones not yet applied, in order, each in a transaction.
The registry of documents is separate (`retriever.registry`): the index can be rebuilt, this data cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from retriever.sqlite import SqliteFile, utc_now

__all__ = ["Database", "utc_now"]


class Database(SqliteFile):
    """A thread-safe SQLite connection in WAL mode, shareable by several worker processes."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, busy_timeout_s=30)
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
                self.run_script(cur, sql)
                cur.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (namespace, n, utc_now()))

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the number of rows changed."""
        with self.transaction() as cur:
            cur.execute(sql, tuple(args))
            return cur.rowcount
