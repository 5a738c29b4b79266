"""The hybrid search as a LangChain `BaseRetriever`, so the index drops into any LangChain chain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retriever.index import PolicyIndex
from retriever.types import Hit, SearchFilters


class PolicyRetriever(BaseRetriever):
    """`PolicyRetriever(index=..., k=5).invoke("低保标准")` -> LangChain Documents with citation metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: PolicyIndex
    k: int = 5
    filters: SearchFilters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [to_document(hit) for hit in self.index.search(query, self.k, self.filters)]


def to_document(hit: Hit) -> Document:
    """The chunk's readable text as page content; everything a citation needs in the metadata."""
    meta: dict[str, Any] = {
        "source": hit.document.source,
        "doc_id": hit.document.doc_id,
        "chunk_id": hit.chunk.chunk_id,
        "title": hit.document.meta.title,
        "doc_number": hit.document.meta.doc_number,
        "issued": hit.document.meta.issued,
        "validity": hit.document.meta.validity,
        "heading": hit.chunk.heading,
        "start": hit.chunk.start,
        "end": hit.chunk.end,
        "quote": hit.chunk.text,
        "score": hit.score,
        "dense_rank": hit.dense_rank,
        "lexical_rank": hit.lexical_rank,
    }
    return Document(page_content=hit.chunk.clean, metadata=meta, id=hit.chunk.chunk_id)
