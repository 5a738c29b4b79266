"""The SQLite registry: documents, their version history, chunks and cached embeddings.

It is the source of truth. The vector store and the BM25 index are derived from it and can be rebuilt from it at
any time (`reindex`), which matters because an embedded Chroma can lose recent writes on exit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from retriever.sqlite import SqliteFile, utc_now
from retriever.types import Chunk, DocumentMeta, DocumentRecord, PolicyDocument

MIGRATIONS: list[str] = [
    # 1: documents, history, chunks, embedding cache
    """
    CREATE TABLE documents (
        doc_id TEXT PRIMARY KEY, kb TEXT NOT NULL, source TEXT NOT NULL, path TEXT, format TEXT,
        meta TEXT NOT NULL, version INTEGER NOT NULL, text_hash TEXT NOT NULL, file_hash TEXT,
        text TEXT NOT NULL, n_chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL, synced INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX documents_kb_source ON documents(kb, source);
    CREATE TABLE document_history (
        doc_id TEXT NOT NULL, version INTEGER NOT NULL, kb TEXT, source TEXT, meta TEXT, text_hash TEXT,
        file_hash TEXT, text TEXT, ingested_at TEXT, retired_at TEXT NOT NULL, reason TEXT NOT NULL,
        PRIMARY KEY (doc_id, version)
    );
    CREATE TABLE chunks (
        chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL, start INTEGER NOT NULL, end_ INTEGER NOT NULL, text TEXT NOT NULL,
        clean TEXT NOT NULL, heading_path TEXT NOT NULL, kind TEXT NOT NULL, context TEXT NOT NULL,
        tokens TEXT NOT NULL, units TEXT NOT NULL
    );
    CREATE INDEX chunks_doc ON chunks(doc_id, ordinal);
    CREATE TABLE embeddings (
        key TEXT PRIMARY KEY, dim INTEGER NOT NULL, vector BLOB NOT NULL
    );
    """,
    # validity graph (issue #8): what documents state about themselves and others, staff overrides, status log
    """
    CREATE TABLE doc_validity (
        doc_id TEXT PRIMARY KEY, text_hash TEXT NOT NULL, stated TEXT NOT NULL, effective TEXT NOT NULL,
        expires TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE TABLE doc_relations (
        doc_id TEXT NOT NULL, kind TEXT NOT NULL, target_title TEXT NOT NULL, target_number TEXT NOT NULL,
        subject_title TEXT NOT NULL, subject_number TEXT NOT NULL, effective TEXT NOT NULL, start INTEGER NOT NULL,
        end_ INTEGER NOT NULL, note TEXT NOT NULL
    );
    CREATE INDEX doc_relations_doc ON doc_relations(doc_id);
    CREATE TABLE status_overrides (
        doc_id TEXT PRIMARY KEY, status TEXT NOT NULL, note TEXT NOT NULL, by_ TEXT NOT NULL, at TEXT NOT NULL
    );
    CREATE TABLE status_log (
        doc_id TEXT NOT NULL, at TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL, reason TEXT NOT NULL
    );
    CREATE INDEX status_log_doc ON status_log(doc_id)
    """,
    # annual-report table cells (issue #8)
    """
    CREATE TABLE report_tables (
        doc_id TEXT PRIMARY KEY, text_hash TEXT NOT NULL, source TEXT, region TEXT, year INTEGER,
        complete TEXT NOT NULL, problems TEXT NOT NULL
    );
    CREATE TABLE report_cells (
        doc_id TEXT NOT NULL, tbl TEXT NOT NULL, row_key TEXT NOT NULL, row_label TEXT NOT NULL, col TEXT NOT NULL,
        value TEXT NOT NULL, raw TEXT NOT NULL, start INTEGER NOT NULL, end_ INTEGER NOT NULL, row_start INTEGER NOT NULL,
        row_end INTEGER NOT NULL
    );
    CREATE INDEX report_cells_doc ON report_cells(doc_id)
    """,
]


class Registry(SqliteFile):
    """Thread-safe access to one SQLite file. Writes happen in transactions: all or nothing."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, busy_timeout_s=10, foreign_keys=True)
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            self._conn.execute("CREATE TABLE IF NOT EXISTS migrations (n INTEGER PRIMARY KEY, applied_at TEXT)")
            done = {r[0] for r in self._conn.execute("SELECT n FROM migrations")}
            for n, sql in enumerate(MIGRATIONS, start=1):
                if n in done:
                    continue
                with self.transaction() as cur:
                    self.run_script(cur, sql)
                    cur.execute("INSERT INTO migrations VALUES (?, ?)", (n, utc_now()))

    def data_version(self) -> int:
        """Changes whenever any connection (this process or another) commits a write."""
        with self._lock:
            own = self._conn.total_changes
            other = self._conn.execute("PRAGMA data_version").fetchone()[0]
            return hash((own, other))

    # --- documents ---

    def get(self, doc_id: str) -> DocumentRecord | None:
        row = self._query_one("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        return _record(row) if row else None

    def find(self, source: str, kb: str | None = None) -> list[DocumentRecord]:
        """Documents whose source name (or doc_id) is `source`, optionally within one knowledge base."""
        sql = "SELECT * FROM documents WHERE (source = ? OR doc_id = ?)"
        args: tuple = (source, source)
        if kb:
            sql += " AND kb = ?"
            args += (kb,)
        return [_record(r) for r in self.query(sql, args)]

    def documents(self) -> list[DocumentRecord]:
        return [_record(r) for r in self.query("SELECT * FROM documents ORDER BY kb, source")]

    def document_text(self, doc_id: str) -> str:
        row = self._query_one("SELECT text FROM documents WHERE doc_id = ?", (doc_id,))
        return row["text"] if row else ""

    def history(self, doc_id: str) -> list[dict]:
        rows = self.query(
            "SELECT version, text_hash, file_hash, ingested_at, retired_at, reason FROM document_history "
            "WHERE doc_id = ? ORDER BY version",
            (doc_id,),
        )
        return [dict(r) for r in rows]

    def put(self, doc: PolicyDocument, chunks: list[Chunk], tokens: list[list[str]]) -> DocumentRecord:
        """Store a document and its chunks, replacing any live version atomically (the old one goes to history)."""
        with self.transaction() as cur:
            old = cur.execute("SELECT * FROM documents WHERE doc_id = ?", (doc.doc_id,)).fetchone()
            version = 1
            if old:
                version = old["version"] + 1
                self._retire(cur, old, "replaced")
            cur.execute(
                "INSERT INTO documents (doc_id, kb, source, path, format, meta, version, text_hash, file_hash, text,"
                " n_chunks, ingested_at, synced) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0)",
                (doc.doc_id, doc.kb, doc.source, doc.path, doc.format, json.dumps(asdict(doc.meta), ensure_ascii=False),
                 version, doc.text_hash, doc.file_hash, doc.text, len(chunks), utc_now()),
            )
            cur.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (c.chunk_id, c.doc_id, c.ordinal, c.start, c.end, c.text, c.clean,
                     json.dumps(c.heading_path, ensure_ascii=False), c.kind, c.context, " ".join(t), json.dumps(c.units))
                    for c, t in zip(chunks, tokens, strict=True)
                ],
            )
        record = self.get(doc.doc_id)
        assert record is not None
        return record

    def remove(self, doc_id: str) -> bool:
        with self.transaction() as cur:
            old = cur.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if not old:
                return False
            self._retire(cur, old, "removed")
        return True

    def update_meta(self, doc_id: str, meta: DocumentMeta) -> None:
        with self.transaction() as cur:
            cur.execute(
                "UPDATE documents SET meta = ?, synced = 0 WHERE doc_id = ?",
                (json.dumps(asdict(meta), ensure_ascii=False), doc_id),
            )

    @staticmethod
    def _retire(cur: sqlite3.Cursor, old: sqlite3.Row, reason: str) -> None:
        cur.execute(
            "INSERT OR REPLACE INTO document_history VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (old["doc_id"], old["version"], old["kb"], old["source"], old["meta"], old["text_hash"], old["file_hash"],
             old["text"], old["ingested_at"], utc_now(), reason),
        )
        cur.execute("DELETE FROM chunks WHERE doc_id = ?", (old["doc_id"],))
        cur.execute("DELETE FROM documents WHERE doc_id = ?", (old["doc_id"],))

    def mark_synced(self, doc_ids: Iterable[str], synced: bool = True) -> None:
        with self.transaction() as cur:
            cur.executemany("UPDATE documents SET synced = ? WHERE doc_id = ?", [(int(synced), d) for d in doc_ids])

    def unsynced(self) -> list[str]:
        return [r["doc_id"] for r in self.query("SELECT doc_id FROM documents WHERE synced = 0")]

    # --- chunks ---

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        if doc_id:
            rows = self.query("SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        else:
            rows = self.query("SELECT * FROM chunks ORDER BY doc_id, ordinal")
        return [_chunk(r) for r in rows]

    def chunk_tokens(self) -> list[tuple[str, str, list[str]]]:
        """(chunk_id, doc_id, tokens) for every live chunk, in a stable order."""
        rows = self.query("SELECT chunk_id, doc_id, tokens FROM chunks ORDER BY doc_id, ordinal")
        return [(r["chunk_id"], r["doc_id"], r["tokens"].split(" ") if r["tokens"] else []) for r in rows]

    def chunks_by_id(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        for i in range(0, len(chunk_ids), 500):
            part = chunk_ids[i : i + 500]
            marks = ",".join("?" * len(part))
            for r in self.query(f"SELECT * FROM chunks WHERE chunk_id IN ({marks})", tuple(part)):
                out[r["chunk_id"]] = _chunk(r)
        return out

    # --- embedding cache ---

    def cached_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            marks = ",".join("?" * len(part))
            for r in self.query(f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", tuple(part)):
                out[r["key"]] = np.frombuffer(r["vector"], dtype=np.float32)
        return out

    def cache_vectors(self, items: dict[str, np.ndarray]) -> None:
        with self.transaction() as cur:
            cur.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?,?,?)",
                [(k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    # --- helpers ---

    def select(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query, for stores that keep their own tables here (added through MIGRATIONS)."""
        return self.query(sql, args)

    def _query_one(self, sql: str, args: tuple = ()) -> sqlite3.Row | None:
        rows = self.query(sql, args)
        return rows[0] if rows else None


def _record(row: sqlite3.Row) -> DocumentRecord:
    return DocumentRecord(
        doc_id=row["doc_id"], source=row["source"], kb=row["kb"], meta=DocumentMeta(**json.loads(row["meta"])),
        version=row["version"], text_hash=row["text_hash"], file_hash=row["file_hash"] or "", path=row["path"] or "",
        format=row["format"] or "", n_chunks=row["n_chunks"], ingested_at=row["ingested_at"],
    )


def _chunk(row: sqlite3.Row) -> Chunk:
    return Chunk(
        doc_id=row["doc_id"], ordinal=row["ordinal"], text=row["text"], start=row["start"], end=row["end_"],
        clean=row["clean"], heading_path=json.loads(row["heading_path"]), kind=row["kind"], context=row["context"],
        units=[tuple(u) for u in json.loads(row["units"])],
    )
