"""Dense vectors in Chroma: embedded (`PersistentClient`) by default, or a Chroma server over HTTP.

Chroma only ever sees vectors we computed: the collection gets our own embedding function, so Chroma never
reaches for its default model (which would be a download).
"""

from __future__ import annotations

import os
from typing import Any, Protocol
from urllib.parse import urlparse

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb  # noqa: E402
from chromadb.api.types import EmbeddingFunction  # noqa: E402
from chromadb.config import Settings  # noqa: E402

from retriever.types import content_hash  # noqa: E402


class Embedder(Protocol):
    name: str

    def embed_documents_np(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> list[float]: ...


class _OwnEmbeddingFunction(EmbeddingFunction[list[str]]):
    """Chroma's embedding-function interface over our embedder."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002 - Chroma's parameter name
        return list(self._embedder.embed_documents_np(list(input)))

    def embed_query(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002
        return [np.asarray(self._embedder.embed_query(t), dtype=np.float32) for t in input]

    @staticmethod
    def name() -> str:
        return "policy-assistant"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _OwnEmbeddingFunction:
        """Chroma rebuilds functions from stored config; ours only ever receives vectors computed by us."""
        return _OwnEmbeddingFunction(_Unavailable(str(config.get("embedder", "?"))))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


class _Unavailable:
    """Stands in for an embedder when Chroma rebuilds a collection from its stored config."""

    def __init__(self, name: str) -> None:
        self.name = name

    def embed_documents_np(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError(f"vectors for {self.name} are computed by PolicyIndex, not by Chroma")

    def embed_query(self, text: str) -> list[float]:
        raise RuntimeError(f"vectors for {self.name} are computed by PolicyIndex, not by Chroma")


class ChromaStore:
    """One Chroma collection of chunk vectors for one embedder.

    `url` selects a Chroma server (`http://127.0.0.1:8001`); otherwise vectors live under `path`.
    """

    def __init__(self, embedder: Embedder, path: str | None = None, url: str | None = None) -> None:
        if not path and not url:
            raise ValueError("ChromaStore needs a path (embedded) or a url (Chroma server)")
        settings = Settings(anonymized_telemetry=False, allow_reset=False)
        if url:
            parsed = urlparse(url)
            self.client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000, ssl=parsed.scheme == "https",
                settings=settings,
            )
        else:
            self.client = chromadb.PersistentClient(path=str(path), settings=settings)
        self.location = url or str(path)
        # Collection names must be ASCII: derive one from the embedder so two embedders never mix vectors.
        self.collection_name = f"chunks-{content_hash(embedder.name)}"
        self.collection = self.client.get_or_create_collection(
            self.collection_name,
            embedding_function=_OwnEmbeddingFunction(embedder),  # type: ignore[arg-type]
            metadata={"hnsw:space": "cosine", "embedder": embedder.name},
        )

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        for i in range(0, len(ids), 1000):
            self.collection.upsert(
                ids=ids[i : i + 1000], embeddings=vectors[i : i + 1000], metadatas=metadatas[i : i + 1000]
            )

    def delete_doc(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def query(self, vector: np.ndarray, k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, cosine similarity), restricted to `doc_ids` when given (filter before ranking)."""
        if doc_ids is not None and not doc_ids:
            return []
        where: dict[str, Any] | None = None
        if doc_ids is not None:
            where = {"doc_id": {"$in": doc_ids}} if len(doc_ids) > 1 else {"doc_id": doc_ids[0]}
        n = self.count()
        if n == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=min(k, n), where=where, include=["distances"]
        )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=False)]

    def count(self) -> int:
        return self.collection.count()

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            page = self.collection.get(include=[], limit=5000, offset=offset)
            out.update(page["ids"])
            if len(page["ids"]) < 5000:
                return out
            offset += 5000

    def reset(self) -> None:
        """Drop and recreate the collection (used by reindex)."""
        embedder_fn = self.collection._embedding_function  # noqa: SLF001
        metadata = self.collection.metadata
        self.client.delete_collection(self.collection_name)
        self.collection = self.client.get_or_create_collection(
            self.collection_name, embedding_function=embedder_fn, metadata=metadata
        )
