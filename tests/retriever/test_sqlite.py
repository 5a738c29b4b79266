"""The SQLite file under the registry and the service database: all-or-nothing writes, shared between processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retriever.sqlite import SqliteFile
from service.db import Database


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    db = SqliteFile(tmp_path / "a.sqlite3")
    with db.transaction() as cur:
        cur.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError), db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("crash between two writes")
    assert db.query("SELECT count(*) FROM t")[0][0] == 0


def test_another_process_sees_committed_writes_and_waits_for_a_busy_file(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    db = SqliteFile(path)
    with db.transaction() as cur:
        cur.execute("CREATE TABLE t (x INTEGER)")
    writer = ("import sys; from retriever.sqlite import SqliteFile\n"
              "db = SqliteFile(sys.argv[1])\n"
              "with db.transaction() as cur: cur.execute('INSERT INTO t VALUES (7)')\n")
    with db.transaction() as cur:  # holds the write lock while the other process starts
        cur.execute("INSERT INTO t VALUES (1)")
        proc = subprocess.Popen([sys.executable, "-c", writer, str(path)], cwd=Path(__file__).resolve().parents[2])
    assert proc.wait(timeout=60) == 0  # it waited for the lock instead of failing with "database is locked"
    assert sorted(r[0] for r in db.query("SELECT x FROM t")) == [1, 7]


def test_migrations_apply_once_per_namespace(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    Database(path).migrate("audit", ["CREATE TABLE a (x INTEGER)"])
    again = Database(path)
    again.migrate("audit", ["CREATE TABLE a (x INTEGER)", "ALTER TABLE a ADD COLUMN y TEXT"])  # only the 2nd runs
    again.migrate("drafts", ["CREATE TABLE d (x INTEGER)"])
    assert [r["name"] for r in again.query("PRAGMA table_info(a)")] == ["x", "y"]
    assert [tuple(r) for r in again.query("SELECT namespace, n FROM schema_migrations ORDER BY namespace, n")] == [
        ("audit", 1), ("audit", 2), ("drafts", 1)]
