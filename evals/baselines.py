"""The baseline a typical LangChain RAG tutorial builds, on the same documents and with the same embedder.

Tutorial recipe: `RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)` over each document's text,
the chunk text alone embedded into Chroma, similarity search k=4, the four chunks handed to the answer step.
There is no language model offline, so the answer step is the assistant's own answerer, given those four chunks
split into sentences: the comparison isolates chunking and retrieval. The ranking kept for recall@k is the same
similarity search run deeper (k = `depth`).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from evals.cache import stable_hash
from evals.pipelines import Response, answer_from_hits, respond_from_contexts, sentence_units, settings_description
from evals.progress import progress
from evals.suites import Case
from retriever.types import Chunk, DocumentRecord, Hit, content_hash
from retriever.vectorstore import ChromaStore

if TYPE_CHECKING:
    from service.assistant import Assistant

SPLITTER_HINT = "pip install 'policy-assistant[eval]'  (needs langchain-text-splitters)"


class LangChainTutorialBaseline:
    name = "langchain_tutorial"

    def __init__(
        self, assistant: Assistant, work_dir: Path, chunk_size: int = 500, chunk_overlap: int = 50, k: int = 4,
        depth: int = 10, batch: int = 32, show_progress: bool = True,
    ) -> None:
        if not 0 <= chunk_overlap < chunk_size or k < 1:
            raise ValueError("need 0 <= chunk_overlap < chunk_size and k >= 1")
        self.assistant, self.work_dir = assistant, Path(work_dir)
        self.chunk_size, self.chunk_overlap, self.k, self.depth, self.batch = chunk_size, chunk_overlap, k, depth, batch
        self.show_progress = show_progress
        self._chunks: dict[str, tuple[Chunk, DocumentRecord]] = {}
        self._store: ChromaStore | None = None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "splitter": "RecursiveCharacterTextSplitter", "chunk_size": self.chunk_size,
                "chunk_overlap": self.chunk_overlap, "k": self.k, "depth": self.depth} | settings_description(
                    self.assistant)

    def split(self) -> list[tuple[Chunk, DocumentRecord]]:
        """The tutorial's chunks of every indexed document, with their offsets in the document text."""
        try:
            from langchain_text_splitters import RecursiveCharacterTextSplitter
        except ImportError as exc:
            raise ImportError(f"the LangChain baseline needs langchain-text-splitters: {SPLITTER_HINT}") from exc
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap, add_start_index=True
        )
        registry = self.assistant.index.registry
        out = []
        for record in registry.documents():
            text = registry.document_text(record.doc_id)
            for i, doc in enumerate(splitter.create_documents([text])):
                start = int(doc.metadata.get("start_index", max(text.find(doc.page_content), 0)))
                chunk = Chunk(record.doc_id, i, doc.page_content, start, start + len(doc.page_content),
                              doc.page_content, units=sentence_units(doc.page_content, start))
                out.append((chunk, record))
        return out

    def build(self) -> int:
        """Split, embed (through the index's vector cache) and load Chroma; returns the number of chunks."""
        pairs = self.split()
        self._chunks = {c.chunk_id: (c, r) for c, r in pairs}
        index = self.assistant.index
        embedder = index.embedder
        texts = [c.text for c, _ in pairs]
        keys = [content_hash(f"{embedder.name}\x00{t}") for t in texts]
        cached = index.cache.cached_vectors(list(set(keys)))
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cached}.items())
        bar = progress(total=len(missing), desc=f"{self.name}: embedding", unit="chunk", enabled=self.show_progress)
        for i in range(0, len(missing), self.batch):
            part = missing[i : i + self.batch]
            fresh = dict(zip([k for k, _ in part], embedder.embed_documents_np([t for _, t in part]), strict=True))
            index.cache.cache_vectors(fresh)
            cached.update(fresh)
            bar.update(len(part))
        bar.close()
        # One folder per set of chunks: Chroma keeps clients of a path open for the whole process, so a folder is
        # never deleted and rebuilt under it; a folder that already holds these chunks is reused as it is.
        ids = [c.chunk_id for c, _ in pairs]
        store_dir = self.work_dir / f"chroma-{stable_hash([embedder.name, ids])}"
        for old in self.work_dir.glob("chroma-*"):
            if old != store_dir:
                shutil.rmtree(old, ignore_errors=True)
        self._store = ChromaStore(embedder, path=str(store_dir))
        if pairs and self._store.count() != len(pairs):
            vectors = np.stack([cached[k] for k in keys]).astype(np.float32)
            self._store.add(ids, vectors, [{"doc_id": r.doc_id} for _, r in pairs])
        return len(pairs)

    def search(self, question: str, k: int) -> list[Hit]:
        if self._store is None:
            self.build()
        assert self._store is not None
        vector = np.asarray(self.assistant.index.embedder.embed_query(question), dtype=np.float32)
        hits = []
        for cid, score in self._store.query(vector, k):
            chunk, record = self._chunks[cid]
            hits.append(Hit(chunk, record, score, dense_score=score))
        return hits

    def respond(self, case: Case) -> Response:
        if case.contexts:
            return respond_from_contexts(self.assistant, case)
        started = time.perf_counter()
        ranked = self.search(case.question, max(self.k, self.depth))
        answer = answer_from_hits(self.assistant, case.question, ranked[: self.k])
        return Response(answer, ranked, time.perf_counter() - started)
