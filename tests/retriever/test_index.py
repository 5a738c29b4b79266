"""The index keeps registry, vectors and BM25 in step: idempotent re-ingest, atomic replace, delete, filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import Chunker
from retriever.embedders import FakeEmbedder
from retriever.index import PolicyIndex
from retriever.types import DocumentMeta, PolicyDocument, SearchFilters

DIBAO = "第一条 本区城乡低保标准为每人每月1050元。\n第二条 乡镇（街道）应当自受理之日起15个工作日内完成审核。"
GJJ = "第一条 职工租房的，可以提取住房公积金，每年最多提取18000元。\n第二条 提取申请即时办结。"


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=128)
        self.embedded = 0

    def embed_documents_np(self, texts):  # noqa: ANN001, ANN201
        self.embedded += len(texts)
        return super().embed_documents_np(texts)


def _doc(source: str, text: str, **meta: str) -> PolicyDocument:
    return PolicyDocument(source=source, text=text, meta=DocumentMeta(title=source, **meta))


def _add(index: PolicyIndex, doc: PolicyDocument):  # noqa: ANN202
    return index.add(doc, Chunker().run(doc.doc_id, doc.text, doc.meta.title))


@pytest.fixture
def index(tmp_path: Path) -> PolicyIndex:
    return PolicyIndex(tmp_path / "data", CountingEmbedder())


def test_unchanged_document_is_a_no_op_and_vectors_are_cached(index: PolicyIndex) -> None:
    first = _add(index, _doc("dibao.txt", DIBAO))
    embedded = index.embedder.embedded
    again = _add(index, _doc("dibao.txt", DIBAO))
    assert (first.status, again.status) == ("added", "unchanged")
    assert index.embedder.embedded == embedded, "an unchanged file must not be embedded again"
    assert again.record.version == 1


def test_changed_document_replaces_old_version_which_stays_in_history(index: PolicyIndex) -> None:
    _add(index, _doc("dibao.txt", DIBAO))
    result = _add(index, _doc("dibao.txt", DIBAO.replace("1050", "1100")))
    assert result.status == "replaced" and result.record.version == 2
    hits = index.search("低保标准每月多少元", k=5)
    texts = " ".join(h.chunk.text for h in hits)
    assert "1100" in texts and "1050" not in texts, "never two live versions"
    assert [h["version"] for h in index.registry.history(result.record.doc_id)] == [1]
    assert index.store.count() == len(index.registry.chunks(result.record.doc_id))


def test_remove_takes_a_document_out_of_every_leg(index: PolicyIndex) -> None:
    dibao = _add(index, _doc("dibao.txt", DIBAO)).record
    _add(index, _doc("gjj.txt", GJJ))
    assert index.remove(dibao.doc_id)
    assert all(h.document.source == "gjj.txt" for h in index.search("低保标准", k=5))
    assert index.lexical_search("低保", 5) == [] or all(
        cid not in {c.chunk_id for c in index.registry.chunks(dibao.doc_id)} for cid, _ in index.lexical_search("低保", 5)
    )
    assert index.store.count() == len(index.registry.chunks())
    assert not index.remove(dibao.doc_id)


def test_hits_keep_both_legs_ranks(index: PolicyIndex) -> None:
    _add(index, _doc("dibao.txt", DIBAO))
    _add(index, _doc("gjj.txt", GJJ))
    top = index.search("住房公积金每年最多提取多少", k=3)[0]
    assert top.document.source == "gjj.txt"
    assert top.lexical_rank == 1 and top.dense_rank is not None


def test_synonyms_let_citizens_words_find_official_words(index: PolicyIndex) -> None:
    _add(index, _doc("dibao.txt", DIBAO.replace("城乡低保标准", "最低生活保障标准")))
    _add(index, _doc("gjj.txt", GJJ))
    lexical = index.lexical_search("低保一个月多少钱", 5)
    assert lexical, "低保 must reach 最低生活保障 through the synonym table"
    chunk = index.registry.chunks_by_id([lexical[0][0]])[lexical[0][0]]
    assert "最低生活保障" in chunk.text


def test_filters_apply_before_ranking(index: PolicyIndex) -> None:
    _add(index, _doc("old.txt", DIBAO.replace("1050", "780"), validity="已废止", doc_type="规范性文件"))
    _add(index, _doc("new.txt", DIBAO, validity="现行有效", doc_type="规范性文件", issued="2024-02-05"))
    _add(index, _doc("gjj.txt", GJJ, doc_type="办事指南", issued="2023-01-01"))
    default = {h.document.source for h in index.search("低保标准", k=10)}
    assert "old.txt" not in default and "new.txt" in default
    everything = {h.document.source for h in index.search("低保标准", k=10, filters=SearchFilters(in_force_only=False))}
    assert "old.txt" in everything
    guides = index.search("低保标准", k=10, filters=SearchFilters(doc_type=["办事指南"]))
    assert {h.document.source for h in guides} == {"gjj.txt"}
    dated = index.search("提取", k=10, filters=SearchFilters(date_from="2024-01-01"))
    assert {h.document.source for h in dated} == {"new.txt"}


def test_expired_document_is_not_in_force(index: PolicyIndex) -> None:
    _add(index, _doc("temp.txt", GJJ, expires="2020-12-31"))
    assert index.search("公积金", k=5) == []
    on_date = SearchFilters(on_date="2020-06-01")
    assert index.search("公积金", k=5, filters=on_date)


def test_reindex_rebuilds_vectors_from_the_registry(index: PolicyIndex, tmp_path: Path) -> None:
    _add(index, _doc("dibao.txt", DIBAO))
    n_chunks = len(index.registry.chunks())
    index.store.reset()
    assert index.store.count() == 0
    assert index.reindex() == 1
    assert index.store.count() == n_chunks
    reopened = PolicyIndex(tmp_path / "data", CountingEmbedder())
    assert reopened.search("低保标准", k=1)[0].document.source == "dibao.txt"


def test_vectors_unconfirmed_at_a_crash_are_written_on_next_open(index: PolicyIndex, tmp_path: Path) -> None:
    record = _add(index, _doc("dibao.txt", DIBAO)).record
    index.store.delete_doc(record.doc_id)  # as if the process died after the registry commit
    index.registry.mark_synced([record.doc_id], False)
    reopened = PolicyIndex(tmp_path / "data", CountingEmbedder())
    assert reopened.store.count() == len(reopened.registry.chunks(record.doc_id))


def test_langchain_retriever_returns_documents_with_citation_metadata(index: PolicyIndex) -> None:
    from retriever.langchain_retriever import PolicyRetriever

    _add(index, _doc("dibao.txt", DIBAO))
    _add(index, _doc("gjj.txt", GJJ))
    docs = PolicyRetriever(index=index, k=2).invoke("住房公积金每年最多提取多少")
    assert docs[0].metadata["source"] == "gjj.txt"
    assert "18000元" in docs[0].page_content
    assert GJJ[docs[0].metadata["start"] : docs[0].metadata["end"]] == docs[0].metadata["quote"]
    assert len(docs) == 2
