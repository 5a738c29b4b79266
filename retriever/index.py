"""The policy index: registry (truth) + Chroma (dense) + BM25 (lexical), kept in step, searched together."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retriever.hybrid import bigrams, is_near_duplicate, reciprocal_rank_fusion
from retriever.lexical import BM25Index, ChineseTokenizer, SynonymExpander
from retriever.registry import Registry
from retriever.types import Chunk, DocumentRecord, Hit, PolicyDocument, SearchFilters, content_hash
from retriever.vectorstore import ChromaStore, Embedder

log = logging.getLogger(__name__)


@dataclass
class AddResult:
    status: str  # added | replaced | unchanged | meta_updated
    record: DocumentRecord
    embedded: int = 0  # chunks whose vectors were computed (the rest came from the cache)


class PolicyIndex:
    """Everything retrieval needs, under one data directory (or a Chroma server for the vectors)."""

    def __init__(
        self, data_dir: Path | str, embedder: Embedder, chroma_url: str | None = None, embed_batch: int = 32,
        candidates: int = 40, rrf_k: int = 60, embedding_cache: Path | str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.registry = Registry(self.data_dir / "registry.sqlite3")
        # Vectors may be cached outside the data directory, so a fresh index need not re-embed known text.
        self.cache = Registry(embedding_cache) if embedding_cache else self.registry
        self.store = ChromaStore(embedder, path=str(self.data_dir / "chroma"), url=chroma_url)
        self.tokenizer = ChineseTokenizer()
        self.synonyms = SynonymExpander()
        self.embed_batch = embed_batch
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._bm25 = BM25Index()
        self._bm25_version: int | None = None
        self._records: dict[str, DocumentRecord] = {}
        self._records_version: int | None = None
        self._lock = threading.RLock()
        self.sync()

    # --- writing ---

    def add(self, doc: PolicyDocument, chunks: list[Chunk]) -> AddResult:
        """Store `doc` with `chunks`: a no-op when unchanged; otherwise the new version replaces the old atomically.

        Vectors are computed before anything is written, so an interruption leaves the old version intact.
        """
        with self._lock:
            old = self.registry.get(doc.doc_id)
            if old and old.text_hash == doc.text_hash and self._same_chunks(old.doc_id, chunks):
                if old.meta == doc.meta:
                    return AddResult("unchanged", old)
                self.registry.update_meta(doc.doc_id, doc.meta)
                self._sync_docs([doc.doc_id])
                record = self.registry.get(doc.doc_id)
                assert record is not None
                return AddResult("meta_updated", record)
            vectors, embedded = self._vectors(chunks, doc.meta.title)
            tokens = [self.tokenizer.tokenize(c.embed_text(doc.meta.title)) for c in chunks]
            record = self.registry.put(doc, chunks, tokens)
            self._write_vectors(record, chunks, vectors)
            return AddResult("replaced" if old else "added", record, embedded)

    def _same_chunks(self, doc_id: str, chunks: list[Chunk]) -> bool:
        return [c.chunk_id for c in self.registry.chunks(doc_id)] == [c.chunk_id for c in chunks]

    def remove(self, doc_id: str) -> bool:
        with self._lock:
            if not self.registry.remove(doc_id):
                return False
            self.store.delete_doc(doc_id)
            return True

    def set_validity(self, doc_id: str, validity: str) -> DocumentRecord:
        with self._lock:
            record = self.registry.get(doc_id)
            if record is None:
                raise KeyError(doc_id)
            self.registry.update_meta(doc_id, record.meta.merged({"validity": validity}))
            self._sync_docs([doc_id])
            updated = self.registry.get(doc_id)
            assert updated is not None
            return updated

    def reindex(self) -> int:
        """Rebuild the vector store and BM25 from the registry (vectors from the cache where possible)."""
        with self._lock:
            self.store.reset()
            docs = [r.doc_id for r in self.registry.documents()]
            self.registry.mark_synced(docs, False)
            self._sync_docs(docs)
            self._bm25_version = None
            return len(docs)

    def sync(self) -> None:
        """Bring Chroma in line with the registry for documents whose vectors were not confirmed written."""
        pending = self.registry.unsynced()
        if pending:
            log.info("syncing vectors", extra={"documents": len(pending)})
            self._sync_docs(pending)

    def _sync_docs(self, doc_ids: list[str]) -> None:
        for doc_id in doc_ids:
            record = self.registry.get(doc_id)
            if record is None:
                continue
            chunks = self.registry.chunks(doc_id)
            vectors, _ = self._vectors(chunks, record.meta.title)
            self.store.delete_doc(doc_id)
            self._write_vectors(record, chunks, vectors)

    def _write_vectors(self, record: DocumentRecord, chunks: list[Chunk], vectors: np.ndarray) -> None:
        self.store.delete_doc(record.doc_id)
        if chunks:
            meta = {"doc_id": record.doc_id, "kb": record.kb, "doc_type": record.meta.doc_type}
            self.store.add([c.chunk_id for c in chunks], vectors, [dict(meta) for _ in chunks])
        self.registry.mark_synced([record.doc_id])

    def _vectors(self, chunks: list[Chunk], title: str) -> tuple[np.ndarray, int]:
        texts = [c.embed_text(title) for c in chunks]
        keys = [content_hash(f"{self.embedder.name}\x00{t}") for t in texts]
        cached = self.cache.cached_vectors(list(set(keys)))
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cached}.items())
        for i in range(0, len(missing), self.embed_batch):
            batch = missing[i : i + self.embed_batch]
            vecs = self.embedder.embed_documents_np([t for _, t in batch])
            fresh = {k: v for (k, _), v in zip(batch, vecs, strict=True)}
            self.cache.cache_vectors(fresh)
            cached.update(fresh)
        if not keys:
            return np.zeros((0, 1), dtype=np.float32), 0
        return np.stack([cached[k] for k in keys]).astype(np.float32), len(missing)

    # --- reading ---

    def records(self) -> dict[str, DocumentRecord]:
        version = self.registry.data_version()
        if version != self._records_version:
            self._records = {r.doc_id: r for r in self.registry.documents()}
            self._records_version = version
        return self._records

    def _lexical(self) -> BM25Index:
        version = self.registry.data_version()
        if version != self._bm25_version:
            self._bm25.build(self.registry.chunk_tokens())
            self._bm25_version = version
        return self._bm25

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None, legs: str = "hybrid") -> list[Hit]:
        """Hybrid search: dense and BM25 candidates fused by reciprocal rank, near-duplicates collapsed.

        `legs` = "dense" or "lexical" runs one leg alone (for comparisons).
        """
        if legs not in ("hybrid", "dense", "lexical"):
            raise ValueError("legs must be hybrid, dense or lexical")
        filters = filters or SearchFilters()
        records = self.records()
        allowed = [d for d, r in records.items() if filters.accepts(r.meta, r.kb, r.source)]
        if not allowed:
            return []
        restrict = None if len(allowed) == len(records) else allowed
        dense = self.dense_search(query, self.candidates, restrict) if legs != "lexical" else []
        lexical = self.lexical_search(query, self.candidates, restrict) if legs != "dense" else []
        fused = reciprocal_rank_fusion(dense, lexical, k=self.rrf_k)
        return self._hits(fused, records, k)

    def dense_search(self, query: str, k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        vector = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        return self.store.query(vector, k, doc_ids)

    def lexical_search(self, query: str, k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        tokens = self.tokenizer.tokenize(query)
        for term in self.synonyms.expand(query):
            tokens.extend(self.tokenizer.tokenize(term))
        return self._lexical().search(tokens, k, set(doc_ids) if doc_ids is not None else None)

    def _hits(self, fused: list, records: dict[str, DocumentRecord], k: int) -> list[Hit]:
        chunks = self.registry.chunks_by_id([f.chunk_id for f in fused])
        hits: list[Hit] = []
        seen: list[set[str]] = []
        for f in fused:
            chunk = chunks.get(f.chunk_id)
            record = records.get(chunk.doc_id) if chunk else None
            if chunk is None or record is None:
                continue  # a stale vector of a replaced version: the registry decides what is live
            grams = bigrams(chunk.clean)
            if any(is_near_duplicate(grams, s) for s in seen):
                continue
            seen.append(grams)
            hits.append(Hit(chunk, record, f.score, f.dense_rank, f.dense_score, f.lexical_rank, f.lexical_score))
            if len(hits) >= k:
                break
        return hits
